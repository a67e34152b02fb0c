import { css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { finalParams, type TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { MANY_TRIALS, ResultView } from './result-view.ts';
import { formatValue, PARAM_LABELS, panelStyles } from './styles.ts';
import { lineageLabel, placeLabel, STATE_COLORS, selectTrial } from './trial-display.ts';

interface Column {
  key: string;
  label: string;
  value: (t: TrialRecord) => number | string;
}

/** Row height (CSS px): fixed, so the rows above and below the rendered ones are spacers of known height. */
const ROW_PX = 26;
/** Rows the table shows at once. */
const VISIBLE_ROWS = 18;
/** Rows rendered beyond the visible ones on each side where there are any (at the top, 48 rows in all: laying out 78 took its first frame in a 10,000-trial study to 33 ms). */
const OVERSCAN = 30;

const last = (values: number[]) => (values.length ? values[values.length - 1] : NaN);

/** A cell cut to its column's width shows its whole text as a tooltip. */
const cell = (key: string, text: string) => html`<td data-col=${key} title=${text}>${text}</td>`;

/** Numbers ascending with NaN last; strings alphabetically. */
function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a - b;
  }
  return String(a).localeCompare(String(b));
}

/**
 * Every trial with its state, objective, place in the search and parameters (under
 * population-based training: those it ended with, and whose models it copied); sortable by any
 * column; clicking a row (or Enter on it) selects its trial. The parallel coordinates' brushes
 * filter it (`shown`). Only the rows around the scrolled-to place are in the page (fixed row
 * height, spacers for the rest), so 10,000 trials cost what 80 do.
 */
@customElement('lab-trials-table')
export class LabTrialsTable extends ResultView {
  static override styles = [
    panelStyles,
    css`
      .scroll { max-height: 480px; overflow: auto; }
      /* Fixed layout: a changing loss in one cell does not re-measure every row (live updates stay cheap with many trials). */
      table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
      th { position: sticky; top: 0; background: var(--lab-surface, #fff); text-align: left; border-bottom: 1px solid var(--lab-border, #d7dce1); padding: 0; }
      th button { border: none; background: none; color: var(--lab-ink, #333a42); font-weight: 600; padding: 0.25rem 0.4rem; width: 100%; text-align: left; border-radius: 0; }
      td { padding: 0.2rem 0.4rem; border-bottom: 1px solid var(--lab-border-soft, #eef0f2); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
      tbody tr { cursor: pointer; height: ${ROW_PX}px; }
      tbody tr.spacer { height: 0; cursor: default; }
      tbody tr:hover td { background: var(--lab-hover-bg, #f1f4f7); }
      tr.best td { background: var(--lab-best-bg, #e8f5f3); font-weight: 600; }
      tr[aria-selected='true'] td { background: var(--lab-selected-bg, #fde8ea); box-shadow: inset 0 -1px #e63946, inset 0 1px #e63946; }
      tr:focus-visible { outline: 2px solid #457b9d; outline-offset: -2px; }
      .filtered { display: flex; gap: 0.6rem; align-items: center; font-size: 0.8rem; margin-bottom: 0.3rem; }
      .state { display: inline-block; padding: 0 0.35rem; border-radius: 3px; color: #fff; font-size: 0.72rem; }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  protected override manyTrials(): boolean {
    // Scrolling renders new rows at once; only the study's updates wait.
    return this.trials.length > MANY_TRIALS && !this.scrolled;
  }
  @property({ attribute: false }) space: SpaceRow[] = [];
  @property({ type: Number }) bestTrialId?: number;
  @property({ type: Number }) selectedTrialId?: number;
  /** The trials the parallel coordinates' brushes keep; undefined: every trial. */
  @property({ attribute: false }) shown?: ReadonlySet<number>;
  @property({ type: Number }) revision = 0;

  @state() private sortKey = 'id';
  @state() private descending = false;
  /** The first row scrolled to: only the rows around it are in the page. */
  @state() private topRow = 0;
  private scrolled = false;
  /** The sorted, filtered rows, kept while nothing they depend on changed (a scroll re-renders without re-sorting). */
  private sorted?: { key: unknown[]; rows: TrialRecord[] };

  private readonly onScroll = (e: Event) => {
    const top = Math.floor((e.target as HTMLElement).scrollTop / ROW_PX);
    if (Math.abs(top - this.topRow) < OVERSCAN / 4) return;
    this.scrolled = true;
    this.topRow = top;
  };

  protected override updated(): void {
    this.scrolled = false;
  }

  private rows(sortColumn: Column): TrialRecord[] {
    const key = [this.revision, this.trials, sortColumn.key, this.descending, this.shown, this.space];
    if (this.sorted && key.every((k, i) => k === this.sorted!.key[i])) return this.sorted.rows;
    const sign = this.descending ? -1 : 1;
    const shown = this.shown;
    const rows = (shown ? this.trials.filter((t) => shown.has(t.id)) : [...this.trials]).sort(
      (a, b) => sign * compare(sortColumn.value(a), sortColumn.value(b)) || a.id - b.id,
    );
    this.sorted = { key, rows };
    return rows;
  }

  private columns(): Column[] {
    const searched = this.space.filter((r) => r.enabled);
    // Population-based training: each trial's hyperparameters as they ended, and whom it copied.
    const pbt = this.trials.some((t) => t.lineage);
    return [
      { key: 'id', label: '#', value: (t) => t.id },
      { key: 'state', label: 'state', value: (t) => t.state },
      {
        key: 'objective',
        label: 'validation loss',
        value: (t) => (t.state === 'RUNNING' ? last(t.curve.validationLoss) : t.objective),
      },
      { key: 'accuracy', label: 'validation accuracy', value: (t) => last(t.curve.validationAccuracy) },
      { key: 'steps', label: 'steps', value: (t) => t.steps },
      ...(this.trials.some((t) => t.placement.round !== undefined || t.placement.stage)
        ? [{ key: 'place', label: 'round / stage', value: (t: TrialRecord) => placeLabel(t, this.space) }]
        : []),
      ...(pbt ? [{ key: 'lineage', label: 'copied (PBT)', value: lineageLabel }] : []),
      ...searched.map((r) => ({
        key: r.name,
        label: `${PARAM_LABELS[r.name] ?? r.name}${pbt ? ' (final)' : ''}`,
        // A value the trial lacks (its condition failed: β2 under SGD) sorts last and shows '–'.
        value: (t: TrialRecord) => finalParams(t)[r.name] ?? Number.NaN,
      })),
    ];
  }

  private sortBy(key: string): void {
    this.descending = this.sortKey === key ? !this.descending : false;
    this.sortKey = key;
  }

  private renderRow(t: TrialRecord, columns: Column[]) {
    const select = () => selectTrial(this, t.id === this.selectedTrialId ? undefined : t.id);
    return html`<tr data-testid="trial-row" data-trial=${t.id} data-state=${t.state} data-objective=${String(t.objective)} data-params=${JSON.stringify(t.params)}
      class=${t.id === this.bestTrialId ? 'best' : ''} title=${t.reason ?? ''} tabindex="0" aria-selected=${String(t.id === this.selectedTrialId)}
      @click=${select} @keydown=${(e: KeyboardEvent) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        select();
      }}>
      ${columns.map((c) => {
        const v = c.value(t);
        return c.key === 'state'
          ? html`<td><span class="state" style="background:${STATE_COLORS[t.state]}">${t.state.toLowerCase()}</span></td>`
          : cell(c.key, typeof v === 'number' && Number.isNaN(v) ? '–' : formatValue(v));
      })}
    </tr>`;
  }

  protected override render() {
    const columns = this.columns();
    const sortColumn = columns.find((c) => c.key === this.sortKey) ?? columns[0];
    const rows = this.rows(sortColumn);
    const shown = this.shown;
    const start = Math.max(0, Math.min(this.topRow, rows.length - VISIBLE_ROWS) - OVERSCAN);
    const end = Math.min(rows.length, this.topRow + VISIBLE_ROWS + OVERSCAN);
    const columnKeys = columns.map((c) => c.key).join();
    return html`
      <h2>Trials</h2>
      ${
        shown
          ? html`<p class="filtered" data-testid="table-filtered">${rows.length} of ${this.trials.length} trials inside the parallel coordinates' brushes
              <button @click=${() => this.dispatchEvent(new CustomEvent('clear-brushes', { bubbles: true, composed: true }))}>Show all</button></p>`
          : ''
      }
      <div class="scroll" @scroll=${this.onScroll}>
        <!-- At least 5.5rem a column: a narrow screen scrolls the table sideways rather than cut every cell to a letter. -->
        <table data-testid="trials-table" data-rows=${rows.length} aria-rowcount=${rows.length + 1} style="min-width:${columns.length * 5.5}rem">
          <thead>
            <tr>
              ${columns.map(
                (
                  c,
                ) => html`<th aria-sort=${c.key === sortColumn.key ? (this.descending ? 'descending' : 'ascending') : 'none'}>
                  <button title="sort by ${c.label}" @click=${() => this.sortBy(c.key)}>${c.label}${c.key === sortColumn.key ? (this.descending ? ' ▼' : ' ▲') : ''}</button>
                </th>`,
              )}
            </tr>
          </thead>
          <tbody>
            <tr class="spacer" aria-hidden="true" style="height:${start * ROW_PX}px"></tr>
            ${repeat(
              rows.slice(start, end),
              (t) => t.id,
              // A row re-renders only when its trial moved on (finished trials stay as they are).
              (t) =>
                guard(
                  [
                    t,
                    t.state,
                    t.steps,
                    t.lineage?.length,
                    String(t.objective),
                    t.id === this.bestTrialId,
                    t.id === this.selectedTrialId,
                    columnKeys,
                  ],
                  () => this.renderRow(t, columns),
                ),
            )}
            <tr class="spacer" aria-hidden="true" style="height:${(rows.length - end) * ROW_PX}px"></tr>
          </tbody>
        </table>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-trials-table': LabTrialsTable;
  }
}
