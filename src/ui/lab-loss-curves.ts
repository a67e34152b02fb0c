import { css, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { themeColors } from './canvas-view.ts';
import { KEYBOARD_HINT, pickByKeyboard } from './keyboard-pick.ts';
import './lab-uplot.ts';
import { type LabUplot, WHOLE_NUMBER_INCRS } from './lab-uplot.ts';
import { MANY_TRIALS, ResultView } from './result-view.ts';
import { PARAM_LABELS, panelStyles } from './styles.ts';
import {
  bestFinished,
  lineColor,
  SELECTED_COLOR,
  STATE_COLORS,
  selectTrial,
  trialSummary,
  unitOf,
} from './trial-display.ts';

/**
 * Curves drawn one by one at most. A larger study draws the best finished BEST_DRAWN, the
 * latest running ones up to the cap and the selected trial, and every trial's validation loss
 * as a band (10th to 90th percentile at each step): a chart of 10,000 series neither draws
 * in a frame nor reads.
 */
export const CURVE_CAP = 256;
const BEST_DRAWN = 64;
const BAND = [0.1, 0.9] as const;

const plotted = (y: number) => (Number.isFinite(y) && y > 0 ? y : null);

/**
 * uPlot draws no line through a lone point, so a curve with one report in view (a study whose
 * steps end before its first report interval) shows its point instead of nothing.
 */
const lonePoint = (u: uPlot, seriesIdx: number, idx0: number, idx1: number): boolean => {
  const ys = u.data[seriesIdx];
  let seen = 0;
  for (let i = idx0; i <= idx1; i++) if (ys[i] != null && ++seen > 1) return false;
  return seen === 1;
};

/** Every step any trial reported, ascending. */
function stepsOf(trials: readonly TrialRecord[]): number[] {
  const steps = new Set<number>();
  for (const t of trials) for (const s of t.curve.step) steps.add(s);
  return [...steps].sort((a, b) => a - b);
}

/** One column per trial over `steps` (null where it has no point). */
function alignCurves(
  steps: readonly number[],
  trials: readonly TrialRecord[],
  pick: (t: TrialRecord) => number[],
): (number | null)[][] {
  const index = new Map(steps.map((s, i) => [s, i]));
  return trials.map((t) => {
    const ys: (number | null)[] = new Array(steps.length).fill(null);
    const values = pick(t);
    t.curve.step.forEach((s, k) => (ys[index.get(s)!] = plotted(values[k])));
    return ys;
  });
}

/** The BAND percentiles of every trial's validation loss at each step: [low column, high column]. */
function lossBand(steps: readonly number[], trials: readonly TrialRecord[]): [(number | null)[], (number | null)[]] {
  const index = new Map(steps.map((s, i) => [s, i]));
  const at: number[][] = steps.map(() => []);
  for (const { curve } of trials)
    for (let k = 0; k < curve.step.length; k++) {
      const y = curve.validationLoss[k];
      if (Number.isFinite(y) && y > 0) at[index.get(curve.step[k])!].push(y);
    }
  // Typed arrays sort numbers natively, several times faster than Array#sort with a comparator.
  const sorted = at.map((ys) => Float64Array.from(ys).sort());
  const quantile = (q: number) => sorted.map((ys) => (ys.length < 2 ? null : ys[Math.round(q * (ys.length - 1))]));
  return [quantile(BAND[0]), quantile(BAND[1])];
}

/** A trial's validation loss at `step`, when its curve kept that point. */
function lossAt(t: TrialRecord, step: number): number | null {
  const k = t.curve.step.indexOf(step);
  return k < 0 ? null : plotted(t.curve.validationLoss[k]);
}

/**
 * Population-based training's copies among the drawn trials: at `step` trial `copier`'s model
 * became a copy of a trial whose validation loss then was `to` (its own was `from`).
 */
function jumpsOf(drawn: readonly TrialRecord[], trials: readonly TrialRecord[]) {
  const copiers = drawn.filter((t) => t.lineage?.length);
  if (copiers.length === 0) return [];
  const byId = new Map(trials.map((t) => [t.id, t]));
  return copiers.flatMap((copier) =>
    (copier.lineage ?? []).flatMap(({ step, from: donor }) => {
      const from = lossAt(copier, step);
      const donorTrial = byId.get(donor);
      const to = donorTrial ? lossAt(donorTrial, step) : null;
      return from === null || to === null ? [] : [{ copier, step, from, to }];
    }),
  );
}

/** The mark of a PBT copy on the loss curves: a segment from the copier's loss to its donor's, ending in a dot. */
const JUMP_COLOR = '#1d3557';

/** The trials drawn as curves (see CURVE_CAP), in planning order. */
function drawnTrials(trials: readonly TrialRecord[], selectedId: number | undefined): readonly TrialRecord[] {
  if (trials.length <= CURVE_CAP) return trials;
  const best = bestFinished(trials, BEST_DRAWN);
  const running = trials.filter((t) => t.state === 'RUNNING').slice(-(CURVE_CAP - best.length));
  const drawn = new Set([...best, ...running, ...trials.filter((t) => t.id === selectedId)]);
  return trials.filter((t) => drawn.has(t));
}

/**
 * Loss curves of every trial, live: validation (solid) and training (thin, dashed) loss,
 * coloured by a chosen hyperparameter on its own scale, the best trial drawn thick,
 * diverged trials red and pruned ones dotted; hovering a curve shows its trial's parameters,
 * clicking it selects the trial. The selected trial's curve is drawn red and thick; trials
 * outside the parallel coordinates' brushes are faded. Under population-based training a
 * vertical segment marks each copy: from the copier's loss to its donor's at that step.
 */
@customElement('lab-loss-curves')
export class LabLossCurves extends ResultView {
  static override styles = [
    panelStyles,
    css`
      .controls { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin-bottom: 0.3rem; }
      .hover { min-height: 1.3rem; font-size: 0.8rem; color: var(--lab-ink, #333a42); font-variant-numeric: tabular-nums; }
      .key { font-size: 0.75rem; color: var(--lab-muted, #5b6570); }
      .swatch { display: inline-block; width: 1.4rem; height: 0; border-top: 2px solid; vertical-align: middle; margin: 0 0.2rem 0 0.6rem; }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  protected override manyTrials(): boolean {
    return this.trials.length > MANY_TRIALS;
  }
  @property({ attribute: false }) space: SpaceRow[] = [];
  @property({ type: Number }) bestTrialId?: number;
  @property({ type: Number }) selectedTrialId?: number;
  /** Trials the parallel coordinates' brushes leave out (faded). */
  @property({ attribute: false }) dimmed?: ReadonlySet<number>;
  /** Bumped by the root whenever the trials changed (they are mutated in place). */
  @property({ type: Number }) revision = 0;

  @state() private colorBy = 'learningRate';
  @state() private logY = true;
  @state() private showTrain = true;
  @state() private hovered?: TrialRecord;

  @query('lab-uplot') private chart?: LabUplot;
  private optionsKey = '';
  private styleKey = '';
  /** The card is dark (read at each render): the curves take the ramp's bright half (lineColor). */
  private dark = false;
  private options?: Omit<uPlot.Options, 'width' | 'height'>;
  /** The trials behind the options' series, in series order: what a restyle styles (the trials may have moved on since). */
  private optionSeries: Array<{ trial: TrialRecord; train: boolean }> = [];

  /** How a trial's curve is drawn: its colour on the chosen scale, or its state's when it stopped early; thick when best. */
  private styleOf(
    t: TrialRecord,
    train: boolean,
    colorRow: SpaceRow | undefined,
  ): Pick<uPlot.Series, 'stroke' | 'width' | 'dash'> {
    const marked = t.state === 'DIVERGED' || t.state === 'PRUNED' || t.state === 'FAILED' || t.state === 'STOPPED';
    const selected = t.id === this.selectedTrialId;
    const faded = !selected && this.dimmed?.has(t.id);
    const color = selected
      ? SELECTED_COLOR
      : faded
        ? 'rgba(140,150,160,0.12)'
        : marked
          ? STATE_COLORS[t.state]
          : lineColor(unitOf(colorRow, t), train ? 0.45 : 0.9, this.dark);
    return {
      stroke: () => color,
      width: selected ? 3 : t.id === this.bestTrialId ? 3.5 : train ? 1 : 1.6,
      dash: train
        ? [5, 4]
        : t.state === 'PRUNED' || t.state === 'STOPPED'
          ? [2, 3]
          : t.state === 'DIVERGED'
            ? [8, 3, 2, 3]
            : [],
    };
  }

  /** Series in chart order: every drawn trial's validation curve, then (optionally) its training curve. */
  private seriesTrials(drawn: readonly TrialRecord[]): Array<{ trial: TrialRecord; train: boolean }> {
    const validation = drawn.map((trial) => ({ trial, train: false }));
    return this.showTrain ? [...validation, ...drawn.map((trial) => ({ trial, train: true }))] : validation;
  }

  private drawnOf?: {
    trials: readonly TrialRecord[];
    revision: number;
    selected?: number;
    drawn: readonly TrialRecord[];
  };

  /** The trials drawn as curves now: all of them up to CURVE_CAP (kept while the trials, their revision and the selection stay: each chart draw asks). */
  private get drawn(): readonly TrialRecord[] {
    const kept = this.drawnOf;
    if (kept?.trials === this.trials && kept.revision === this.revision && kept.selected === this.selectedTrialId)
      return kept.drawn;
    const drawn = drawnTrials(this.trials, this.selectedTrialId);
    this.drawnOf = { trials: this.trials, revision: this.revision, selected: this.selectedTrialId, drawn };
    return drawn;
  }

  /** Whether the study is past CURVE_CAP (then a band stands for every trial). */
  private get banded(): boolean {
    return this.trials.length > CURVE_CAP;
  }

  /**
   * A new chart only when its series or axes change (trials planned, colouring, log axis);
   * states and the best trial restyle the live chart (see updated), which costs far less.
   */
  private currentOptions(colorRow: SpaceRow | undefined) {
    const drawn = this.drawn;
    const key = JSON.stringify([
      drawn.map((t) => t.id),
      this.colorBy,
      this.logY,
      this.showTrain,
      colorRow?.distribution,
      this.dark,
    ]);
    if (key === this.optionsKey && this.options) return this.options;
    this.optionsKey = key;
    this.optionSeries = this.seriesTrials(drawn);
    const band = this.banded ? this.optionSeries.length + 1 : -1;
    this.options = {
      series: [
        { label: 'step' },
        ...this.optionSeries.map(({ trial, train }) => ({
          label: `${train ? 'train' : 'validation'} #${trial.id}`,
          points: { show: lonePoint },
          spanGaps: false,
          ...this.styleOf(trial, train, colorRow),
        })),
        ...(band > 0
          ? [
              {
                label: 'every trial: 10th percentile',
                stroke: 'rgba(110,120,130,0.5)',
                width: 1,
                points: { show: false },
              },
              {
                label: 'every trial: 90th percentile',
                stroke: 'rgba(110,120,130,0.5)',
                width: 1,
                points: { show: false },
              },
            ]
          : []),
      ],
      ...(band > 0
        ? { bands: [{ series: [band + 1, band] as [number, number], fill: 'rgba(110,120,130,0.15)' }] }
        : {}),
      legend: { show: false },
      // Steps from 0 where every report is at one step (uPlot pads 10 out to 0–20, steps never run).
      scales: {
        x: {
          time: false,
          range: (u, min, max) => (u.data[0].length === 1 ? [0, Math.max(u.data[0][0], 1)] : [min, max]),
        },
        y: { distr: this.logY ? 3 : 1 },
      },
      axes: [
        { label: 'step', incrs: WHOLE_NUMBER_INCRS },
        { label: 'loss', size: 60 },
      ],
      cursor: { focus: { prox: 24 }, points: { show: false } },
      focus: { alpha: 0.25 },
      hooks: {
        draw: [(u: uPlot) => this.drawJumps(u)],
        setSeries: [
          (_u: uPlot, index: number | null) => {
            this.hovered = index === null || index === 0 ? undefined : drawn[(index - 1) % drawn.length];
          },
        ],
      },
    };
    return this.options;
  }

  protected override updated(): void {
    this.restyle(true);
  }

  /** Where a curve was replaced by its donor's (PBT): the segment from its loss to the donor's at that step, over the curves. */
  private drawJumps(u: uPlot): void {
    const jumps = jumpsOf(this.drawn, this.trials).filter(({ copier }) => !this.dimmed?.has(copier.id));
    if (jumps.length === 0) return;
    const { ctx, bbox } = u;
    const px = devicePixelRatio;
    ctx.save();
    ctx.beginPath();
    ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
    ctx.clip();
    ctx.strokeStyle = ctx.fillStyle = JUMP_COLOR;
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([]);
    for (const { step, from, to } of jumps) {
      const x = u.valToPos(step, 'x', true);
      const y = u.valToPos(to, 'y', true);
      ctx.beginPath();
      ctx.moveTo(x, u.valToPos(from, 'y', true));
      ctx.lineTo(x, y);
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x, y, 2.5 * px, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();
  }

  /**
   * States and the best trial restyle the live chart; a chart still being built restyles
   * once built (chart-built), before its first draw, so without a redraw.
   */
  private restyle(redraw: boolean): void {
    const plot = this.chart?.plot;
    if (!plot) return;
    const colorRow = this.colorRow;
    const series = this.optionSeries;
    // A chart built (chart-built) while newer trials wait for the next render is styled as built.
    if (plot.series.length !== series.length + 1 + (this.banded ? 2 : 0)) return;
    const key = JSON.stringify([
      this.optionsKey,
      series.map(({ trial }) => trial.state),
      this.bestTrialId,
      this.selectedTrialId,
      this.dimmed ? [...this.dimmed] : null,
    ]);
    if (key === this.styleKey) return;
    this.styleKey = key;
    series.forEach(({ trial, train }, i) => {
      Object.assign(plot.series[i + 1], this.styleOf(trial, train, colorRow));
    });
    if (redraw) this.chart?.redraw();
  }

  /** Names a trial from the keyboard and brings its validation curve forward, as hovering it does. */
  private focusCurve(trial: TrialRecord | undefined): void {
    this.hovered = trial;
    const index = trial ? this.optionSeries.findIndex((s) => s.trial === trial && !s.train) : -1;
    this.chart?.plot?.setSeries(index >= 0 ? index + 1 : null, { focus: index >= 0 });
  }

  private get colorRow(): SpaceRow | undefined {
    return this.space.find((r) => r.name === this.colorBy) ?? this.space.find((r) => r.enabled);
  }

  protected override render() {
    const searched = this.space.filter((r) => r.enabled);
    const colorRow = this.colorRow;
    this.dark = themeColors(this).dark;
    const options = this.currentOptions(colorRow);
    const drawn = this.drawn;
    const steps = stepsOf(this.trials);
    const data = [
      steps,
      ...alignCurves(steps, drawn, (t) => t.curve.validationLoss),
      ...(this.showTrain ? alignCurves(steps, drawn, (t) => t.curve.trainLoss) : []),
      ...(this.banded ? lossBand(steps, this.trials) : []),
    ] as uPlot.AlignedData;
    const h = this.hovered;
    const jumps = jumpsOf(drawn, this.trials).length;
    return html`
      <h2>Loss curves</h2>
      <div class="controls">
        <label class="inline">colour by
          <select data-testid="color-by" @change=${(e: Event) => (this.colorBy = (e.target as HTMLSelectElement).value)}>
            ${(searched.length ? searched : this.space).map((r) => html`<option value=${r.name} .selected=${r.name === colorRow?.name}>${PARAM_LABELS[r.name] ?? r.name}</option>`)}
          </select>
        </label>
        <label class="inline"><input type="checkbox" data-testid="log-y" .checked=${this.logY} @change=${(e: Event) => (this.logY = (e.target as HTMLInputElement).checked)} /> log loss axis</label>
        <label class="inline"><input type="checkbox" .checked=${this.showTrain} @change=${(e: Event) => (this.showTrain = (e.target as HTMLInputElement).checked)} /> training loss</label>
        <span class="key">
          low <span class="swatch" style="border-color:${lineColor(0, 1, this.dark)}"></span>…<span class="swatch" style="border-color:${lineColor(1, 1, this.dark)}"></span> high
          <span class="swatch" style="border-color:${STATE_COLORS.DIVERGED};border-top-style:dashed"></span>diverged
          <span class="swatch" style="border-color:${STATE_COLORS.PRUNED};border-top-style:dotted"></span>pruned
          <span class="swatch" style="border-color:${STATE_COLORS.STOPPED};border-top-style:dotted"></span>stopped (partial)
          <span class="swatch" style="border-top-width:4px;border-color:var(--lab-ink, #333)"></span>best
          <span class="swatch" style="border-top-width:3px;border-color:${SELECTED_COLOR}"></span>selected
          ${jumps > 0 ? html`<span class="swatch" style="width:0;height:0.8rem;border-top:0;border-left:2px solid ${JUMP_COLOR}"></span>copied a better trial (PBT)` : ''}
        </span>
      </div>
      ${
        this.banded
          ? html`<p class="hint" data-testid="curves-capped">${drawn.length} of ${this.trials.length} trials drawn (the best ${BEST_DRAWN} finished, the latest running, the selected); the grey band holds the middle 80% of every trial's validation loss at each step.</p>`
          : ''
      }
      <lab-uplot data-testid="loss-curves" data-jumps=${jumps} data-series=${options.series.filter((s) => String(s.label).startsWith('validation')).length} .options=${options} .data=${data} height="260" @chart-built=${() => this.restyle(false)}
        tabindex="0" aria-label="loss curves of ${drawn.length} trials; ${KEYBOARD_HINT}"
        @keydown=${(e: KeyboardEvent) => pickByKeyboard(e, this, drawn, this.hovered, (t) => this.focusCurve(t))}
        @click=${() => this.hovered && selectTrial(this, this.hovered.id)}></lab-uplot>
      <div class="hover" data-testid="curve-hover" aria-live="polite">
        ${
          h
            ? trialSummary(h, this.space)
            : steps.length === 0
              ? html`<span class="hint" data-testid="curves-pending">Every trial's validation loss is drawn here as it trains, from its first report on.</span>`
              : html`<span class="hint">Hover a curve to see its trial's hyperparameters; click it to select the trial.</span>`
        }
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-loss-curves': LabLossCurves;
  }
}
