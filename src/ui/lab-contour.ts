import { css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { hasResult, type StudyState } from '../study/state.ts';
import { CanvasWidth, fitCanvas, themeColors } from './canvas-view.ts';
import { kernelSurface } from './contour-surface.ts';
import { KEYBOARD_HINT, pickByKeyboard } from './keyboard-pick.ts';
import { circleSprite, drawPointCloud } from './point-cloud.ts';
import { MANY_TRIALS, ResultView } from './result-view.ts';
import { formatValue, PARAM_LABELS, panelStyles } from './styles.ts';
import { inOwnTask } from './task-queue.ts';
import { rampRgb, SELECTED_COLOR, STATE_COLORS, selectTrial, trialSummary } from './trial-display.ts';
import { unitPosition, unitTicks } from './unit-axis.ts';

const HEIGHT = 320;
const MARGIN = { top: 10, right: 12, bottom: 40, left: 60 };
const CELLS = 48;
const POINT_DIAMETER = 7;
/** Within this many CSS pixels a click or hover picks a trial's point. */
const REACH_PX = 9;

/**
 * The objective over two chosen hyperparameters, each on its own scale: a heat map of the
 * validation loss (kernel regression over the trials, see contour-surface.ts; dark = low,
 * faint where no trial is near) with the trials on top (best ringed, selected red). Hovering
 * a point names its trial; clicking selects it.
 */
@customElement('lab-contour')
export class LabContour extends ResultView {
  static override styles = [
    panelStyles,
    css`
      canvas { display: block; width: 100%; cursor: crosshair; }
      .controls { display: flex; gap: 1rem; flex-wrap: wrap; margin-bottom: 0.3rem; }
      .hover { min-height: 1.3rem; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  protected override manyTrials(): boolean {
    return this.trials.length > MANY_TRIALS;
  }
  @property({ attribute: false }) space: SpaceRow[] = [];
  /** Picks the two most important hyperparameters as the default axes. */
  @property({ attribute: false }) importance?: StudyState['importance'];
  @property({ type: Number }) bestTrialId?: number;
  @property({ type: Number }) selectedTrialId?: number;
  @property({ type: Number }) revision = 0;

  @state() private xName?: string;
  @state() private yName?: string;
  @state() private hovered?: TrialRecord;
  @query('canvas') private canvas?: HTMLCanvasElement;
  private readonly canvasWidth = new CanvasWidth(() => this.draw());
  /** Points as drawn (CSS pixels), for hover and click. */
  private drawn: Array<{ trial: TrialRecord; px: number; py: number }> = [];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.canvasWidth.disconnect();
  }

  /** The chosen axes, or the two most important searched hyperparameters (the first two before importance is known). */
  private axes(): [SpaceRow, SpaceRow] | undefined {
    const searched = this.space.filter((r) => r.enabled);
    if (searched.length < 2) return undefined;
    const shares = this.importance?.shares ?? {};
    const ranked = [...searched].sort((a, b) => (shares[b.name] ?? 0) - (shares[a.name] ?? 0));
    const x = searched.find((r) => r.name === this.xName) ?? ranked[0];
    const y = searched.find((r) => r.name === this.yName && r !== x) ?? ranked.find((r) => r !== x)!;
    return [x, y];
  }

  protected override render() {
    const axes = this.axes();
    if (!axes)
      return html`<h2>Contour</h2><p class="hint" data-testid="contour-pending">A heat map of the validation loss over two searched hyperparameters, each on its own scale; this study searches fewer than two.</p>`;
    const results = this.trials.filter((t) => hasResult(t) && t.objective > 0);
    const searched = this.space.filter((r) => r.enabled);
    const choose = (which: 'x' | 'y', current: SpaceRow) =>
      html`<label class="inline">${which} axis
        <select data-testid="contour-${which}" @change=${(e: Event) => {
          const name = (e.target as HTMLSelectElement).value;
          if (which === 'x') this.xName = name;
          else this.yName = name;
        }}>
          ${searched.map((r) => html`<option value=${r.name} .selected=${r === current}>${PARAM_LABELS[r.name] ?? r.name}</option>`)}
        </select></label>`;
    return html`<h2>Validation loss over two hyperparameters</h2>
      <div class="controls">${choose('x', axes[0])}${choose('y', axes[1])}</div>
      ${
        results.length < 3
          ? html`<p class="hint" data-testid="contour-pending">The heat map appears once 3 trials have a validation loss (${results.length} so far).</p>`
          : html`<canvas data-testid="contour" role="img" tabindex="0"
              aria-label="validation loss over ${PARAM_LABELS[axes[0].name] ?? axes[0].name} and ${PARAM_LABELS[axes[1].name] ?? axes[1].name}, ${results.length} trials; ${KEYBOARD_HINT}"
              @keydown=${(e: KeyboardEvent) =>
                pickByKeyboard(
                  e,
                  this,
                  this.drawn.map((d) => d.trial),
                  this.hovered,
                  (t) => (this.hovered = t),
                )}
              @pointermove=${(e: PointerEvent) => (this.hovered = this.pick(e))}
              @pointerleave=${() => (this.hovered = undefined)}
              @click=${(e: MouseEvent) => {
                const t = this.pick(e);
                if (t) selectTrial(this, t.id);
              }}></canvas>
            <div class="hover" data-testid="contour-hover" aria-live="polite">${
              this.hovered
                ? trialSummary(this.hovered, this.space)
                : html`<span class="hint">Dark is low loss; faint where no trial is near. Hover a point to name its trial; click to select it.</span>`
            }</div>`
      }`;
  }

  private pick(e: MouseEvent): TrialRecord | undefined {
    const rect = this.canvas?.getBoundingClientRect();
    if (!rect) return undefined;
    let best: TrialRecord | undefined;
    let bestDistance = REACH_PX;
    for (const { trial, px, py } of this.drawn) {
      const d = Math.hypot(px - (e.clientX - rect.left), py - (e.clientY - rect.top));
      if (d <= bestDistance) [best, bestDistance] = [trial, d];
    }
    return best;
  }

  protected override updated(): void {
    this.canvasWidth.follow(this.canvas);
    this.draw();
  }

  /** Each trial's unit positions on the two axes, kept while the axes stay the same rows (a trial's values never change). */
  private positions = new WeakMap<TrialRecord['params'], [number, number]>();
  private positionsOf: SpaceRow[] = [];

  private positionOf(t: TrialRecord, xRow: SpaceRow, yRow: SpaceRow): [number, number] {
    if (this.positionsOf[0] !== xRow || this.positionsOf[1] !== yRow) {
      this.positions = new WeakMap();
      this.positionsOf = [xRow, yRow];
    }
    let kept = this.positions.get(t.params);
    if (!kept) {
      kept = [unitPosition(xRow, t), unitPosition(yRow, t)];
      this.positions.set(t.params, kept);
    }
    return kept;
  }

  /** The points and the heat map's cells of the trials and axes drawn last: a redraw for a hover or a resize reuses them. */
  private surface?: {
    of: { trials: TrialRecord[]; revision: number; x: SpaceRow; y: SpaceRow };
    points: Array<{ trial: TrialRecord; x: number; y: number; value: number }>;
    cells: OffscreenCanvas;
    lo: number;
    hi: number;
  };

  /**
   * Draws the contour. New trials or axes first recompute the points and the surface, then
   * paint in a task of their own: with 10,000 trials the two took one task past 50 ms.
   */
  private draw(): void {
    const axes = this.axes();
    if (!axes) return;
    const of = { trials: this.trials, revision: this.revision, x: axes[0], y: axes[1] };
    const kept = this.surface?.of;
    if (kept && kept.trials === of.trials && kept.revision === of.revision && kept.x === of.x && kept.y === of.y) {
      this.paint();
      return;
    }
    const points = this.trials
      .filter((t) => hasResult(t) && t.objective > 0)
      .map((t) => {
        const [x, y] = this.positionOf(t, of.x, of.y);
        return { trial: t, x, y, value: Math.log10(t.objective) };
      })
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    const { value, weight } = kernelSurface(points, CELLS);
    let [lo, hi] = [Infinity, -Infinity];
    for (const p of points) [lo, hi] = [Math.min(lo, p.value), Math.max(hi, p.value)];
    const image = new ImageData(CELLS, CELLS);
    for (let i = 0; i < CELLS * CELLS; i++) {
      const [r, g, b] = rampRgb((value[i] - lo) / (hi - lo || 1));
      // Support: a cell with less than one trial's worth of kernel weight fades out.
      image.data.set([r, g, b, Math.round(255 * Math.min(0.85, 0.15 + 0.7 * Math.min(1, weight[i])))], i * 4);
    }
    const cells = new OffscreenCanvas(CELLS, CELLS);
    cells.getContext('2d')?.putImageData(image, 0, 0);
    this.surface = { of, points, cells, lo, hi };
    inOwnTask(() => this.paint());
  }

  /** Paints the surface drawn last, its axes and its trials' points. */
  private paint(): void {
    const canvas = this.canvas;
    const width = this.canvasWidth.width;
    const surface = this.surface;
    if (!canvas || !width || !surface) return;
    const { points, cells, lo, hi } = surface;
    const { x: xRow, y: yRow } = surface.of;
    const ctx = fitCanvas(canvas, width, HEIGHT);
    if (!ctx) return;
    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(cells, MARGIN.left, MARGIN.top, plotW, plotH);
    const px = (u: number) => MARGIN.left + u * plotW;
    const py = (u: number) => MARGIN.top + (1 - u) * plotH;
    const colors = themeColors(this);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = colors.muted;
    ctx.textAlign = 'center';
    for (const tick of unitTicks(xRow.distribution)) ctx.fillText(tick.label, px(tick.u), HEIGHT - MARGIN.bottom + 14);
    ctx.textAlign = 'right';
    for (const tick of unitTicks(yRow.distribution)) ctx.fillText(tick.label, MARGIN.left - 5, py(tick.u) + 4);
    ctx.fillStyle = colors.ink;
    ctx.textAlign = 'center';
    ctx.fillText(PARAM_LABELS[xRow.name] ?? xRow.name, MARGIN.left + plotW / 2, HEIGHT - 6);
    ctx.save();
    ctx.translate(12, MARGIN.top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(PARAM_LABELS[yRow.name] ?? yRow.name, 0, 0);
    ctx.restore();
    ctx.strokeStyle = colors.grid;
    ctx.strokeRect(MARGIN.left, MARGIN.top, plotW, plotH);
    this.drawn = points.map((p) => ({ trial: p.trial, px: px(p.x), py: py(p.y) }));
    // Every trial's point in one image per state (see point-cloud.ts); the marked ones on top.
    const ratio = ctx.getTransform().a;
    const reach = POINT_DIAMETER + 2;
    const box = {
      left: (MARGIN.left - reach) * ratio,
      top: (MARGIN.top - reach) * ratio,
      width: (plotW + 2 * reach) * ratio,
      height: (plotH + 2 * reach) * ratio,
    };
    const states = [...new Set(this.drawn.map((d) => d.trial.state))];
    drawPointCloud(
      ctx,
      box,
      states.map((state) => {
        const shown = this.drawn.filter((d) => d.trial.state === state);
        return {
          xs: shown.map((d) => d.px * ratio),
          ys: shown.map((d) => d.py * ratio),
          sprite: circleSprite(POINT_DIAMETER * ratio, STATE_COLORS[state], '#fff', 1.2 * ratio),
        };
      }),
    );
    const ring = (x: number, y: number, radius: number, color: string, width: number) => {
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.stroke();
    };
    for (const { trial, px: x, py: y } of this.drawn) {
      if (trial.id === this.selectedTrialId) {
        ctx.beginPath();
        ctx.arc(x, y, 6, 0, 2 * Math.PI);
        ctx.fillStyle = SELECTED_COLOR;
        ctx.fill();
        ring(x, y, 6, '#fff', 1.2);
      }
      if (trial === this.hovered) ring(x, y, 11, '#457b9d', 2);
      if (trial.id === this.bestTrialId) ring(x, y, 8, colors.ink, 1.5);
    }
    canvas.dataset.points = String(points.length);
    canvas.dataset.axes = `${xRow.name},${yRow.name}`;
    canvas.dataset.range = `${formatValue(10 ** lo)}–${formatValue(10 ** hi)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-contour': LabContour;
  }
}
