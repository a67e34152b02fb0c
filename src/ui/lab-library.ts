import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { dataSetName, type LibraryEntry, newestFirst } from '../study/library.ts';
import { formatValue, panelStyles } from './styles.ts';

/** Studies the compare view takes at once. */
export const COMPARE_MIN = 2;
export const COMPARE_MAX = 4;

const STATUS_LABELS: Record<LibraryEntry['status'], string> = {
  draft: 'not run',
  running: 'running',
  paused: 'paused',
  finished: 'finished',
  stopped: 'stopped',
  error: 'error',
  interrupted: 'interrupted',
};

/** "finished / planned" trials; a time budget has no planned count. */
export function trialsLabel(finishedTrials: number, spec: LibraryEntry['spec']): string {
  const budget = spec.scheduler.budget;
  return budget.kind === 'trials'
    ? `${finishedTrials} / ${budget.trials}`
    : `${finishedTrials} (${budget.minutes} min budget)`;
}

/**
 * Every study in the library, newest first: rename inline, open, duplicate as a new draft,
 * delete with an undo window, and pick 2–4 to compare. The element only asks (events); the
 * page does the work and passes back the new `entries`. A deletion is held back for
 * `undoMs`: the row hides at once and `delete-study` fires only when the window ends (or the
 * element leaves the page), so Undo never has to bring a study back from storage.
 */
@customElement('lab-library')
export class LabLibrary extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .scroll { max-height: 420px; overflow: auto; }
      table { border-collapse: collapse; width: 100%; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
      th { position: sticky; top: 0; background: var(--lab-surface, #fff); text-align: left; font-weight: 600; color: var(--lab-ink, #333a42); border-bottom: 1px solid var(--lab-border, #d7dce1); padding: 0.25rem 0.4rem; }
      /* Cells wrap (the date, the engine: "CPU (WebAssembly SIMD, 2 threads)"), only the buttons do
         not: on one line each, a row was wider than a 1280-pixel window's card and Delete scrolled out of view. */
      td { padding: 0.2rem 0.4rem; border-bottom: 1px solid var(--lab-border-soft, #eef0f2); }
      tr.current td { background: var(--lab-best-bg, #e8f5f3); }
      td.name input { width: 11rem; max-width: 100%; border-color: transparent; background: transparent; }
      td.name input:hover, td.name input:focus { border-color: var(--lab-border, #b8c0c8); background: var(--lab-surface, #fff); }
      td.actions { display: flex; gap: 0.3rem; white-space: nowrap; }
      td.actions button { padding: 0.1rem 0.4rem; }
      .bar { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
      .bar .notice { display: flex; gap: 0.6rem; align-items: center; padding: 0.2rem 0.6rem; }
    `,
  ];

  /** The library's rows, in any order (shown newest first). */
  @property({ attribute: false }) entries: LibraryEntry[] = [];
  /** The study on screen: its row is highlighted. */
  @property({ type: Number }) currentId?: number;
  /** A study is running: opening or duplicating another would have to stop it, so both wait. */
  @property({ type: Boolean }) busy = false;
  /** How long a deletion can be undone, in ms. */
  @property({ type: Number }) undoMs = 8000;

  @state() private selected: number[] = [];
  @state() private pendingDelete?: { entry: LibraryEntry; timer: ReturnType<typeof setTimeout> };
  @state() private nameProblem?: string;
  /** Names asked for and not yet back in `entries` (a blur after Enter must not ask twice). */
  private renamed = new Map<number, string>();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.commitDelete();
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** The rows shown: newest first, without the one waiting to be deleted. */
  private rows(): LibraryEntry[] {
    return this.entries.filter((e) => e.id !== this.pendingDelete?.entry.id).sort(newestFirst);
  }

  /** Selected studies still in the list, in the order they were picked. */
  private selection(): number[] {
    const shown = new Set(this.rows().map((e) => e.id));
    return this.selected.filter((id) => shown.has(id));
  }

  private toggle(id: number, on: boolean): void {
    this.selected = on ? [...this.selected.filter((s) => s !== id), id] : this.selected.filter((s) => s !== id);
  }

  /** The name a row stands for: the last one asked for, or the library's. */
  private nameOf(entry: LibraryEntry): string {
    const asked = this.renamed.get(entry.id);
    if (asked === entry.name) this.renamed.delete(entry.id);
    return asked ?? entry.name;
  }

  private commitName(entry: LibraryEntry, input: HTMLInputElement): void {
    const name = input.value.trim();
    const current = this.nameOf(entry);
    if (name === current) return;
    if (!name) {
      input.value = current;
      this.nameProblem = `A study needs a name: kept “${current}”.`;
      return;
    }
    this.nameProblem = undefined;
    input.value = name;
    this.renamed.set(entry.id, name);
    this.emit('rename-study', { id: entry.id, name });
  }

  private onNameKey(entry: LibraryEntry, event: KeyboardEvent): void {
    const input = event.target as HTMLInputElement;
    if (event.key === 'Enter') {
      event.preventDefault();
      this.commitName(entry, input);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      input.value = this.nameOf(entry);
      this.nameProblem = undefined;
    }
  }

  private startDelete(entry: LibraryEntry): void {
    this.commitDelete(); // one undo at a time: an earlier deletion goes through now
    this.pendingDelete = { entry, timer: setTimeout(() => this.commitDelete(), this.undoMs) };
  }

  private commitDelete(): void {
    const pending = this.pendingDelete;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingDelete = undefined;
    this.selected = this.selected.filter((id) => id !== pending.entry.id);
    this.emit('delete-study', { id: pending.entry.id });
  }

  private undoDelete(): void {
    if (!this.pendingDelete) return;
    clearTimeout(this.pendingDelete.timer);
    this.pendingDelete = undefined;
  }

  private renderRow(entry: LibraryEntry) {
    const current = entry.id === this.currentId;
    const running = current && this.busy;
    return html`<tr data-testid="library-row" data-study=${entry.id} class=${current ? 'current' : ''} aria-current=${current ? 'true' : 'false'}>
      <td><input type="checkbox" aria-label="compare ${entry.name}" .checked=${this.selected.includes(entry.id)} @change=${(e: Event) => this.toggle(entry.id, (e.target as HTMLInputElement).checked)} /></td>
      <td class="name">
        <input
          type="text"
          aria-label="name of study ${entry.id}"
          maxlength="200"
          .value=${entry.name}
          @keydown=${(e: KeyboardEvent) => this.onNameKey(entry, e)}
          @blur=${(e: FocusEvent) => this.commitName(entry, e.target as HTMLInputElement)}
        />
      </td>
      <td data-col="date">${new Date(entry.createdAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</td>
      <td data-col="data">${dataSetName(entry.spec.data)}</td>
      <td data-col="scheduler">${entry.spec.scheduler.kind}</td>
      <td data-col="trials">${trialsLabel(entry.finishedTrials, entry.spec)}</td>
      <td data-col="best">${entry.bestObjective === undefined ? '—' : formatValue(entry.bestObjective)}</td>
      <td data-col="engine">${entry.engine ?? '—'}</td>
      <td data-col="status">${STATUS_LABELS[entry.status]}</td>
      <td class="actions">
        <button data-action="open" ?disabled=${this.busy} aria-label="open ${entry.name}" @click=${() => this.emit('open-study', { id: entry.id })}>Open</button>
        <button data-action="duplicate" ?disabled=${this.busy} aria-label="duplicate ${entry.name} as a new study" @click=${() => this.emit('duplicate-study', { id: entry.id })}>Duplicate</button>
        <button data-action="delete" ?disabled=${running} aria-label="delete ${entry.name}" title=${running ? 'Stop the study to delete it.' : ''} @click=${() => this.startDelete(entry)}>Delete</button>
      </td>
    </tr>`;
  }

  protected override render() {
    const rows = this.rows();
    const chosen = this.selection();
    const canCompare = chosen.length >= COMPARE_MIN && chosen.length <= COMPARE_MAX;
    const pending = this.pendingDelete;
    return html`
      <h2>Study library</h2>
      <div class="bar">
        <button data-testid="compare" ?disabled=${!canCompare} @click=${() => this.emit('compare-studies', { ids: chosen })}>Compare${chosen.length ? ` (${chosen.length})` : ''}</button>
        <span class="hint" data-testid="compare-hint">${chosen.length > COMPARE_MAX ? `Compare takes at most ${COMPARE_MAX} studies; ${chosen.length} are ticked.` : `Tick ${COMPARE_MIN}–${COMPARE_MAX} studies to compare them.`}</span>
        ${
          pending
            ? html`<p class="notice" role="status" data-testid="delete-notice">
              Deleted “${pending.entry.name}”.
              <button data-testid="undo-delete" @click=${() => this.undoDelete()}>Undo</button>
            </p>`
            : ''
        }
      </div>
      ${this.nameProblem ? html`<p class="hint" role="status" data-testid="name-problem">${this.nameProblem}</p>` : ''}
      ${
        rows.length === 0
          ? html`<p class="hint" data-testid="library-empty">No studies yet. Every study you run is kept here, in this browser, to open, compare or resume later.</p>`
          : html`<div class="scroll">
            <table data-testid="library">
              <thead>
                <tr>
                  <th><span class="hint">compare</span></th>
                  <th>name</th>
                  <th>date</th>
                  <th>data set</th>
                  <th>scheduler</th>
                  <th>trials</th>
                  <th>best validation loss</th>
                  <th>engine</th>
                  <th>status</th>
                  <th><span class="hint">actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${repeat(
                  rows,
                  (e) => e.id,
                  (e) => this.renderRow(e),
                )}
              </tbody>
            </table>
          </div>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-library': LabLibrary;
  }
}
