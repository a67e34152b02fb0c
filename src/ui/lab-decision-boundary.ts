import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { TrainedModel } from '../study/record.ts';
import { predict } from '../train/cpu/engine.ts';
import type { TrainingData } from '../train/types.ts';
import { panelStyles } from './styles.ts';
import { ownTask } from './task-queue.ts';
import { rampRgb } from './trial-display.ts';

const SIZE = 320;
/** Prediction cells per side (the canvas upscales them). */
const CELLS = 80;
/** Milliseconds of predicting per task: the whole grid at once takes 30 ms or more, too long beside the frame that shows the end of a study. */
const SLICE_MS = 8;
const CLASS_COLORS = [
  [230, 57, 70],
  [69, 123, 157],
  [42, 157, 143],
  [233, 162, 59],
  [124, 77, 160],
  [108, 117, 125],
] as const;

/** The box the points span, with a margin, as [min, max] per feature. */
function extent(data: TrainingData): [[number, number], [number, number]] {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (const split of [data.train, data.validation]) {
    for (let i = 0; i < split.count; i++) {
      for (let f = 0; f < 2; f++) {
        lo[f] = Math.min(lo[f], split.x[2 * i + f]);
        hi[f] = Math.max(hi[f], split.x[2 * i + f]);
      }
    }
  }
  const pad = (f: number) => 0.1 * (hi[f] - lo[f] || 1);
  return [
    [lo[0] - pad(0), hi[0] + pad(0)],
    [lo[1] - pad(1), hi[1] + pad(1)],
  ];
}

/**
 * The best model's decision boundary on a 2-D data set: every cell of the plane coloured by
 * the class the model predicts there (shaded by its confidence) or by its regression output,
 * with the training points on top: the best trial's — live while a running trial is the best
 * (redrawn in place as its weights come, about twice a second), the kept model once it ended —
 * or the selected trial's. Predictions run the CPU engine's forward pass, a few grid rows per
 * task (about SLICE_MS each).
 */
@customElement('lab-decision-boundary')
export class LabDecisionBoundary extends LitElement {
  static override styles = [
    panelStyles,
    css`
      canvas { width: min(${SIZE}px, 100%); aspect-ratio: 1; height: auto; border: 1px solid var(--lab-border, #dde2e7); border-radius: 4px; image-rendering: auto; }
    `,
  ];

  @property({ attribute: false }) model?: TrainedModel;
  @property({ attribute: false }) data?: TrainingData;
  /** The model is the selected trial's (otherwise the best trial's). */
  @property({ type: Boolean }) selected = false;
  /** Said instead of a boundary while the selected trial's model is being trained again, or why it cannot be. */
  @property() pending?: string;
  /** The model is a running trial's weights at this step (a live best), not an ended trial's. */
  @property({ type: Number }) liveStep?: number;
  /** Said under the boundary (or instead of the empty card's hint), e.g. why there is no live view. */
  @property() note?: string;

  @query('canvas') private canvas?: HTMLCanvasElement;
  /** A draw is under way; `redraw`: draw again, with the newest properties, once it is done. */
  private drawing = false;
  private redraw = false;

  protected override render() {
    if (this.pending)
      return html`<h2>Decision boundary</h2><p class="hint" role="status" data-testid="boundary-pending">${this.pending}</p>`;
    if (!this.model || !this.data)
      return html`<h2>Decision boundary</h2><p class="hint">${this.note ?? "On a 2-D data set, the best trial's boundary appears here after its first reports and follows the best live while the study trains; select a trial to see its own."}</p>`;
    const what = this.data.task === 'classification' ? 'Decision boundary' : 'Prediction surface';
    const whose = `${this.selected ? 'the selected trial' : 'the best trial'} (#${this.model.trialId})`;
    const caption =
      this.liveStep === undefined
        ? this.note
        : `Best so far: trial #${this.model.trialId} at step ${this.liveStep} (live)`;
    return html`<h2>${what} of ${whose}</h2>
      <canvas data-testid="decision-boundary" width=${SIZE} height=${SIZE} role="img" aria-label="${what.toLowerCase()} of ${whose}"></canvas>
      ${caption ? html`<p class="hint" data-testid="boundary-caption">${caption}</p>` : ''}`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('model') || changed.has('data') || changed.has('pending')) void this.drawLatest();
  }

  /**
   * Draws the current model, then again while newer ones came meanwhile: a model that arrives
   * mid-draw (a live best, twice a second) waits for that draw instead of cancelling it, so
   * on a busy page a boundary is still completed and shown.
   */
  private async drawLatest(): Promise<void> {
    this.redraw = true;
    if (this.drawing) return;
    this.drawing = true;
    try {
      while (this.redraw) {
        this.redraw = false;
        if (this.model && this.data && this.canvas) await this.draw(this.model, this.data, this.canvas, this.liveStep);
      }
    } finally {
      this.drawing = false;
    }
  }

  /** Resolves once drawn; the canvas then names the trial (and the live step). */
  private async draw(
    model: TrainedModel,
    data: TrainingData,
    canvas: HTMLCanvasElement,
    liveStep: number | undefined,
  ): Promise<void> {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    delete canvas.dataset.drawn;
    const [[x0, x1], [y0, y1]] = extent(data);
    const grid = new Float32Array(CELLS * CELLS * 2);
    for (let r = 0; r < CELLS; r++) {
      for (let c = 0; c < CELLS; c++) {
        grid[2 * (r * CELLS + c)] = x0 + ((c + 0.5) / CELLS) * (x1 - x0);
        grid[2 * (r * CELLS + c) + 1] = y1 - ((r + 0.5) / CELLS) * (y1 - y0);
      }
    }
    const C = model.shape.outputs;
    const out = new Float32Array(CELLS * CELLS * C);
    let sliceEnd = 0;
    for (let r = 0; r < CELLS; r++) {
      if (performance.now() >= sliceEnd) {
        await ownTask();
        sliceEnd = performance.now() + SLICE_MS;
      }
      out.set(
        predict(
          model.shape,
          model.hiddenUnits,
          model.parameters,
          grid.subarray(2 * r * CELLS, 2 * (r + 1) * CELLS),
          CELLS,
          model.statistics,
        ),
        r * CELLS * C,
      );
    }
    const image = new ImageData(CELLS, CELLS);
    let lo = Infinity;
    let hi = -Infinity;
    if (data.task === 'regression')
      for (let i = 0; i < CELLS * CELLS; i++) [lo, hi] = [Math.min(lo, out[i * C]), Math.max(hi, out[i * C])];
    for (let i = 0; i < CELLS * CELLS; i++) {
      let rgb: readonly number[];
      let alpha = 0.55;
      if (data.task === 'classification') {
        let k = 0;
        for (let c = 1; c < C; c++) if (out[i * C + c] > out[i * C + k]) k = c;
        rgb = CLASS_COLORS[k % CLASS_COLORS.length];
        alpha = 0.15 + 0.6 * Math.max(0, (out[i * C + k] - 1 / C) / (1 - 1 / C));
      } else {
        rgb = rampRgb((out[i * C] - lo) / (hi - lo || 1));
      }
      image.data.set([rgb[0], rgb[1], rgb[2], Math.round(alpha * 255)], i * 4);
    }
    // Upscale the cells smoothly through an offscreen canvas, then draw the points.
    const cells = new OffscreenCanvas(CELLS, CELLS);
    cells.getContext('2d')?.putImageData(image, 0, 0);
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(cells, 0, 0, SIZE, SIZE);
    const split = data.train;
    for (let i = 0; i < split.count; i++) {
      const px = ((split.x[2 * i] - x0) / (x1 - x0)) * SIZE;
      const py = ((y1 - split.x[2 * i + 1]) / (y1 - y0)) * SIZE;
      const rgb = data.task === 'classification' ? CLASS_COLORS[split.y[i] % CLASS_COLORS.length] : [40, 40, 40];
      ctx.beginPath();
      ctx.arc(px, py, 2.6, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 0.8;
      ctx.fill();
      ctx.stroke();
    }
    canvas.dataset.drawn = String(model.trialId);
    if (liveStep === undefined) delete canvas.dataset.liveStep;
    else canvas.dataset.liveStep = String(liveStep);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-decision-boundary': LabDecisionBoundary;
  }
}
