import { css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { hasResult } from '../study/state.ts';
import { CanvasWidth, fitCanvas, themeColors } from './canvas-view.ts';
import { type Brushes, brushLabel, OBJECTIVE_AXIS, paramBrush, trialsInBrushes } from './parallel-brush.ts';
import { type LineGroup, LinePainter } from './parallel-lines.ts';
import { MANY_TRIALS, ResultView } from './result-view.ts';
import { formatValue, PARAM_LABELS, panelStyles } from './styles.ts';
import { LINE_ALPHA, lineColor, SELECTED_COLOR } from './trial-display.ts';
import { axisPosition, NOT_APPLICABLE, type Tick, unitTicks } from './unit-axis.ts';

const HEIGHT = 280;
const MARGIN = { top: 34, bottom: 16, left: 56, right: 64 };
/** A press within this many CSS pixels of an axis brushes it. */
const AXIS_REACH = 14;
/** Shades of the loss ramp the lines are drawn in (one path each). */
const COLOR_STEPS = 32;
/** The least room between two axis labels, in CSS pixels. */
const LABEL_SPACE = 8;

/** Where an axis label is drawn: the first from the left edge, the last to the right edge, the others centred on their axis. */
interface LabelAnchor {
  align: CanvasTextAlign;
  at: number;
}

/** The CSS pixels a label `w` wide spans from its anchor. */
function labelSpan({ align, at }: LabelAnchor, w: number): [number, number] {
  return align === 'left' ? [at, at + w] : align === 'right' ? [at - w, at] : [at - w / 2, at + w / 2];
}

/** `label`, cut short with "…" when it is wider than `room` CSS pixels in the context's font. */
function cutToFit(ctx: CanvasRenderingContext2D, label: string, room: number): string {
  if (ctx.measureText(label).width <= room) return label;
  const chars = [...label];
  for (let n = chars.length - 1; n > 0; n--) {
    const cut = `${chars.slice(0, n).join('').trimEnd()}…`;
    if (ctx.measureText(cut).width <= room) return cut;
  }
  return '…';
}

/**
 * The axis labels as drawn: one that would run into a neighbour's is cut to its share of the
 * row (up to halfway to each neighbouring axis), so many axes on a narrow screen stay
 * readable; the canvas names every axis in full (its title and aria-label).
 */
function fittedLabels(ctx: CanvasRenderingContext2D, labels: string[], anchors: LabelAnchor[], xs: number[]): string[] {
  const spans = labels.map((label, i) => labelSpan(anchors[i], ctx.measureText(label).width));
  const clash = (i: number, j: number) =>
    j >= 0 && j < labels.length && spans[i][1] + LABEL_SPACE > spans[j][0] && spans[j][1] + LABEL_SPACE > spans[i][0];
  return labels.map((label, i) => {
    if (!clash(i, i - 1) && !clash(i, i + 1)) return label;
    const half = (xs[1] - xs[0]) / 2 - LABEL_SPACE / 2;
    const { align, at } = anchors[i];
    const room = align === 'left' ? xs[i] + half - at : align === 'right' ? at - (xs[i] - half) : 2 * half;
    return cutToFit(ctx, label, room);
  });
}

interface Axis {
  name: string;
  label: string;
  ticks: Tick[];
  /** A trial's position on this axis in [0, 1] (0 at the bottom), NOT_APPLICABLE when it has no value here, NaN when its value is off the axis. */
  position: (t: TrialRecord) => number;
  /** Some trial has no value here: the axis shows the "n/a" slot below its low end. */
  missing?: boolean;
  /** A brush's stored range from unit positions on the axis, and back. */
  toBrush: (lo: number, hi: number) => [number, number];
  fromBrush: (range: readonly [number, number]) => [number, number];
}

/** The objective's axis: validation loss on a log scale over the results so far. */
function objectiveAxis(results: readonly TrialRecord[]): Axis {
  const logs = results.map((t) => Math.log10(t.objective));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const span = hi - lo || 1;
  const u = (loss: number) => (Math.log10(loss) - lo) / span;
  const loss = (u: number) => 10 ** (lo + u * span);
  return {
    name: OBJECTIVE_AXIS,
    label: 'validation loss',
    ticks: [0, 0.5, 1].map((v) => ({ u: v, label: formatValue(loss(v)) })),
    position: (t) => (hasResult(t) && t.objective > 0 ? u(t.objective) : Number.NaN),
    toBrush: (a, b) => [loss(a), loss(b)],
    fromBrush: ([a, b]) => [u(a), u(b)],
  };
}

/**
 * Parallel coordinates: one vertical axis per searched hyperparameter, each on its own scale,
 * and the objective; every trial with a result is a line across them, coloured by its loss
 * (the lower, the more it stands out from the card: dark on the light theme, bright on the dark). A trial without a value on an axis (a conditional hyperparameter it did not
 * use) meets it in an "n/a" slot below the axis. Dragging along an axis brushes a range on it
 * (a click clears it; reaching below the axis takes in the n/a slot): the table then lists
 * only the trials inside every brush and the loss curves fade the rest.
 *
 * @fires brush-change - detail `{ axis, range }` (range undefined: the axis' brush cleared).
 */
@customElement('lab-parallel-coords')
export class LabParallelCoords extends ResultView {
  static override styles = [
    panelStyles,
    css`
      .plot { position: relative; }
      /* Positioned, so that it paints over the lines' canvas (absolute) and its ticks' halos keep them readable. */
      canvas { position: relative; display: block; width: 100%; touch-action: none; cursor: crosshair; }
      canvas.lines { position: absolute; inset: 0; height: ${HEIGHT}px; pointer-events: none; }
      .brushes { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; min-height: 1.6rem; font-size: 0.8rem; }
      .brushes button { font-size: 0.75rem; padding: 0.1rem 0.5rem; }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  protected override manyTrials(): boolean {
    return this.trials.length > MANY_TRIALS;
  }
  @property({ attribute: false }) space: SpaceRow[] = [];
  @property({ attribute: false }) brushes: Brushes = {};
  @property({ type: Number }) bestTrialId?: number;
  @property({ type: Number }) selectedTrialId?: number;
  @property({ type: Number }) revision = 0;

  @query('canvas[data-testid=parallel-coords]') private canvas?: HTMLCanvasElement;
  /** Paints the lines on a canvas of its own, under the axes' canvas (a canvas handed to a worker is never handed back, so a new one comes with each painter). */
  private painter?: LinePainter;

  private get linePainter(): LinePainter {
    this.painter ??= new LinePainter();
    return this.painter;
  }
  private axes: Axis[] = [];
  private drag?: { axis: number; from: number; to: number };
  private readonly canvasWidth = new CanvasWidth(() => this.draw());

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.canvasWidth.disconnect();
    this.painter?.dispose();
    this.painter = undefined;
  }

  private get results(): TrialRecord[] {
    return this.trials.filter((t) => hasResult(t) && t.objective > 0);
  }

  protected override render() {
    const axes = [...this.space.filter((r) => r.enabled).map((r) => PARAM_LABELS[r.name] ?? r.name), 'validation loss'];
    const results = this.results;
    const brushed = Object.entries(this.brushes);
    return html`
      <h2>Parallel coordinates</h2>
      ${
        results.length < 2
          ? html`<p class="hint" data-testid="parallel-pending">Every trial with a validation loss becomes a line across one axis per searched hyperparameter (each on its own scale) and the loss; it appears once 2 trials have finished. Drag along an axis to keep only a range.</p>`
          : html`<div class="plot">${this.linePainter.canvas}<canvas data-testid="parallel-coords" role="img" aria-label="parallel coordinates of ${results.length} trials on the axes ${new Intl.ListFormat('en').format(axes)}"
              @pointerdown=${this.onDown} @pointermove=${this.onMove} @pointerup=${this.onUp} @pointercancel=${() => (this.drag = undefined)}></canvas></div>
            <div class="brushes" data-testid="brushes">
              ${
                brushed.length === 0
                  ? html`<span class="hint">Drag along an axis to keep only the trials in a range: the table lists them and the loss curves fade the rest.</span>`
                  : brushed.map(
                      ([name, [lo, hi]]) =>
                        html`<button data-testid="clear-brush" data-axis=${name} aria-label="clear the brush on ${PARAM_LABELS[name] ?? name}"
                          @click=${() => this.emit(name, undefined)}>${name === OBJECTIVE_AXIS ? 'validation loss' : (PARAM_LABELS[name] ?? name)}: ${brushLabel(
                            this.space.find((r) => r.name === name),
                            [lo, hi],
                          )} ✕</button>`,
                    )
              }
            </div>`
      }
    `;
  }

  private emit(axis: string, range: [number, number] | undefined): void {
    this.dispatchEvent(new CustomEvent('brush-change', { detail: { axis, range }, bubbles: true, composed: true }));
  }

  protected override updated(_changed: PropertyValues<this>): void {
    this.canvasWidth.follow(this.canvas);
    this.draw();
  }

  private xOf(i: number, width: number): number {
    const n = this.axes.length;
    return MARGIN.left + (n === 1 ? 0 : (i * (width - MARGIN.left - MARGIN.right)) / (n - 1));
  }

  /** The lowest unit position drawn: the n/a slot's when some axis has one, else the axes' low end. */
  private floor = 0;

  private yOf(u: number): number {
    return MARGIN.top + ((1 - u) / (1 - this.floor)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  }

  /** The unit position at a height on an axis: down to its n/a slot when it has one, else its low end. */
  private uOf(y: number, axis: Axis): number {
    const u = 1 - ((y - MARGIN.top) / (HEIGHT - MARGIN.top - MARGIN.bottom)) * (1 - this.floor);
    return Math.min(1, Math.max(axis.missing ? NOT_APPLICABLE : 0, u));
  }

  /** Each trial's position on every hyperparameter axis, kept while the space stays the same (a trial's values never change). */
  private positions = new WeakMap<TrialRecord['params'], number[]>();
  private positionsOf?: SpaceRow[];

  private paramPositions(t: TrialRecord): number[] {
    if (this.positionsOf !== this.space) {
      this.positions = new WeakMap();
      this.positionsOf = this.space;
    }
    let kept = this.positions.get(t.params);
    if (!kept) {
      kept = this.axes.slice(0, -1).map((axis) => axis.position(t));
      this.positions.set(t.params, kept);
    }
    return kept;
  }

  /** Lines and axes; a drag redraws only the axes (the lines stay). */
  private draw(): void {
    const canvas = this.canvas;
    if (!canvas || !this.canvasWidth.width) return;
    const results = this.results;
    this.axes = [
      ...this.space
        .filter((r) => r.enabled)
        .map(
          (row): Axis => ({
            name: row.name,
            label: PARAM_LABELS[row.name] ?? row.name,
            ticks: unitTicks(row.distribution),
            position: (t) => axisPosition(row, t),
            toBrush: paramBrush,
            fromBrush: ([a, b]) => [a, b],
          }),
        ),
      objectiveAxis(results),
    ];
    this.axes.slice(0, -1).forEach((axis, i) => {
      axis.missing = results.some((t) => this.paramPositions(t)[i] === NOT_APPLICABLE);
    });
    const brushedBelow = Object.values(this.brushes).some(([lo]) => lo === NOT_APPLICABLE);
    this.floor = brushedBelow || this.axes.some((a) => a.missing) ? NOT_APPLICABLE : 0;
    const inside = trialsInBrushes(results, this.space, this.brushes);
    this.paintLines(results, inside, themeColors(this).dark);
    this.drawAxes();
    canvas.dataset.lines = String(results.length);
    canvas.dataset.inside = String(results.filter((t) => inside.has(t.id)).length);
  }

  /**
   * Every trial's line, off the page's thread (parallel-lines.ts): faded ones first, then
   * the kept ones in COLOR_STEPS shades of their loss, worst first, the best and the
   * selected on top.
   */
  private paintLines(results: readonly TrialRecord[], inside: ReadonlySet<number>, dark: boolean): void {
    const objective = this.axes[this.axes.length - 1];
    const group = (trials: readonly TrialRecord[], style: string, lineWidth: number): LineGroup => {
      const ys = new Float32Array(trials.length * this.axes.length);
      trials.forEach((t, k) => {
        const at = k * this.axes.length;
        this.paramPositions(t).forEach((u, i) => (ys[at + i] = this.yOf(Number.isFinite(u) ? u : 0)));
        ys[at + this.axes.length - 1] = this.yOf(objective.position(t));
      });
      return { style, lineWidth, ys };
    };
    const shades: TrialRecord[][] = Array.from({ length: COLOR_STEPS }, () => []);
    const marked = new Set([this.bestTrialId, this.selectedTrialId]);
    for (const t of results)
      if (inside.has(t.id) && !marked.has(t.id)) shades[Math.round(objective.position(t) * (COLOR_STEPS - 1))].push(t);
    const best = results.filter((t) => t.id === this.bestTrialId && t.id !== this.selectedTrialId && inside.has(t.id));
    const width = this.canvasWidth.width;
    this.linePainter.paint({
      width,
      height: HEIGHT,
      ratio: window.devicePixelRatio || 1,
      xs: this.axes.map((_, i) => this.xOf(i, width)),
      groups: [
        group(
          results.filter((t) => !inside.has(t.id)),
          'rgba(140,150,160,0.18)',
          1,
        ),
        ...shades.map((trials, k) => group(trials, lineColor(k / (COLOR_STEPS - 1), LINE_ALPHA, dark), 1.3)).reverse(),
        ...best.map((t) => group([t], lineColor(objective.position(t), LINE_ALPHA, dark), 3)),
        group(
          results.filter((t) => t.id === this.selectedTrialId),
          SELECTED_COLOR,
          3,
        ),
      ],
    });
  }

  /** The axes, their ticks and labels and the brushes, over the lines. */
  private drawAxes(): void {
    const canvas = this.canvas;
    if (!canvas) return;
    const width = this.canvasWidth.width;
    const ctx = fitCanvas(canvas, width, HEIGHT);
    if (!ctx) return;
    const colors = themeColors(this);
    ctx.font = '11px system-ui, sans-serif';
    const xs = this.axes.map((_, i) => this.xOf(i, width));
    const anchors = xs.map(
      (x, i): LabelAnchor =>
        i === 0
          ? { align: 'left', at: 4 }
          : i === xs.length - 1
            ? { align: 'right', at: width - 4 }
            : { align: 'center', at: x },
    );
    const full = this.axes.map((axis) => axis.label);
    const labels = fittedLabels(ctx, full, anchors, xs);
    if (labels.some((label, i) => label !== full[i])) canvas.title = `Axes, left to right: ${full.join(', ')}`;
    else canvas.removeAttribute('title');
    this.axes.forEach((axis, i) => {
      const x = xs[i];
      ctx.strokeStyle = colors.muted;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, this.yOf(0));
      ctx.lineTo(x, this.yOf(1));
      ctx.stroke();
      const range = this.dragRange(i) ?? (this.brushes[axis.name] && axis.fromBrush(this.brushes[axis.name]));
      if (range) {
        ctx.fillStyle = 'rgba(69,123,157,0.25)';
        ctx.strokeStyle = '#457b9d';
        const [top, bottom] = [this.yOf(Math.max(...range)), this.yOf(Math.min(...range))];
        ctx.fillRect(x - 7, top, 14, bottom - top);
        ctx.strokeRect(x - 7, top, 14, bottom - top);
      }
      ctx.fillStyle = colors.ink;
      ctx.textAlign = anchors[i].align;
      ctx.fillText(labels[i], anchors[i].at, 14);
      ctx.fillStyle = colors.muted;
      ctx.textAlign = 'right';
      // A halo in the card's colour keeps a tick readable over the lines.
      ctx.strokeStyle = colors.surface;
      ctx.lineWidth = 3;
      const ticks = axis.missing ? [...axis.ticks, { u: NOT_APPLICABLE, label: 'n/a' }] : axis.ticks;
      for (const tick of ticks) {
        ctx.strokeText(tick.label, x - 4, this.yOf(tick.u) + 4);
        ctx.fillText(tick.label, x - 4, this.yOf(tick.u) + 4);
      }
      if (axis.missing) {
        // The n/a slot: a short mark apart from the axis, so its lines do not read as the low end.
        ctx.strokeStyle = colors.muted;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x - 3, this.yOf(NOT_APPLICABLE));
        ctx.lineTo(x + 3, this.yOf(NOT_APPLICABLE));
        ctx.stroke();
      }
    });
  }

  private dragRange(axis: number): [number, number] | undefined {
    return this.drag?.axis === axis ? [this.drag.from, this.drag.to] : undefined;
  }

  private readonly onDown = (e: PointerEvent) => {
    const canvas = this.canvas!;
    const rect = canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const axis = this.axes.findIndex((_, i) => Math.abs(this.xOf(i, this.canvasWidth.width) - x) <= AXIS_REACH);
    if (axis < 0) return;
    const u = this.uOf(e.clientY - rect.top, this.axes[axis]);
    this.drag = { axis, from: u, to: u };
    canvas.setPointerCapture(e.pointerId);
  };

  private readonly onMove = (e: PointerEvent) => {
    if (!this.drag) return;
    this.drag.to = this.uOf(e.clientY - this.canvas!.getBoundingClientRect().top, this.axes[this.drag.axis]);
    this.drawAxes();
  };

  private readonly onUp = () => {
    const drag = this.drag;
    this.drag = undefined;
    if (!drag) return;
    const axis = this.axes[drag.axis];
    const [lo, hi] = [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)];
    // A press without a drag clears the axis' brush.
    this.emit(axis.name, hi - lo < 0.01 ? undefined : axis.toBrush(lo, hi));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-parallel-coords': LabParallelCoords;
  }
}
