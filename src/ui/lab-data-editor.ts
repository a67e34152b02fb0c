import { html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  CLASSIFICATION_SETS,
  CSV_LIMITS,
  type DataSpec,
  REGRESSION_SETS,
  type SyntheticSetName,
} from '../study/spec.ts';
import { TABLE_NAMES, type TableName, tableCard } from '../train/data/tables.ts';
import './lab-csv-import.ts';
import type { CsvPin } from '../study/data.ts';
import type { CsvChoice } from './lab-csv-import.ts';
import { panelStyles } from './styles.ts';

type SourceChoice = SyntheticSetName | 'digits' | 'digits-28' | TableName | 'csv';

export interface DataChange {
  /** The new data spec, or undefined while a CSV is chosen but not yet usable. */
  data: DataSpec | undefined;
  /** The CSV's content, which the spec cannot carry. */
  csv?: { fileName: string; text: string };
  /**
   * With a CSV: how the file relates to the one the study's link pinned. 'different' means
   * the study runs on another file and is not reproducible; its message says so for the page.
   */
  csvPin?: CsvPin;
}

/**
 * The data set: a synthetic 2-D set (with noise), the handwritten digits, or the user's own
 * CSV; the train/validation split and the data seed.
 *
 * @fires data-change - detail `DataChange`.
 */
@customElement('lab-data-editor')
export class LabDataEditor extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) data!: DataSpec;
  /** Set from picking "my CSV" until another source is picked: the importer stays, whatever the data spec says meanwhile. */
  @state() private pendingCsv = false;

  private emit(change: DataChange): void {
    this.dispatchEvent(new CustomEvent<DataChange>('data-change', { detail: change, bubbles: true, composed: true }));
  }

  private get source(): SourceChoice {
    if (this.pendingCsv) return 'csv';
    if (this.data.kind === 'digits') return this.data.side === 28 ? 'digits-28' : 'digits';
    if (this.data.kind === 'table') return this.data.name;
    return this.data.kind === 'synthetic' ? this.data.name : this.data.kind;
  }

  private pickSource(source: SourceChoice): void {
    const { validationFraction, seed } = this.data;
    this.pendingCsv = source === 'csv';
    if (source === 'csv') {
      this.emit({ data: undefined });
      return;
    }
    if (source === 'digits' || source === 'digits-28') {
      // 14×14 is the spec without a side, as links made before 28×28 say it.
      const side = source === 'digits-28' ? { side: 28 as const } : {};
      const count = this.data.kind === 'digits' ? this.data.count : 2000;
      this.emit({ data: { kind: 'digits', ...side, count, validationFraction, seed } });
      return;
    }
    if ((TABLE_NAMES as readonly string[]).includes(source)) {
      this.emit({ data: { kind: 'table', name: source as TableName, validationFraction, seed } });
      return;
    }
    const previous = this.data.kind === 'synthetic' ? this.data : { count: 512, noise: 0.1 };
    this.emit({
      data: {
        kind: 'synthetic',
        name: source as SyntheticSetName,
        count: previous.count,
        noise: previous.noise,
        validationFraction,
        seed,
      },
    });
  }

  private onCsv(choice: CsvChoice | undefined): void {
    if (!choice) {
      this.emit({ data: undefined });
      return;
    }
    const { validationFraction, seed } = this.data;
    const { target, features, task, dropRows, sha256 } = choice;
    this.emit({
      data: {
        kind: 'csv',
        fileName: choice.fileName.slice(0, CSV_LIMITS.nameLength),
        target,
        features,
        task,
        ...(dropRows.length ? { dropRows } : {}),
        sha256,
        validationFraction,
        seed,
      },
      csv: { fileName: choice.fileName, text: choice.text },
      csvPin: choice.pin,
    });
  }

  private setNumber(field: 'count' | 'noise' | 'validationFraction' | 'seed', input: HTMLInputElement): void {
    const value = Number(input.value);
    const valid = input.value.trim() !== '' && Number.isFinite(value) && input.checkValidity();
    input.setAttribute('aria-invalid', String(!valid));
    // An invalid value goes up too: the study's validation then blocks Run and says why (never the old value run).
    this.emit({ data: { ...this.data, [field]: input.value.trim() === '' ? Number.NaN : value } as DataSpec });
  }

  protected override render() {
    const d = this.data;
    const source = this.source;
    return html`
      <h2>Data</h2>
      <div class="row">
        <label>data set
          <select data-testid="dataset" @change=${(e: Event) => this.pickSource((e.target as HTMLSelectElement).value as SourceChoice)}>
            <optgroup label="2-D classification">
              ${CLASSIFICATION_SETS.map((n) => html`<option value=${n} .selected=${source === n}>${n}</option>`)}
            </optgroup>
            <optgroup label="2-D regression">
              ${REGRESSION_SETS.map((n) => html`<option value=${n} .selected=${source === n}>${n}</option>`)}
            </optgroup>
            <optgroup label="handwritten digits (MNIST)">
              <option value="digits" .selected=${source === 'digits'}>digits 14×14</option>
              <option value="digits-28" .selected=${source === 'digits-28'}>digits 28×28</option>
            </optgroup>
            <optgroup label="classic tables">
              ${TABLE_NAMES.map((n) => html`<option value=${n} .selected=${source === n}>${n}</option>`)}
            </optgroup>
            <option value="csv" .selected=${source === 'csv'}>my CSV file…</option>
          </select>
        </label>
        ${
          (d.kind === 'synthetic' || d.kind === 'digits') && !this.pendingCsv
            ? html`<label>examples <input type="number" min=${d.kind === 'digits' ? 100 : 16} max=${d.kind === 'digits' ? 10000 : 20000} step="1" .value=${String(d.count)} @change=${(e: Event) => this.setNumber('count', e.target as HTMLInputElement)} /></label>`
            : ''
        }
        ${
          d.kind === 'synthetic' && !this.pendingCsv
            ? html`<label>noise <input type="number" min="0" max="1" step="0.05" .value=${String(d.noise)} @change=${(e: Event) => this.setNumber('noise', e.target as HTMLInputElement)} /></label>`
            : ''
        }
        <label>validation share <input type="number" min="0.05" max="0.9" step="0.05" .value=${String(d.validationFraction)} @change=${(e: Event) => this.setNumber('validationFraction', e.target as HTMLInputElement)} /></label>
        <label>data seed <input type="number" min="0" max="4294967295" step="1" .value=${String(d.seed)} @change=${(e: Event) => this.setNumber('seed', e.target as HTMLInputElement)} /></label>
      </div>
      ${d.kind === 'table' && !this.pendingCsv ? html`<p class="hint" data-testid="data-card">${d.name}: ${tableCard(d.name)}</p>` : ''}
      ${source === 'csv' ? html`<lab-csv-import .expected=${d.kind === 'csv' ? d : undefined} @csv-change=${(e: CustomEvent<{ choice?: CsvChoice }>) => this.onCsv(e.detail.choice)}></lab-csv-import>` : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-data-editor': LabDataEditor;
  }
}
