import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { csvTrainingData, parseCsv, type CsvTable } from '../train/data/csv.ts';
import { panelStyles } from './styles.ts';

export interface CsvChoice {
  fileName: string;
  text: string;
  target: string;
  features: string[];
}

/**
 * The user's own CSV: dropped on the zone or picked with the file dialog, parsed with a real
 * CSV parser, then a target column and feature columns chosen. Problems (empty file, no rows,
 * a cell that is not a number) are shown as text and no choice is emitted.
 *
 * @fires csv-change - detail `{ choice: CsvChoice | undefined }`: a usable CSV and columns, or undefined when the file cannot be used.
 */
@customElement('lab-csv-import')
export class LabCsvImport extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .drop { border: 2px dashed #9aa4ae; border-radius: 6px; padding: 0.8rem; text-align: center; font-size: 0.85rem; color: #5b6570; }
      .drop.over { border-color: #457b9d; background: #eef6fb; }
      fieldset { border: 1px solid #d7dce1; border-radius: 4px; margin: 0.5rem 0 0; padding: 0.3rem 0.6rem; }
      legend { font-size: 0.8rem; color: #5b6570; }
      .features { display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
    `,
  ];

  /** What a study link names: the file to ask for and the columns to preselect when the file has them. */
  @property({ attribute: false }) expected?: { fileName: string; target: string; features: string[] };

  @state() private fileName?: string;
  @state() private text = '';
  @state() private table?: CsvTable;
  @state() private target = '';
  @state() private features: string[] = [];
  @state() private error?: string;
  @state() private dragging = false;

  private async load(file: File | undefined): Promise<void> {
    if (!file) return;
    const text = await file.text();
    this.fileName = file.name;
    this.text = text;
    try {
      this.table = parseCsv(text);
    } catch (e) {
      this.table = undefined;
      this.fail(`${file.name}: ${(e as Error).message}`);
      return;
    }
    const columns = this.table.columns;
    const named = this.expected;
    const hasNamed = named !== undefined && [named.target, ...named.features].every((c) => columns.includes(c));
    this.target = hasNamed ? named.target : columns[columns.length - 1];
    this.features = hasNamed ? [...named.features] : columns.slice(0, -1);
    this.check();
  }

  private fail(message: string): void {
    this.error = message;
    this.dispatchEvent(new CustomEvent('csv-change', { detail: { choice: undefined }, bubbles: true, composed: true }));
  }

  private check(): void {
    if (!this.table || !this.fileName) return;
    // The worker builds the data with this same function; running it here shows its
    // complaint (a non-numeric cell, one class only…) before the study starts.
    try {
      csvTrainingData(this.table, { target: this.target, features: this.features, validationFraction: 0.25, seed: 0 });
    } catch (e) {
      return this.fail(`${this.fileName}: ${(e as Error).message}`);
    }
    this.error = undefined;
    const choice: CsvChoice = { fileName: this.fileName, text: this.text, target: this.target, features: this.features };
    this.dispatchEvent(new CustomEvent('csv-change', { detail: { choice }, bubbles: true, composed: true }));
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragging = false;
    void this.load(e.dataTransfer?.files[0]);
  }

  private setTarget(target: string): void {
    this.target = target;
    this.features = this.features.filter((f) => f !== target);
    this.check();
  }

  private toggleFeature(name: string, on: boolean): void {
    this.features = this.table!.columns.filter((c) => (c === name ? on : this.features.includes(c)));
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
        <label class="inline" style="display:inline-flex">
          <input type="file" accept=".csv,text/csv" data-testid="csv-file" aria-label="choose a CSV file" @change=${(e: Event) => void this.load((e.target as HTMLInputElement).files?.[0])} />
        </label>
        <div class="hint">A header row of column names, then one row per example. Feature columns must be numbers; they are standardised.</div>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="csv-error">${this.error}</p>` : ''}
      ${this.table
        ? html`
            <p class="hint" data-testid="csv-summary">${this.fileName}: ${this.table.rows.length} rows, ${this.table.columns.length} columns</p>
            <div class="row">
              <label>target column
                <select data-testid="csv-target" @change=${(e: Event) => this.setTarget((e.target as HTMLSelectElement).value)}>
                  ${this.table.columns.map((c) => html`<option value=${c} .selected=${c === this.target}>${c}</option>`)}
                </select>
              </label>
            </div>
            <fieldset>
              <legend>feature columns</legend>
              <div class="features">
                ${this.table.columns
                  .filter((c) => c !== this.target)
                  .map((c) => html`<label class="inline"><input type="checkbox" .checked=${this.features.includes(c)} @change=${(e: Event) => this.toggleFeature(c, (e.target as HTMLInputElement).checked)} />${c}</label>`)}
              </div>
            </fieldset>
          `
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-csv-import': LabCsvImport;
  }
}
