import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { FRAMEWORKS, type Framework, trainingCode } from '../study/codegen.ts';
import type { DataShape } from '../study/cost.ts';
import type { StudyEvent } from '../study/events.ts';
import {
  exportFileName,
  importedEvents,
  MAX_EXPORT_CHARS,
  parseStudyExport,
  type StudyExport,
  studyExportJson,
  studySnapshot,
  tooLarge,
  trialsCsv,
} from '../study/export.ts';
import type { StudyState } from '../study/state.ts';
import { panelStyles } from './styles.ts';

/** A chart the menu can save as PNG (e.g. `{ label: 'loss curves', name: 'loss-curves', png: () => uplotElement.png() }`). */
export interface ChartImage {
  label: string;
  /** File-name part, e.g. "loss-curves". */
  name: string;
  png: () => Promise<Blob>;
}

export interface StudyImportedDetail {
  study: StudyExport;
  /** The events that rebuild it through applyStudyEvent (journal them as a new library study). */
  events: StudyEvent[];
}

/** How long a download's object URL outlives the click that started it. */
const REVOKE_AFTER_MS = 10_000;

/** Starts a browser download of `blob` named `fileName`. */
function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link); // some browsers ignore a click on a link outside the document
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

/**
 * Export and import of a study: the trials as CSV, the whole study as JSON, the best trial's
 * configuration as PyTorch, Keras or optax code (to the clipboard, or into a box to copy by
 * hand where the browser refuses), each chart as PNG, and "Import study JSON…".
 *
 * @fires study-imported - detail {@link StudyImportedDetail}: a study file that passed every check.
 */
@customElement('lab-export-menu')
export class LabExportMenu extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .row { align-items: center; gap: 0.4rem 0.6rem; }
      .group { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; }
      .group > span { font-size: 0.8rem; color: var(--lab-ink, #333a42); }
      textarea { width: 100%; min-height: 12rem; font-family: ui-monospace, monospace; font-size: 0.75rem; margin-top: 0.4rem; }
      .status { font-size: 0.8rem; color: #2a9d8f; margin: 0.3rem 0 0; }
      input[type='file'] { display: none; }
    `,
  ];

  /** The study as it stands (exports read it when a button is pressed). */
  @property({ attribute: false }) state?: StudyState;
  /**
   * The sizes of the loaded data (cost.ts dataShapeOfTrainingData), needed for code (layer
   * widths, epochs) and kept in the JSON; by default the ones the study's runner recorded.
   */
  @property({ attribute: false }) dataShape?: DataShape;
  /** Charts to offer as PNG. */
  @property({ attribute: false }) charts: ChartImage[] = [];

  @state() private message?: string;
  @state() private error?: string;
  /** Code the clipboard refused, shown for copying by hand. */
  @state() private manualCopy?: { label: string; code: string };

  private report(message: string): void {
    this.message = message;
    this.error = undefined;
  }

  private fail(error: string): void {
    this.error = error;
    this.message = undefined;
  }

  private studyOrFail(): StudyState | undefined {
    if (!this.state || this.state.trials.size === 0) this.fail('There is nothing to export yet: run a study first.');
    return this.state && this.state.trials.size > 0 ? this.state : undefined;
  }

  private exportCsv(): void {
    const study = this.studyOrFail();
    if (!study) return;
    download(
      new Blob([trialsCsv(study.spec, [...study.trials.values()])], { type: 'text/csv' }),
      exportFileName(study.spec, 'csv'),
    );
    this.report(`Saved ${study.trials.size} trials as CSV.`);
  }

  private exportJson(): void {
    const study = this.studyOrFail();
    if (!study) return;
    download(
      new Blob([studyExportJson(studySnapshot(study, this.dataShape ?? study.dataShape))], {
        type: 'application/json',
      }),
      exportFileName(study.spec, 'json'),
    );
    this.report('Saved the whole study as JSON; "Import study JSON…" opens it again.');
  }

  private async copyBest(framework: Framework, label: string): Promise<void> {
    const study = this.studyOrFail();
    if (!study) return;
    const best = study.bestTrialId === undefined ? undefined : study.trials.get(study.bestTrialId);
    if (!best) return this.fail('No trial has a result yet, so there is no best configuration to copy.');
    const data = this.dataShape ?? study.dataShape;
    if (!data || data.trainCount < 1)
      return this.fail(
        "The study's data is not loaded, so the layer sizes and epochs are unknown; open the study's data and try again.",
      );
    let code: string;
    try {
      code = trainingCode(framework, { spec: study.spec, trial: best, data });
    } catch (e) {
      return this.fail(`The best trial's configuration cannot be written as ${label}: ${(e as Error).message}`);
    }
    this.manualCopy = undefined;
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(code);
      this.report(`Copied trial #${best.id} as ${label} code.`);
    } catch {
      this.manualCopy = { label, code };
      this.report(
        `The browser did not allow copying. Trial #${best.id} as ${label} code is below: select it and copy (Ctrl+C).`,
      );
      await this.updateComplete;
      this.renderRoot.querySelector('textarea')?.select();
    }
  }

  private async savePng(chart: ChartImage): Promise<void> {
    if (!this.state) return this.fail('There is no chart to save yet: run a study first.');
    try {
      download(await chart.png(), exportFileName(this.state.spec, 'png').replace(/\.png$/, `-${chart.name}.png`));
      this.report(`Saved the ${chart.label} as PNG.`);
    } catch (e) {
      this.fail(`The ${chart.label} could not be saved: ${(e as Error).message}.`);
    }
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = ''; // the same file can be chosen again
    if (!file) return;
    if (file.size > MAX_EXPORT_CHARS) return this.fail(`${file.name}: ${tooLarge(file.size)}`);
    let text: string;
    try {
      text = await file.text();
    } catch (e) {
      return this.fail(`${file.name} could not be read: ${(e as Error).message}`);
    }
    const parsed = parseStudyExport(text);
    if (!parsed.ok) return this.fail(`${file.name}: ${parsed.error}`);
    const detail: StudyImportedDetail = { study: parsed.study, events: importedEvents(parsed.study) };
    this.report(`Imported ${file.name}: ${parsed.study.trials.length} trials.`);
    this.dispatchEvent(
      new CustomEvent<StudyImportedDetail>('study-imported', { detail, bubbles: true, composed: true }),
    );
  }

  protected override render() {
    return html`
      <div class="row">
        <div class="group" role="group" aria-label="export the study">
          <span>Export</span>
          <button data-testid="export-csv" title="One row per trial: value, accuracy, steps, seeds, every hyperparameter" @click=${() => this.exportCsv()}>CSV</button>
          <button data-testid="export-json" title="The whole study, curves included; the lab imports it again" @click=${() => this.exportJson()}>JSON</button>
        </div>
        <div class="group" role="group" aria-label="copy the best configuration as code">
          <span>Copy best as</span>
          ${FRAMEWORKS.map(({ id, label }) => html`<button data-testid="copy-${id}" @click=${() => void this.copyBest(id, label)}>${label}</button>`)}
        </div>
        ${
          this.charts.length
            ? html`<div class="group" role="group" aria-label="save a chart as PNG">
              <span>PNG</span>
              ${this.charts.map((chart) => html`<button data-testid="png-${chart.name}" @click=${() => void this.savePng(chart)}>${chart.label}</button>`)}
            </div>`
            : ''
        }
        <div class="group">
          <button data-testid="import-json" @click=${() => this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click()}>Import study JSON…</button>
          <input type="file" accept=".json,application/json" data-testid="import-file" aria-label="study JSON file" @change=${(e: Event) => void this.importFile(e.target as HTMLInputElement)} />
        </div>
      </div>
      <p class="hint">
        PNG: each chart's plot and axes on white; its legend is page text and is not in the image. The charts are drawn on a
        canvas, so there is no SVG. Code: the best trial's model, optimizer, schedule, batch size and steps, with comments
        where the framework differs from the lab.
      </p>
      ${this.message ? html`<p class="status" role="status" data-testid="export-status">${this.message}</p>` : ''}
      ${this.error ? html`<p class="error" role="alert" data-testid="export-error">${this.error}</p>` : ''}
      ${
        this.manualCopy
          ? html`<textarea readonly data-testid="copy-fallback" aria-label="${this.manualCopy.label} code to copy" .value=${this.manualCopy.code}></textarea>`
          : ''
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-export-menu': LabExportMenu;
  }
}
