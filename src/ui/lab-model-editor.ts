import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ARCHITECTURES, BATCH_NORM, KERNEL_SIZES, POOL_MODES } from '../search/hyperparameters.ts';
import { IMAGE_DATA_SETS } from '../study/cnn.ts';
import { STUDY_PRESETS } from '../study/presets.ts';
import type { HyperparameterName, SpaceRow } from '../study/spec.ts';
import { MAX_FILTERS } from '../train/layers.ts';
import { ACTIVATIONS, OPTIMIZERS } from '../train/types.ts';
import { panelStyles } from './styles.ts';

/**
 * The model: its architecture (an MLP, or a CNN's conv blocks, filters, kernel, pooling and
 * dropout, shown only for a CNN), hidden layers and units, activation, batch norm and optimizer. These are
 * hyperparameters like any other (rows of the space); here the user sets the values they hold
 * while not searched. The loss follows the data set's task. A whole study can start from a
 * preset (presets.ts).
 *
 * @fires space-change - detail `{ space: SpaceRow[] }`, the space with the edited defaults.
 * @fires study-preset - detail `{ id }`, a preset of STUDY_PRESETS to start from.
 */
@customElement('lab-model-editor')
export class LabModelEditor extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) space: SpaceRow[] = [];
  @property() task: 'classification' | 'regression' | 'from-file' = 'classification';

  private setDefault(name: HyperparameterName, value: number | string): void {
    const space = this.space.map((r) => (r.name === name ? { ...r, default: value } : r));
    this.dispatchEvent(new CustomEvent('space-change', { detail: { space }, bubbles: true, composed: true }));
  }

  private row(name: HyperparameterName): SpaceRow | undefined {
    return this.space.find((r) => r.name === name);
  }

  private searched(name: HyperparameterName) {
    return this.row(name)?.enabled ? html`<span class="hint">(searched)</span>` : '';
  }

  private numberField(name: HyperparameterName, label: string, min: number, max: number, step = 1) {
    return html`<label>${label} ${this.searched(name)}
      <input type="number" min=${min} max=${max} step=${step} data-testid=${name} .value=${String(this.row(name)?.default ?? '')}
        @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const valid = input.value.trim() !== '' && input.checkValidity();
          input.setAttribute('aria-invalid', String(!valid));
          // An invalid value goes up too: the study's validation then blocks Run and says why (never the old value run).
          this.setDefault(name, input.value.trim() === '' ? Number.NaN : Number(input.value));
        }} />
    </label>`;
  }

  private choiceField(name: HyperparameterName, label: string, choices: readonly string[]) {
    const value = this.row(name)?.default;
    return html`<label>${label} ${this.searched(name)}
      <select data-testid=${name} @change=${(e: Event) => this.setDefault(name, (e.target as HTMLSelectElement).value)}>
        ${choices.map((c) => html`<option value=${c} .selected=${c === value}>${c}</option>`)}
      </select>
    </label>`;
  }

  protected override render() {
    const loss =
      this.task === 'classification'
        ? 'softmax cross-entropy'
        : this.task === 'regression'
          ? 'mean squared error'
          : 'from the CSV target';
    const cnn = this.row('architecture')?.default === 'cnn' || this.row('architecture')?.enabled === true;
    return html`
      <h2>Model</h2>
      <div class="row">
        <label>start from
          <select data-testid="preset" aria-label="start from a preset study" @change=${(e: Event) => {
            const select = e.target as HTMLSelectElement;
            const id = select.value;
            select.value = '';
            if (id)
              this.dispatchEvent(new CustomEvent('study-preset', { detail: { id }, bubbles: true, composed: true }));
          }}>
            <option value="">this study</option>
            ${STUDY_PRESETS.map((p) => html`<option value=${p.id}>${p.label}</option>`)}
          </select>
        </label>
        ${this.choiceField('architecture', 'architecture', ARCHITECTURES)}
        ${cnn ? html`<span class="hint">a CNN needs image data: ${IMAGE_DATA_SETS}</span>` : ''}
      </div>
      ${
        cnn
          ? html`<div class="row" data-testid="cnn-fields">
              ${this.numberField('convBlocks', 'conv blocks', 1, 4)}
              ${this.numberField('convFilters', 'filters (first block, doubling)', 1, MAX_FILTERS)}
              ${this.choiceField('kernelSize', 'kernel size', KERNEL_SIZES)}
              ${this.choiceField('poolMode', 'pooling', POOL_MODES)}
              ${this.numberField('dropout', 'dropout rate', 0, 0.9, 0.05)}
            </div>`
          : ''
      }
      <div class="row">
        ${this.numberField('hiddenLayers', 'hidden layers', cnn ? 0 : 1, 8)}
        ${this.numberField('hiddenUnits', 'units per layer', 1, 1024)}
        ${this.choiceField('activation', 'activation', ACTIVATIONS)}
        ${this.choiceField('batchNorm', 'batch norm', BATCH_NORM)}
        ${this.choiceField('optimizer', 'optimizer', OPTIMIZERS)}
        <span class="hint">loss: ${loss}</span>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-model-editor': LabModelEditor;
  }
}
