import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { HyperparameterName, SpaceRow } from '../study/spec.ts';
import { ACTIVATIONS, OPTIMIZERS } from '../train/types.ts';
import { panelStyles } from './styles.ts';

/**
 * The model: hidden layers and units, activation and optimizer. These are hyperparameters
 * like any other (rows of the space); here the user sets the values they hold while not
 * searched. The loss follows the data set's task.
 *
 * @fires space-change - detail `{ space: SpaceRow[] }`, the space with the edited defaults.
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

  private numberField(name: 'hiddenLayers' | 'hiddenUnits', label: string, max: number) {
    return html`<label>${label} ${this.searched(name)}
      <input type="number" min="1" max=${max} step="1" data-testid=${name} .value=${String(this.row(name)?.default ?? '')}
        @change=${(e: Event) => {
          const input = e.target as HTMLInputElement;
          const valid = input.value.trim() !== '' && input.checkValidity();
          input.setAttribute('aria-invalid', String(!valid));
          // An invalid value goes up too: the study's validation then blocks Run and says why (never the old value run).
          this.setDefault(name, input.value.trim() === '' ? Number.NaN : Number(input.value));
        }} />
    </label>`;
  }

  private choiceField(name: 'activation' | 'optimizer', label: string, choices: readonly string[]) {
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
    return html`
      <h2>Model</h2>
      <div class="row">
        ${this.numberField('hiddenLayers', 'hidden layers', 8)}
        ${this.numberField('hiddenUnits', 'units per layer', 1024)}
        ${this.choiceField('activation', 'activation', ACTIVATIONS)}
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
