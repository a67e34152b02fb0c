// What the canvas views (parallel coordinates, contour) share: a canvas sized to its box at
// the device's pixel ratio, redrawn when the box changes, and the theme's colours read from
// the page's CSS custom properties (so dark mode reaches the pixels too). A view learns its
// canvas' width from a ResizeObserver, never from clientWidth while drawing: that read forced
// a layout of the whole page in the middle of the view's update (20–40 ms of a 10,000-trial
// study's contour task).
import { parseHex, relativeLuminance } from './contrast.ts';

/** Sizes `canvas` to `width` × `height` CSS pixels at the device pixel ratio; returns a context in CSS pixels. */
export function fitCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D | undefined {
  const ratio = window.devicePixelRatio || 1;
  if (canvas.style.height !== `${height}px`) canvas.style.height = `${height}px`;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d') ?? undefined;
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx?.clearRect(0, 0, width, height);
  return ctx;
}

export interface ThemeColors {
  ink: string;
  muted: string;
  grid: string;
  /** Grid lines inside a plot. */
  faint: string;
  surface: string;
  /** Headings, buttons and the best trial's marks (dark blue; light blue in dark mode). */
  accent: string;
  /** The card is dark (dark mode): lines take the bright part of the ramp (lineColor). */
  dark: boolean;
}

/** Each element's theme colours, read once per colour scheme (reading them forces a style recalculation of the page). */
let themes = new WeakMap<Element, ThemeColors>();
if (typeof matchMedia === 'function')
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => (themes = new WeakMap()));

/** The theme's colours as the element sees them (see --lab-* in page.css), kept until the colour scheme changes. */
export function themeColors(el: Element): ThemeColors {
  let colors = themes.get(el);
  if (!colors) {
    colors = readThemeColors(el);
    themes.set(el, colors);
  }
  return colors;
}

function readThemeColors(el: Element): ThemeColors {
  const style = getComputedStyle(el);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const surface = read('--lab-surface', '#ffffff');
  return {
    ink: read('--lab-ink', '#1b1f24'),
    muted: read('--lab-muted', '#5b6570'),
    grid: read('--lab-border', '#dde2e7'),
    faint: read('--lab-border-soft', '#eef0f2'),
    surface,
    accent: read('--lab-accent', '#1d3557'),
    dark: relativeLuminance(parseHex(surface) ?? [255, 255, 255]) < 0.18,
  };
}

/** A uPlot stroke in the theme's accent, read when the chart draws (so it follows dark mode). */
export const accentStroke = (u: { root: Element }): string => themeColors(u.root).accent;

/**
 * A canvas' width as its ResizeObserver last reported it (0 until the first report, which
 * follows the canvas' first layout), calling `draw` in the next frame when it changes
 * (drawing inside the callback can resize the element again and end the frame in a
 * "ResizeObserver loop" error). The width is that of the device pixels the canvas is shown on
 * (their count over the pixel ratio): a box at a fractional place or width is snapped to whole
 * device pixels (1217.22 px at x 31.39 covers 1218), and a bitmap of its rounded CSS width
 * (1217) stretched onto them smeared the text where it fell half a pixel off (the middle
 * axis' label read as drawn twice). Where the browser does not report device pixels, the
 * rounded CSS width.
 */
export class CanvasWidth {
  width = 0;
  private observer?: ResizeObserver;
  private observed?: Element;

  constructor(private readonly draw: () => void) {}

  /** Follows `canvas` (a view's template may replace its canvas; the new one is followed). */
  follow(canvas: Element | undefined): void {
    if (!canvas || canvas === this.observed) return;
    this.observer?.disconnect();
    this.observed = canvas;
    this.observer = new ResizeObserver(([entry]) => {
      const devicePixels = entry.devicePixelContentBoxSize?.[0]?.inlineSize;
      const shown = devicePixels ? devicePixels / (window.devicePixelRatio || 1) : Math.round(entry.contentRect.width);
      const width = Math.max(200, shown);
      if (width === this.width) return;
      this.width = width;
      requestAnimationFrame(this.draw);
    });
    try {
      // Reports also when only the snapping changes (the box moved by a fraction of a pixel).
      this.observer.observe(canvas, { box: 'device-pixel-content-box' });
    } catch {
      this.observer.observe(canvas);
    }
  }

  disconnect(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    this.observed = undefined;
  }
}
