import { css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { Distribution } from '../search/space.ts';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { accentStroke } from './canvas-view.ts';
import { KEYBOARD_HINT, pickByKeyboard } from './keyboard-pick.ts';
import { WHOLE_NUMBER_INCRS } from './lab-uplot.ts';
import { decadeExponents } from './log-ticks.ts';
import { cloudHooks, cloudSeries } from './point-cloud.ts';
import { pointHover } from './point-hover.ts';
import { MANY_TRIALS, ResultView } from './result-view.ts';
import { formatValue, PARAM_LABELS, panelStyles } from './styles.ts';
import { SELECTED_COLOR, STATE_COLORS, selectTrial, trialSummary } from './trial-display.ts';

const noLine: uPlot.Series.PathBuilder = () => null;

/** Position of 1-x on a log axis: β = 0.9, 0.99, 0.999 sit at 1, 2, 3. */
const oneMinusLog = (v: number) => -Math.log10(1 - v);
const isOneMinusLog = (d: Distribution) => d.kind === 'float' && d.scale === 'one-minus-log';

/**
 * uPlot's x scale on the hyperparameter's own scale, spanning the whole search range: log
 * axes (distr 3) for log scales; one-minus-log values are plotted as -log10(1-x) on a linear
 * axis whose ticks are labelled 0.9, 0.99, 0.999.
 */
function xScale(d: Distribution): uPlot.Scale {
  if (d.kind === 'categorical') return { time: false, range: () => [-0.5, d.choices.length - 0.5] };
  if (isOneMinusLog(d)) return { time: false, range: () => [oneMinusLog(d.low), oneMinusLog(d.high)] };
  const range = (): uPlot.Range.MinMax => [d.low, d.high];
  if (d.kind === 'power-of-two') return { time: false, distr: 3, log: 2, range };
  if (d.scale === 'log') return { time: false, distr: 3, range };
  return { time: false, range };
}

/** uPlot hands log axes' skipped minor ticks over as null. */
const label = (format: (s: number) => string) => (_u: uPlot, splits: number[]) =>
  splits.map((s) => (s == null ? '' : format(s)));

function xAxis(d: Distribution): uPlot.Axis {
  if (d.kind === 'categorical')
    return { splits: () => d.choices.map((_, i) => i), values: label((s) => String(d.choices[s] ?? '')) };
  if (isOneMinusLog(d)) {
    const decades = (_u: uPlot, _axis: number, min: number, max: number) => {
      const ticks = decadeExponents(min, max);
      return ticks.length >= 2 ? ticks : [min, max];
    };
    return { splits: decades, values: label((s) => formatValue(Number((1 - 10 ** -s).toPrecision(6)))) };
  }
  // A linear integer axis (conv blocks 1–2) ticks whole values, not 1.1, 1.2, ….
  return { values: label((s) => formatValue(s)), ...(d.kind === 'int' ? { incrs: WHOLE_NUMBER_INCRS } : {}) };
}

/** The x coordinate of a value: categorical choices sit at their index, one-minus-log values at -log10(1-x). */
function xOf(d: Distribution, value: number | string): number {
  if (d.kind === 'categorical') return d.choices.indexOf(value);
  return isOneMinusLog(d) ? oneMinusLog(Number(value)) : Number(value);
}

/**
 * The objective (final validation loss) against each searched hyperparameter, each on that
 * hyperparameter's own scale; the best trial is ringed, the selected one red; trials that
 * stopped early (pruned, or stopped by the user: partial results) are orange.
 */
@customElement('lab-param-scatter')
export class LabParamScatter extends ResultView {
  static override styles = [
    panelStyles,
    css`
      .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 0.6rem; }
      h3 { font-size: 0.8rem; margin: 0; font-weight: 600; color: var(--lab-ink, #333a42); }
      .hover { min-height: 1.3rem; font-size: 0.8rem; color: var(--lab-ink, #333a42); font-variant-numeric: tabular-nums; }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  protected override manyTrials(): boolean {
    return this.trials.length > MANY_TRIALS;
  }
  @property({ attribute: false }) space: SpaceRow[] = [];
  @property({ type: Number }) bestTrialId?: number;
  @property({ type: Number }) selectedTrialId?: number;
  @property({ type: Number }) revision = 0;

  @state() private hovered?: TrialRecord;

  private optionsCache = new Map<string, { key: string; options: Omit<uPlot.Options, 'width' | 'height'> }>();
  /** Points per hyperparameter (and the trial of each, for hover), kept while the trials (their revision and count), the best and the selection stay the same: unchanged data is not redrawn. */
  private dataCache = new Map<string, { key: string; data: uPlot.AlignedData; trials: TrialRecord[] }>();

  private options(row: SpaceRow): Omit<uPlot.Options, 'width' | 'height'> {
    const d = row.distribution as Distribution;
    const key = JSON.stringify(d);
    const cached = this.optionsCache.get(row.name);
    if (cached?.key === key) return cached.options;
    const point = (color: uPlot.Series.Stroke, size: number, fill: uPlot.Series.Fill = color): uPlot.Series => ({
      stroke: color,
      fill,
      paths: noLine,
      points: { show: true, size, stroke: color, fill, width: 1.5 },
    });
    const hover = pointHover(
      () => {
        const shown = this.dataCache.get(row.name);
        return shown && { xs: shown.data[0], ys: shown.trials.map((t) => t.objective) };
      },
      (i) => (this.hovered = i === undefined ? undefined : this.dataCache.get(row.name)?.trials[i]),
    );
    const complete = { stroke: STATE_COLORS.COMPLETE, fill: 'rgba(42,157,143,0.35)', size: 6, width: 1.5 };
    const partial = { stroke: STATE_COLORS.PRUNED, fill: 'rgba(233,162,59,0.35)', size: 6, width: 1.5 };
    const options: Omit<uPlot.Options, 'width' | 'height'> = {
      legend: { show: false },
      ...hover,
      hooks: {
        ...hover.hooks,
        drawSeries: cloudHooks(
          new Map([
            [1, complete],
            [2, partial],
          ]),
        ),
      },
      scales: { x: xScale(d), y: { distr: 3 } },
      axes: [xAxis(d), { size: 55 }],
      series: [
        {},
        cloudSeries(complete),
        cloudSeries(partial),
        point(accentStroke, 13, 'rgba(0,0,0,0)'),
        point(SELECTED_COLOR, 9),
      ],
    };
    this.optionsCache.set(row.name, { key, options });
    return options;
  }

  private data(row: SpaceRow, plotted: readonly TrialRecord[]): uPlot.AlignedData {
    // The root bumps revision whenever a trial changes: a key from the trials themselves
    // (a JSON of 10,000 entries) cost more than the points it spared.
    const key = JSON.stringify([
      this.revision,
      plotted.length,
      this.bestTrialId,
      this.selectedTrialId,
      row.distribution,
    ]);
    const cached = this.dataCache.get(row.name);
    if (cached?.key === key) return cached.data;
    const d = row.distribution as Distribution;
    const points = plotted
      .filter((t) => row.name in t.params) // a trial whose condition failed has no value here
      .map((t) => ({
        trial: t,
        x: xOf(d, t.params[row.name]),
        y: t.objective,
        partial: t.state === 'PRUNED' || t.state === 'STOPPED',
        best: t.id === this.bestTrialId,
        selected: t.id === this.selectedTrialId,
      }))
      .sort((a, b) => a.x - b.x);
    const data: uPlot.AlignedData = [
      points.map((p) => p.x),
      points.map((p) => (p.partial ? null : p.y)),
      points.map((p) => (p.partial ? p.y : null)),
      points.map((p) => (p.best ? p.y : null)),
      points.map((p) => (p.selected ? p.y : null)),
    ];
    this.dataCache.set(row.name, { key, data, trials: points.map((p) => p.trial) });
    return data;
  }

  protected override render() {
    const searched = this.space.filter((r) => r.enabled);
    const plotted = this.trials.filter((t) => Number.isFinite(t.objective) && t.objective > 0);
    return html`
      <h2>Objective vs each searched hyperparameter</h2>
      <div class="grid" data-testid="param-scatter">
        ${searched.map(
          (row) => html`<div>
            <h3>${PARAM_LABELS[row.name] ?? row.name} <span class="hint">(validation loss, ${(row.distribution as Distribution).kind === 'categorical' ? 'categorical' : 'on its own scale'})</span></h3>
            <lab-uplot .options=${this.options(row)} .data=${this.data(row, plotted)} height="180"
              tabindex="0" aria-label="validation loss against ${PARAM_LABELS[row.name] ?? row.name}; ${KEYBOARD_HINT}"
              @keydown=${(e: KeyboardEvent) => pickByKeyboard(e, this, this.dataCache.get(row.name)?.trials ?? [], this.hovered, (t) => (this.hovered = t))}
              @click=${() => this.hovered && selectTrial(this, this.hovered.id)}></lab-uplot>
          </div>`,
        )}
      </div>
      <div class="hover" data-testid="scatter-hover" aria-live="polite">
        ${
          this.hovered
            ? trialSummary(this.hovered, this.space)
            : plotted.length === 0
              ? html`<span class="hint" data-testid="scatter-pending">Each trial's final validation loss against every searched hyperparameter appears here as the trial finishes.</span>`
              : html`<span class="hint">Hover a point to see its trial's hyperparameters; click it to select the trial (red).</span>`
        }
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-param-scatter': LabParamScatter;
  }
}
