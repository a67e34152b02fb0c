// What the canvas views (parallel coordinates, contour) share: a canvas sized to its box at
// the device's pixel ratio, redrawn when the box changes, and the theme's colours read from
// the page's CSS custom properties (so dark mode reaches the pixels too).
import { parseHex, relativeLuminance } from './contrast.ts';

/** Sizes `canvas` to its CSS width × `height` at the device pixel ratio; returns a context in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement, height: number): CanvasRenderingContext2D | undefined {
  const width = Math.max(200, canvas.clientWidth);
  const ratio = window.devicePixelRatio || 1;
  canvas.style.height = `${height}px`;
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

/** The theme's colours as the element sees them (see --lab-* in styles.ts). */
export function themeColors(el: Element): ThemeColors {
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
 * Calls `draw` in the next frame when the element's width changes (drawing inside the
 * callback can resize the element again and end the frame in a "ResizeObserver loop"
 * error); returns the observer to disconnect.
 */
export function redrawOnResize(el: Element, draw: () => void): ResizeObserver {
  let width = 0;
  const observer = new ResizeObserver(([entry]) => {
    if (Math.round(entry.contentRect.width) === width) return;
    width = Math.round(entry.contentRect.width);
    requestAnimationFrame(draw);
  });
  observer.observe(el);
  return observer;
}
