import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type CsvPin, checkCsvPin, sha256Hex } from '../study/data.ts';
import { CSV_LIMITS, type DataSpec } from '../study/spec.ts';
import {
  type ColumnProfile,
  type CsvTable,
  type CsvTask,
  csvTrainingData,
  decodeCsvBytes,
  describeRows,
  MAX_CLASSES,
  matchesPattern,
  parseCsv,
  profileColumn,
  suggestTask,
} from '../train/data/csv.ts';
import { panelStyles } from './styles.ts';

export type CsvDataSpec = Extract<DataSpec, { kind: 'csv' }>;

export interface CsvChoice {
  fileName: string;
  text: string;
  /** SHA-256 of the file's bytes (the link pins it). */
  sha256: string;
  target: string;
  features: string[];
  task: CsvTask;
  /** CSV rows (the header is row 1) the user chose to leave out. */
  dropRows: number[];
  /** How the file relates to the one the study's link pinned. */
  pin: CsvPin;
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs', '|': 'pipes' };

/**
 * The user's own CSV: dropped on the zone or picked with the file dialog, decoded (UTF-8 or
 * UTF-16), parsed with a real CSV parser and hashed; then the target column and its task
 * (regression or classification, shown and chosen, never guessed from a stray cell), the
 * feature columns (one by one or in bulk) and any rows to leave out are chosen. Problems are
 * shown as text naming CSV rows and columns, and no choice is emitted while they stand.
 *
 * @fires csv-change - detail `{ choice: CsvChoice | undefined }`: a usable CSV and columns, or undefined when the file cannot be used.
 */
@customElement('lab-csv-import')
export class LabCsvImport extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .drop { border: 2px dashed var(--lab-muted, #9aa4ae); border-radius: 6px; padding: 0.8rem; text-align: center; font-size: 0.85rem; color: var(--lab-muted, #5b6570); }
      .drop.over { border-color: #457b9d; background: var(--lab-hover-bg, #eef6fb); }
      .drop label.inline { display: inline-flex; }
      fieldset { border: 1px solid var(--lab-border, #d7dce1); border-radius: 4px; margin: 0.5rem 0 0; padding: 0.3rem 0.6rem; }
      legend { font-size: 0.8rem; color: var(--lab-muted, #5b6570); }
      .features { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; max-height: 16rem; overflow: auto; }
      .bulk { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; margin-bottom: 0.3rem; }
      .bulk input { width: 9rem; }
      .tag { color: #8a5a00; font-size: 0.75rem; }
      p { margin: 0.4rem 0 0; }
    `,
  ];

  /** What a study link names: the file to ask for, its hash and the choices to preselect when the file has the columns. */
  @property({ attribute: false }) expected?: CsvDataSpec;

  @state() private fileName?: string;
  @state() private text = '';
  @state() private sha256 = '';
  @state() private table?: CsvTable;
  @state() private profiles = new Map<string, ColumnProfile>();
  @state() private target = '';
  @state() private task?: CsvTask;
  @state() private features: string[] = [];
  @state() private dropRows: number[] = [];
  @state() private pattern = '';
  @state() private selectionNote?: string;
  @state() private pin?: CsvPin;
  @state() private error?: string;
  @state() private dragging = false;
  /** The link's data spec as it was when the first file was chosen (null: no link asked for a file). */
  private link?: CsvDataSpec | null;

  private async load(file: File | undefined): Promise<void> {
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    this.fileName = file.name;
    this.link ??= this.expected ?? null;
    let table: CsvTable;
    try {
      this.text = decodeCsvBytes(bytes);
      table = parseCsv(this.text);
    } catch (e) {
      this.table = undefined;
      this.pin = undefined;
      this.fail(`${file.name}: ${(e as Error).message}`);
      return;
    }
    // The table is shown only with its profiles and target, set together after the hash's
    // await: a render in between read the previous file's target ("reading 'kind'").
    this.sha256 = await sha256Hex(bytes);
    this.table = table;
    this.pin = checkCsvPin(file.name, this.sha256, this.link ?? undefined);
    this.profiles = new Map(table.columns.map((c) => [c, profileColumn(table, c)]));
    this.selectionNote = undefined;
    const named = this.link;
    if (named && [named.target, ...named.features].every((c) => table.columns.includes(c))) {
      this.target = named.target;
      this.features = [...named.features];
      this.dropRows = [...(named.dropRows ?? [])];
      this.task = named.task ?? suggestTask(this.profiles.get(named.target)!);
    } else {
      this.target =
        [...table.columns].reverse().find((c) => this.nameFits(c)) ?? table.columns[table.columns.length - 1];
      this.task = suggestTask(this.profiles.get(this.target)!);
      this.dropRows = [];
      this.select(this.bulkCandidates());
    }
    this.check();
  }

  private nameFits(column: string): boolean {
    return column.length <= CSV_LIMITS.nameLength;
  }

  /** Columns bulk selection may pick: not the target, a name a link can carry, not text. */
  private bulkCandidates(): string[] {
    return this.table!.columns.filter(
      (c) => c !== this.target && this.nameFits(c) && this.profiles.get(c)?.kind !== 'text',
    );
  }

  /** Selects these columns, at most the limit (the first ones), and says so when it cut. */
  private select(columns: string[]): void {
    const limit = CSV_LIMITS.features;
    this.features = columns.slice(0, limit);
    this.selectionNote =
      columns.length > limit
        ? `${columns.length} columns fit; a study uses at most ${limit} feature columns, so the first ${limit} are selected.`
        : undefined;
  }

  private fail(message: string): void {
    this.error = message;
    this.dispatchEvent(new CustomEvent('csv-change', { detail: { choice: undefined }, bubbles: true, composed: true }));
  }

  /** Why the choice cannot be used yet, in the words of this panel; undefined when it can. */
  private problem(): string | undefined {
    const table = this.table!;
    if (!this.task) {
      const unreadable = this.profiles.get(this.target)!.unreadable.filter((u) => !this.dropRows.includes(u.row));
      return `Column "${this.target}" is numeric except ${describeRows(unreadable.map((u) => u.row))}: choose its task below. Regression leaves those rows out; classification makes every distinct value a class.`;
    }
    const long = [this.target, ...this.features].find((c) => !this.nameFits(c));
    if (long !== undefined)
      return `Column ${table.columns.indexOf(long) + 1}'s name is ${long.length} characters long; a study link carries names of at most ${CSV_LIMITS.nameLength}. Shorten it in the file or leave the column out.`;
    if (this.features.length > CSV_LIMITS.features)
      return `${this.features.length} feature columns are chosen; a study uses at most ${CSV_LIMITS.features}. Deselect some (None, then a pattern, helps).`;
    try {
      csvTrainingData(table, {
        target: this.target,
        features: this.features,
        task: this.task,
        dropRows: this.dropRows,
        validationFraction: 0.25,
        seed: 0,
      });
    } catch (e) {
      return (e as Error).message;
    }
    return undefined;
  }

  private check(): void {
    if (!this.table || !this.fileName) return;
    // The worker builds the data with the same function problem() runs; running it here
    // shows its complaint (a non-numeric cell, one class only…) before the study starts.
    const problem = this.problem();
    if (problem || !this.task) {
      this.fail(`${this.fileName}: ${problem}`);
      return;
    }
    this.error = undefined;
    const choice: CsvChoice = {
      fileName: this.fileName,
      text: this.text,
      sha256: this.sha256,
      target: this.target,
      features: this.features,
      task: this.task,
      dropRows: this.dropRows,
      pin: this.pin ?? { status: 'new' },
    };
    this.dispatchEvent(new CustomEvent('csv-change', { detail: { choice }, bubbles: true, composed: true }));
  }

  /** Rows whose cell in a chosen numeric column is not a number (and not yet left out). */
  private unreadableRows(): number[] {
    const numericColumns = [...this.features, ...(this.task === 'regression' ? [this.target] : [])];
    const rows = new Set<number>();
    for (const column of numericColumns) {
      const profile = this.profiles.get(column);
      if (profile?.kind === 'mostly-numeric')
        for (const { row } of profile.unreadable) if (!this.dropRows.includes(row)) rows.add(row);
    }
    return [...rows].sort((a, b) => a - b);
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragging = false;
    void this.load(e.dataTransfer?.files[0]);
  }

  private setTarget(target: string): void {
    this.target = target;
    this.task = suggestTask(this.profiles.get(target)!);
    this.features = this.features.filter((f) => f !== target);
    this.check();
  }

  private setTask(task: CsvTask): void {
    this.task = task;
    this.check();
  }

  private toggleFeature(name: string, on: boolean): void {
    this.features = this.table!.columns.filter((c) => (c === name ? on : this.features.includes(c)));
    this.selectionNote = undefined;
    this.check();
  }

  private bulk(how: 'all' | 'none' | 'invert' | 'pattern'): void {
    const candidates = this.bulkCandidates();
    if (how === 'all') this.select(candidates);
    if (how === 'none') this.select([]);
    if (how === 'invert') this.select(candidates.filter((c) => !this.features.includes(c)));
    if (how === 'pattern') this.select(candidates.filter((c) => matchesPattern(c, this.pattern)));
    this.check();
  }

  private leaveOut(rows: number[]): void {
    this.dropRows = [...this.dropRows, ...rows].sort((a, b) => a - b);
    this.check();
  }

  private keepAllRows(): void {
    this.dropRows = [];
    this.check();
  }

  protected override render() {
    return html`
      <div
        class="drop ${this.dragging ? 'over' : ''}"
        data-testid="csv-drop"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragleave=${() => (this.dragging = false)}
        @drop=${this.onDrop}
      >
        ${this.expected && !this.fileName ? html`<p>This study uses the file <strong>${this.expected.fileName}</strong>; choose it to run.</p>` : ''}
        Drop a CSV file here, or
        <label class="inline">
          <input type="file" accept=".csv,.tsv,.txt,text/csv" data-testid="csv-file" aria-label="choose a CSV file" @change=${(e: Event) => void this.load((e.target as HTMLInputElement).files?.[0])} />
        </label>
        <div class="hint" data-testid="csv-limits">
          A header row of column names, then one row per example; cells separated by commas, semicolons, tabs or pipes; UTF-8 or UTF-16 text. Numbers in
          plain decimal (1234.5, -2e-3) within ±3.4e38, without thousands separators; feature columns are standardised. A study uses at most
          ${CSV_LIMITS.features} feature columns, column names of at most ${CSV_LIMITS.nameLength} characters, ${MAX_CLASSES} classes, and leaves out at most
          ${CSV_LIMITS.droppedRows} rows.
        </div>
      </div>
      ${
        this.pin?.message
          ? html`<p class=${this.pin.status === 'same' ? 'hint' : 'notice'} role="status" data-testid="csv-pin" data-status=${this.pin.status}>${this.pin.message}</p>`
          : ''
      }
      ${this.error ? html`<p class="error" role="alert" data-testid="csv-error">${this.error}</p>` : ''}
      ${this.table ? this.renderChoices(this.table) : ''}
    `;
  }

  private renderChoices(table: CsvTable) {
    const profile = this.profiles.get(this.target)!;
    const unreadable = this.unreadableRows();
    const remaining = table.rows.length - this.dropRows.length - unreadable.length;
    const canLeaveOut =
      unreadable.length > 0 && this.dropRows.length + unreadable.length <= CSV_LIMITS.droppedRows && remaining >= 2;
    return html`
      <p class="hint" data-testid="csv-summary">${this.fileName}: ${table.rows.length} rows, ${table.columns.length} columns</p>
      <p class="hint">Cells separated by ${DELIMITER_NAMES[table.delimiter]}; SHA-256 ${this.sha256.slice(0, 12)}… (the study's link pins this file).</p>
      <div class="row">
        <label>target column
          <select data-testid="csv-target" @change=${(e: Event) => this.setTarget((e.target as HTMLSelectElement).value)}>
            ${table.columns.map((c) => html`<option value=${c} .selected=${c === this.target} ?disabled=${!this.nameFits(c)}>${c}</option>`)}
          </select>
        </label>
        <fieldset data-testid="csv-task">
          <legend>task</legend>
          <label class="inline"
            ><input type="radio" name="task" value="regression" .checked=${this.task === 'regression'} ?disabled=${profile.kind === 'text'} @change=${() => this.setTask('regression')} />regression
            (predict the number)</label
          >
          <label class="inline"
            ><input type="radio" name="task" value="classification" .checked=${this.task === 'classification'} @change=${() => this.setTask('classification')} />classification
            (${profile.distinct} classes)</label
          >
        </fieldset>
      </div>
      <p class="hint" data-testid="csv-target-kind" data-kind=${profile.kind}>${this.describeColumn(profile)}</p>
      ${
        unreadable.length
          ? html`<p class="notice" data-testid="csv-unreadable">
            ${describeRows(unreadable)} of the chosen numeric columns ${unreadable.length === 1 ? 'holds a cell that is' : 'hold cells that are'} not numbers.
            ${
              canLeaveOut
                ? html`<button data-testid="csv-leave-out" @click=${() => this.leaveOut(unreadable)}>Leave out ${unreadable.length === 1 ? 'this row' : `these ${unreadable.length} rows`}</button>`
                : html`Too many to leave out (at most ${CSV_LIMITS.droppedRows} rows, at least 2 kept): fix the file or choose other columns.`
            }
          </p>`
          : ''
      }
      ${
        this.dropRows.length
          ? html`<p class="hint" data-testid="csv-dropped">${describeRows(this.dropRows)} left out. <button @click=${this.keepAllRows}>Keep all rows</button></p>`
          : ''
      }
      <fieldset>
        <legend>feature columns (${this.features.length} of at most ${CSV_LIMITS.features})</legend>
        <div class="bulk">
          <button data-testid="csv-all" @click=${() => this.bulk('all')}>All</button>
          <button data-testid="csv-none" @click=${() => this.bulk('none')}>None</button>
          <button data-testid="csv-invert" @click=${() => this.bulk('invert')}>Invert</button>
          <input
            type="text"
            aria-label="column name pattern"
            placeholder="pattern, e.g. px_*"
            data-testid="csv-pattern"
            .value=${this.pattern}
            @input=${(e: Event) => (this.pattern = (e.target as HTMLInputElement).value)}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this.bulk('pattern')}
          />
          <button data-testid="csv-select-matching" @click=${() => this.bulk('pattern')}>Select matching</button>
          <span class="hint">Bulk choices skip text columns; * matches any text, ? one character.</span>
        </div>
        ${this.selectionNote ? html`<p class="hint" data-testid="csv-selection-note">${this.selectionNote}</p>` : ''}
        <div class="features">
          ${table.columns
            .filter((c) => c !== this.target)
            .map((c) => {
              const kind = this.profiles.get(c)?.kind;
              const fits = this.nameFits(c);
              return html`<label class="inline" title=${fits ? '' : `name longer than ${CSV_LIMITS.nameLength} characters`}
                ><input type="checkbox" ?disabled=${!fits} .checked=${this.features.includes(c)} @change=${(e: Event) => this.toggleFeature(c, (e.target as HTMLInputElement).checked)} />${c}${
                  kind === 'text'
                    ? html` <span class="tag">(text)</span>`
                    : kind === 'mostly-numeric'
                      ? html` <span class="tag">(${this.profiles.get(c)!.unreadable.length} not numbers)</span>`
                      : ''
                }</label
              >`;
            })}
        </div>
      </fieldset>
    `;
  }

  private describeColumn(profile: ColumnProfile): string {
    const name = `"${profile.name}"`;
    if (profile.kind === 'numeric') return `${name} holds numbers (${profile.distinct} distinct values).`;
    if (profile.kind === 'text')
      return `${name} holds text (${profile.distinct} distinct values): a classification target.`;
    const [first] = profile.unreadable;
    return `${name} holds numbers except ${describeRows(profile.unreadable.map((u) => u.row))} (row ${first.row}: ${first.problem}).`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-csv-import': LabCsvImport;
  }
}
