import { css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { hasResult } from '../study/state.ts';
import { accentStroke } from './canvas-view.ts';
import './lab-uplot.ts';
import { WHOLE_NUMBER_INCRS } from './lab-uplot.ts';
import { cloudHooks, cloudSeries } from './point-cloud.ts';
import { pointHover } from './point-hover.ts';
import { MANY_TRIALS, ResultView } from './result-view.ts';
import { panelStyles } from './styles.ts';
import { STATE_COLORS, selectTrial, trialSummary } from './trial-display.ts';

const FINISHED = { stroke: STATE_COLORS.COMPLETE, fill: 'rgba(42,157,143,0.35)', size: 5, width: 1 };

const OPTIONS: Omit<uPlot.Options, 'width' | 'height' | 'cursor' | 'hooks'> = {
  legend: { show: false },
  scales: { x: { time: false }, y: { distr: 3 } },
  axes: [
    { label: 'trials finished', incrs: WHOLE_NUMBER_INCRS },
    { size: 55, label: 'validation loss' },
  ],
  series: [
    {},
    cloudSeries(FINISHED),
    { stroke: accentStroke, width: 2, paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
  ],
};

/** Each finished trial's objective in finishing order (complete, or stopped: partial), and the best found so far as a step line. */
@customElement('lab-best-history')
export class LabBestHistory extends ResultView {
  static override styles = [
    panelStyles,
    css`.hover { min-height: 1.3rem; font-size: 0.8rem; color: var(--lab-ink, #333a42); font-variant-numeric: tabular-nums; }`,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  protected override manyTrials(): boolean {
    return this.trials.length > MANY_TRIALS;
  }
  /** Trial ids in finishing order. */
  @property({ attribute: false }) finishOrder: number[] = [];
  /** Names the hovered trial's searched hyperparameters. */
  @property({ attribute: false }) space: SpaceRow[] = [];
  @property({ type: Number }) revision = 0;

  @state() private hovered?: TrialRecord;
  /** The trial of each point, in the data's order. */
  private pointTrials: (TrialRecord | undefined)[] = [];
  private readonly options: Omit<uPlot.Options, 'width' | 'height'> = this.chartOptions();

  private chartOptions(): Omit<uPlot.Options, 'width' | 'height'> {
    const hover = pointHover(
      () => this.cached && { xs: this.cached.data[0], ys: this.cached.data[1] as (number | null)[] },
      (i) => (this.hovered = i === undefined ? undefined : this.pointTrials[i]),
    );
    return { ...OPTIONS, ...hover, hooks: { ...hover.hooks, drawSeries: cloudHooks(new Map([[1, FINISHED]])) } };
  }

  /**
   * Kept while no trial finished: unchanged data is not redrawn. A finished trial's state and
   * objective are final, so the count finished and the last one's record (another study's
   * records are other objects) say whether anything changed.
   */
  private cached?: { finished: number; last?: TrialRecord; data: uPlot.AlignedData };

  private data(): uPlot.AlignedData {
    const lastId = this.finishOrder.at(-1);
    const last = this.trials.find((t) => t.id === lastId);
    if (this.cached?.finished === this.finishOrder.length && this.cached.last === last) return this.cached.data;
    const byId = new Map(this.trials.map((t) => [t.id, t]));
    const xs: number[] = [];
    const objective: (number | null)[] = [];
    const best: (number | null)[] = [];
    let bestSoFar = Infinity;
    this.finishOrder.forEach((id, k) => {
      const t = byId.get(id);
      const y = t && hasResult(t) && t.objective > 0 ? t.objective : NaN;
      if (y < bestSoFar) bestSoFar = y;
      xs.push(k + 1);
      objective.push(Number.isFinite(y) ? y : null);
      best.push(Number.isFinite(bestSoFar) ? bestSoFar : null);
    });
    this.pointTrials = this.finishOrder.map((id) => byId.get(id));
    this.cached = { finished: this.finishOrder.length, last, data: [xs, objective, best] };
    return this.cached.data;
  }

  protected override render() {
    return html`
      <h2>Best so far</h2>
      <lab-uplot data-testid="best-history" .options=${this.options} .data=${this.data()} height="180"
        @click=${() => this.hovered && selectTrial(this, this.hovered.id)}></lab-uplot>
      <div class="hover" data-testid="best-hover">
        ${
          this.hovered
            ? trialSummary(this.hovered, this.space)
            : this.finishOrder.length === 0
              ? html`<span class="hint" data-testid="best-pending">Each finished trial's validation loss, in the order trials finish, with the best so far as a line; the first point appears when a trial finishes.</span>`
              : html`<span class="hint">Hover a point to see its trial's hyperparameters; click it to select the trial.</span>`
        }
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-best-history': LabBestHistory;
  }
}
