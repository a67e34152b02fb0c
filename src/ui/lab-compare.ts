import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import uPlot from 'uplot';
import { dataSetName, summarize } from '../study/library.ts';
import type { TrialRecord } from '../study/record.ts';
import { bestTrialOf, hasResult, type StudyState } from '../study/state.ts';
import { trialsLabel } from './lab-library.ts';
import './lab-uplot.ts';
import { WHOLE_NUMBER_INCRS } from './lab-uplot.ts';
import { formatValue, PARAM_LABELS, panelStyles } from './styles.ts';

export interface ComparedStudy {
  id: number;
  name: string;
  state: StudyState;
}

/** One colour per compared study (up to four), told apart in colour and in greyscale. */
const STUDY_COLORS = ['#1d3557', '#e76f51', '#2a9d8f', '#8d6cab'];

/**
 * The best objective after each finished trial, in finishing order (null until a trial has a
 * result). Complete and stopped trials count, as in bestTrialOf: a stopped trial's last
 * validation loss is a partial result.
 */
export function bestSoFar(state: StudyState): (number | null)[] {
  let best = Infinity;
  return state.finishOrder.map((id) => {
    const trial = state.trials.get(id);
    if (trial && hasResult(trial) && trial.objective < best) best = trial.objective;
    return Number.isFinite(best) ? best : null;
  });
}

/**
 * The studies' names as the comparison shows them: two alike (every default name is
 * "<scheduler> on <data set>") are told apart by their seeds, then by their place here.
 */
export function distinctNames(studies: readonly ComparedStudy[]): string[] {
  const told = (names: string[], extra: (i: number) => string) =>
    names.map((n, i) => (names.indexOf(n) !== names.lastIndexOf(n) ? `${n} · ${extra(i)}` : n));
  const bySeed = told(
    studies.map((s) => s.name),
    (i) => `seed ${studies[i].state.spec.seed}`,
  );
  return told(bySeed, (i) => `${i + 1} of ${studies.length}`);
}

const last = (values: number[]) => (values.length ? values[values.length - 1] : NaN);
const shown = (v: number | string | undefined) =>
  v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '—' : formatValue(v);

/** Hyperparameters searched in any of the studies, in their spaces' order. */
function searchedInAny(studies: readonly ComparedStudy[]): string[] {
  const names = new Set<string>();
  for (const s of studies) for (const row of s.state.spec.space) if (row.enabled) names.add(row.name);
  return [...names];
}

/**
 * 2–4 studies side by side: their best-so-far curves on one chart (log axis), the best
 * configuration of each in one table, and what mattered in each. The page hands in the
 * studies (replayed from the library); the element only draws them and asks to close.
 */
@customElement('lab-compare')
export class LabCompare extends LitElement {
  static override styles = [
    panelStyles,
    css`
      header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; }
      h3 { font-size: 0.85rem; margin: 0.9rem 0 0.3rem; color: var(--lab-ink, #333a42); }
      .scroll { overflow-x: auto; }
      table { border-collapse: collapse; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
      th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--lab-border-soft, #eef0f2); text-align: left; white-space: nowrap; }
      thead th { border-bottom: 1px solid var(--lab-border, #d7dce1); }
      th[scope='row'] { font-weight: 500; color: var(--lab-ink, #333a42); }
      .swatch { display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 2px; margin-right: 0.35rem; vertical-align: -0.05rem; }
      .fixed { color: var(--lab-muted, #5b6570); }
    `,
  ];

  @property({ attribute: false }) studies: ComparedStudy[] = [];

  private options?: Omit<uPlot.Options, 'width' | 'height'>;
  private data: uPlot.AlignedData = [[]];

  /** The chart follows the studies: new options (series, names, scale) and data whenever they change. */
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('studies')) return;
    const series = this.studies.map(({ state }) => bestSoFar(state));
    const length = Math.max(0, ...series.map((s) => s.length));
    const padded = series.map((s) => Array.from({ length }, (_, k) => s[k] ?? null));
    // A log axis needs positive values; a loss of exactly 0 (a regression fitted perfectly) keeps it linear.
    const logAxis = padded.every((s) => s.every((y) => y === null || y > 0));
    this.data = [Array.from({ length }, (_, k) => k + 1), ...padded];
    this.options = {
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: { distr: logAxis ? 3 : 1 } },
      // Whole trials on the x axis: no 1.2, 1.4, … ticks on a short study.
      axes: [
        { label: 'trials finished', incrs: WHOLE_NUMBER_INCRS },
        { size: 55, label: 'best validation loss so far' },
      ],
      series: [
        { label: 'trial' },
        ...distinctNames(this.studies).map((name, i) => ({
          label: name,
          stroke: STUDY_COLORS[i % STUDY_COLORS.length],
          width: 2,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
        })),
      ],
    };
  }

  private renderBestTable(studies: readonly ComparedStudy[]) {
    const best = studies.map((s) => bestTrialOf(s.state.trials.values()));
    const summaries = studies.map((s) => summarize(s.state));
    const params = searchedInAny(studies);
    const cell = (i: number, key: string, content: unknown) =>
      html`<td data-study=${studies[i].id} data-row=${key}>${content}</td>`;
    const row = (key: string, label: string, value: (best: TrialRecord | undefined, i: number) => unknown) =>
      html`<tr>
        <th scope="row">${label}</th>
        ${best.map((b, i) => cell(i, key, value(b, i)))}
      </tr>`;
    return html`<div class="scroll">
      <table data-testid="compare-best">
        <thead>
          <tr>
            <th></th>
            ${distinctNames(studies).map((name, i) => html`<th scope="col"><span class="swatch" style="background:${STUDY_COLORS[i % STUDY_COLORS.length]}"></span>${name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${params.map((name) =>
            row(name, PARAM_LABELS[name] ?? name, (b, i) => {
              if (!b) return '—';
              const searched = studies[i].state.spec.space.some((r) => r.name === name && r.enabled);
              return searched
                ? shown(b.params[name])
                : html`<span class="fixed" title="not searched in this study">${shown(b.params[name])} (fixed)</span>`;
            }),
          )}
          ${row('objective', 'best validation loss', (b) => (b ? `${shown(b.objective)}${b.state === 'STOPPED' ? ' (partial: stopped)' : ''}` : '—'))}
          ${row('accuracy', 'its validation accuracy', (b) => shown(b ? last(b.curve.validationAccuracy) : undefined))}
          ${row('trials', 'trials finished', (_, i) => trialsLabel(summaries[i].finishedTrials, studies[i].state.spec))}
          ${row('engine', 'engine', (_, i) => summaries[i].engine ?? '—')}
        </tbody>
      </table>
    </div>`;
  }

  private renderImportance(studies: readonly ComparedStudy[]) {
    const names = [...new Set(studies.flatMap((s) => Object.keys(s.state.importance?.shares ?? {})))];
    if (names.length === 0)
      return html`<p class="hint">No study has importance yet (it needs two completed trials).</p>`;
    return html`<div class="scroll">
      <table data-testid="compare-importance">
        <thead>
          <tr>
            <th></th>
            ${distinctNames(studies).map((name) => html`<th scope="col">${name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${names.map(
            (name) => html`<tr>
              <th scope="row">${PARAM_LABELS[name] ?? name}</th>
              ${studies.map((s) => {
                const share = s.state.importance?.shares[name];
                return html`<td data-study=${s.id} data-row=${name}>${share === undefined ? '—' : `${Math.round(share * 100)}%`}</td>`;
              })}
            </tr>`,
          )}
          <tr>
            <th scope="row">from completed trials</th>
            ${studies.map((s) => html`<td data-study=${s.id} data-row="importance-trials">${s.state.importance?.completedTrials ?? '—'}</td>`)}
          </tr>
        </tbody>
      </table>
    </div>`;
  }

  protected override render() {
    const studies = this.studies;
    const dataSets = new Set(studies.map((s) => JSON.stringify(s.state.spec.data)));
    return html`
      <header>
        <h2>Comparing ${studies.length} studies</h2>
        <button data-testid="close-compare" @click=${() => this.dispatchEvent(new CustomEvent('close-compare', { bubbles: true, composed: true }))}>Close comparison</button>
      </header>
      ${
        dataSets.size > 1
          ? html`<p class="notice" role="status" data-testid="compare-data-differs">
            These studies train on different data (${[...new Set(studies.map((s) => dataSetName(s.state.spec.data)))].join(', ')} or different settings of it): their losses are not on one scale.
          </p>`
          : ''
      }
      <h3>Best so far</h3>
      <lab-uplot data-testid="compare-history" .options=${this.options} .data=${this.data} height="240"></lab-uplot>
      <h3>Best configuration of each</h3>
      ${this.renderBestTable(studies)}
      <h3>What mattered</h3>
      ${this.renderImportance(studies)}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-compare': LabCompare;
  }
}
