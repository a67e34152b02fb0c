import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { conditionText } from '../search/hyperparameters.ts';
import type { Distribution, NumericDistribution } from '../search/space.ts';
import { rowProblems, takesWholeNumbers } from '../study/spaceRules.ts';
import type { SpaceRow } from '../study/spec.ts';
import './lab-scale-preview.ts';
import { PARAM_LABELS, panelStyles } from './styles.ts';

/** The scales a numeric row offers, as the form names them. */
const NUMERIC_SCALES = {
  linear: 'linear',
  log: 'log',
  'one-minus-log': 'one-minus-log (1-x on log)',
  int: 'int',
  'int-log': 'int, log',
  pow2: 'power of two',
} as const;
type ScaleChoice = keyof typeof NUMERIC_SCALES;
const WHOLE_NUMBER_SCALES: readonly ScaleChoice[] = ['int', 'int-log', 'pow2'];

function scaleOf(d: NumericDistribution): ScaleChoice {
  if (d.kind === 'power-of-two') return 'pow2';
  if (d.kind === 'int') return d.scale === 'log' ? 'int-log' : 'int';
  return d.scale;
}

/** The distribution with a new scale and the same range (rounded where the scale needs integers). */
function withScale(d: NumericDistribution, scale: ScaleChoice): NumericDistribution {
  const { low, high } = d;
  const pow2 = (v: number) => 2 ** Math.round(Math.log2(Math.max(1, v)));
  switch (scale) {
    case 'pow2':
      return { kind: 'power-of-two', low: pow2(low), high: pow2(high) };
    case 'int':
    case 'int-log':
      return { kind: 'int', scale: scale === 'int' ? 'linear' : 'log', low: Math.round(low), high: Math.round(high) };
    default:
      return { kind: 'float', scale, low, high };
  }
}

/** Reads a number field; NaN when it does not hold one. */
function numberOf(input: HTMLInputElement): number {
  return input.value.trim() === '' ? NaN : Number(input.value);
}

/**
 * The search space: one row per hyperparameter with on/off, scale, range, default and a
 * live preview of where samples land on that scale.
 *
 * @fires space-change - detail `{ space: SpaceRow[] }`, the whole edited space.
 */
@customElement('lab-space-table')
export class LabSpaceTable extends LitElement {
  static override styles = [
    panelStyles,
    css`
      table { border-collapse: collapse; width: 100%; font-size: 0.82rem; }
      th { text-align: left; font-weight: 600; color: var(--lab-muted, #5b6570); padding: 0.2rem 0.35rem; border-bottom: 1px solid var(--lab-border, #d7dce1); }
      td { padding: 0.2rem 0.35rem; border-bottom: 1px solid var(--lab-border-soft, #eef0f2); vertical-align: middle; }
      tr.off td:not(:first-child) { opacity: 0.55; }
      input[type='number'] { width: 5.5rem; }
      input.choices { width: 14rem; }
      .tier { color: var(--lab-muted, #5b6570); font-size: 0.72rem; }
      tr.invalid td { border-bottom: none; }
      tr.problems .error { display: block; }
      /* Narrow screens: each hyperparameter's row wraps as a block of its controls (the header is for wide tables). */
      @media (max-width: 640px) {
        thead { display: none; }
        table, tbody, td { display: block; }
        tr { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.5rem; padding: 0.4rem 0; border-bottom: 1px solid var(--lab-border-soft, #eef0f2); }
        td { border-bottom: none; padding: 0.1rem; }
        td:nth-child(2) { flex: 1 1 60%; }
      }
    `,
  ];

  @property({ attribute: false }) space: SpaceRow[] = [];

  private emit(index: number, row: SpaceRow): void {
    const space = this.space.map((r, i) => (i === index ? row : r));
    this.dispatchEvent(new CustomEvent('space-change', { detail: { space }, bubbles: true, composed: true }));
  }

  private setDistribution(index: number, row: SpaceRow, distribution: Distribution): void {
    this.emit(index, { ...row, distribution } as SpaceRow);
  }

  // Every edit goes up as typed, invalid ones too: the study's validation then blocks Run
  // with the reason (and the row shows it), instead of Run running the previous value.
  private setBound(index: number, row: SpaceRow, which: 'low' | 'high', input: HTMLInputElement): void {
    const value = numberOf(input);
    input.setAttribute('aria-invalid', String(!Number.isFinite(value)));
    if (row.distribution.kind !== 'categorical')
      this.setDistribution(index, row, { ...row.distribution, [which]: value });
  }

  private setChoices(index: number, row: SpaceRow, input: HTMLInputElement): void {
    const choices = input.value
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    input.setAttribute('aria-invalid', String(choices.length === 0));
    this.setDistribution(index, row, { kind: 'categorical', choices });
  }

  private setDefault(index: number, row: SpaceRow, input: HTMLInputElement | HTMLSelectElement): void {
    if (row.distribution.kind === 'categorical') {
      this.emit(index, { ...row, default: input.value });
      return;
    }
    const value = numberOf(input as HTMLInputElement);
    input.setAttribute('aria-invalid', String(!Number.isFinite(value)));
    this.emit(index, { ...row, default: value });
  }

  protected override render() {
    return html`
      <table data-testid="space-table">
        <thead>
          <tr><th>search</th><th>hyperparameter</th><th>scale</th><th>range</th><th>default</th><th>where 50 samples land</th></tr>
        </thead>
        <tbody>
          ${this.space.map((row, i) => this.renderRow(row, i))}
        </tbody>
      </table>
      <p class="hint" data-testid="scale-help">
        <strong>log</strong>: each decade gets the same share of trials, for values spanning orders of magnitude (learning rate, weight decay).
        <strong>1-β log</strong>: samples 1 − β on a log scale, so 0.9–0.99 and 0.99–0.999 get equal shares (momentum, Adam's β).
        <strong>power of two</strong>: 16, 32, 64… for batch sizes. <strong>int</strong> and <strong>linear</strong>: even steps within one order of magnitude.
        <a href="how-to-tune.html#scales" target="_blank" rel="noopener">How to tune →</a>
      </p>
    `;
  }

  private renderRow(row: SpaceRow, i: number) {
    const label = PARAM_LABELS[row.name] ?? row.name;
    const d = row.distribution as Distribution;
    const problems = rowProblems(row);
    return html`
      <tr class="${row.enabled ? 'on' : 'off'}${problems.length ? ' invalid' : ''}" data-param=${row.name}>
        <td><input type="checkbox" .checked=${row.enabled} aria-label="search ${label}" @change=${(e: Event) => this.emit(i, { ...row, enabled: (e.target as HTMLInputElement).checked })} /></td>
        <td>${label} <span class="tier">${[row.tier === 'fixed' ? 'fixed unless unlocked' : `tier ${row.tier}`, conditionText(row.name)].filter(Boolean).join(' · ')}</span></td>
        <td>
          ${
            d.kind === 'categorical'
              ? html`categorical`
              : html`<select aria-label="${label} scale" @change=${(e: Event) => this.setDistribution(i, row, withScale(d, (e.target as HTMLSelectElement).value as ScaleChoice))}>
                ${Object.entries(NUMERIC_SCALES)
                  .filter(
                    ([value]) => !takesWholeNumbers(row.name) || WHOLE_NUMBER_SCALES.includes(value as ScaleChoice),
                  )
                  .map(
                    ([value, text]) => html`<option value=${value} .selected=${value === scaleOf(d)}>${text}</option>`,
                  )}
              </select>`
          }
        </td>
        <td>
          ${
            d.kind === 'categorical'
              ? html`<input class="choices" aria-label="${label} choices (comma-separated)" .value=${d.choices.join(', ')} @change=${(e: Event) => this.setChoices(i, row, e.target as HTMLInputElement)} />`
              : html`<input type="number" step="any" aria-label="${label} low" .value=${String(d.low)} @change=${(e: Event) => this.setBound(i, row, 'low', e.target as HTMLInputElement)} />
                –
                <input type="number" step="any" aria-label="${label} high" .value=${String(d.high)} @change=${(e: Event) => this.setBound(i, row, 'high', e.target as HTMLInputElement)} />`
          }
        </td>
        <td>
          ${
            d.kind === 'categorical'
              ? html`<select aria-label="${label} default" @change=${(e: Event) => this.setDefault(i, row, e.target as HTMLSelectElement)}>
                ${d.choices.map((c) => html`<option value=${c} .selected=${c === row.default}>${c}</option>`)}
              </select>`
              : html`<input type="number" step="any" aria-label="${label} default" .value=${String(row.default)} @change=${(e: Event) => this.setDefault(i, row, e.target as HTMLInputElement)} />`
          }
        </td>
        <td>${problems.length ? '' : html`<lab-scale-preview .distribution=${d}></lab-scale-preview>`}</td>
      </tr>
      ${
        problems.length
          ? html`<tr class="problems" data-problems-of=${row.name}><td></td><td colspan="5"><span class="error" role="alert">${problems.join(' ')}</span></td></tr>`
          : ''
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-space-table': LabSpaceTable;
  }
}
