// The lines of the parallel coordinates, painted apart from their axes: on a worker's
// OffscreenCanvas when the browser has one (rasterising 10,000 antialiased lines takes
// Chromium 100–700 ms, which on the page's thread is one long task), else on the page.

/** Lines of one look: `ys` holds each line's y on every axis in turn (CSS pixels). */
export interface LineGroup {
  style: string;
  lineWidth: number;
  ys: Float32Array;
}

/** Everything one paint needs: the canvas size (CSS pixels), its pixel ratio and the axes' x. */
export interface LinePainting {
  width: number;
  height: number;
  ratio: number;
  xs: number[];
  /** Painted in order, later groups on top. */
  groups: LineGroup[];
}

/** Sizes the canvas for the painting, clears it and draws every line (one stroke each: one path of many lines rasterises far slower). */
export function paintLines(canvas: HTMLCanvasElement | OffscreenCanvas, painting: LinePainting): void {
  const { width, height, ratio, xs, groups } = painting;
  const [w, h] = [Math.round(width * ratio), Math.round(height * ratio)];
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const axes = xs.length;
  for (const { style, lineWidth, ys } of groups) {
    ctx.strokeStyle = style;
    ctx.lineWidth = lineWidth;
    for (let at = 0; at + axes <= ys.length; at += axes) {
      ctx.beginPath();
      ctx.moveTo(xs[0], ys[at]);
      for (let i = 1; i < axes; i++) ctx.lineTo(xs[i], ys[at + i]);
      ctx.stroke();
    }
  }
}

/**
 * Paints lines on a canvas of its own (`canvas`, for the caller to place), in a worker when
 * the browser can hand a canvas over. Paintings asked for while one is drawn are folded:
 * only the latest is painted.
 */
export class LinePainter {
  readonly canvas = document.createElement('canvas');
  private readonly worker?: Worker;

  constructor() {
    const canvas = this.canvas;
    canvas.className = 'lines';
    canvas.setAttribute('aria-hidden', 'true');
    if (typeof canvas.transferControlToOffscreen !== 'function' || typeof Worker === 'undefined') return;
    const offscreen = canvas.transferControlToOffscreen();
    this.worker = new Worker(new URL('./parallel-lines.worker.ts', import.meta.url), { type: 'module' });
    this.worker.postMessage({ canvas: offscreen }, [offscreen]);
  }

  paint(painting: LinePainting): void {
    if (this.worker)
      this.worker.postMessage(
        { painting },
        painting.groups.map((g) => g.ys.buffer),
      );
    else paintLines(this.canvas, painting);
  }

  dispose(): void {
    this.worker?.terminate();
  }
}
