import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { conditionText, inEffect } from '../search/hyperparameters.ts';
import { finalParams, type TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { formatValue, PARAM_LABELS, panelStyles } from './styles.ts';
import { lineageLabel, placeLabel, STATE_COLORS, selectTrial } from './trial-display.ts';

const last = (values: number[]) => (values.length ? values[values.length - 1] : NaN);
const shown = (v: number) => (Number.isFinite(v) ? formatValue(v) : '–');

/**
 * The selected trial: its state and results, its full configuration (searched values and the
 * fixed ones it ran with; under PBT whom it copied and the values it ended with), and a new
 * study searching around it.
 *
 * @fires study-from-trial - detail `{ trialId }`: the user asked for a new study around it.
 */
@customElement('lab-trial-detail')
export class LabTrialDetail extends LitElement {
  static override styles = [
    panelStyles,
    css`
      dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.8rem; margin: 0 0 0.5rem; font-size: 0.82rem; font-variant-numeric: tabular-nums; }
      dt { color: var(--lab-muted, #5b6570); }
      dd { margin: 0; overflow-wrap: anywhere; }
      .state { display: inline-block; padding: 0 0.35rem; border-radius: 3px; color: #fff; font-size: 0.75rem; }
      .fixed { color: var(--lab-muted, #5b6570); }
    `,
  ];

  @property({ attribute: false }) trial?: TrialRecord;
  @property({ attribute: false }) space: SpaceRow[] = [];
  @property({ type: Number }) steps = 0;
  /** Bumped by the root whenever trials changed (they are mutated in place). */
  @property({ type: Number }) revision = 0;
  /** A new study cannot be drafted while one runs (the editor is locked). */
  @property({ type: Boolean }) locked = false;

  protected override render() {
    const t = this.trial;
    if (!t)
      return html`<h2>Selected trial</h2><p class="hint" data-testid="trial-detail-empty">Click a curve, a point or a row of the table to see that trial here: its full configuration and decision boundary, and a new study searching around it.</p>`;
    const place = placeLabel(t, this.space);
    return html`<h2>Trial #${t.id}</h2>
      <dl data-testid="trial-detail" data-trial=${t.id}>
        <dt>state</dt><dd><span class="state" style="background:${STATE_COLORS[t.state]}">${t.state.toLowerCase()}</span>${t.reason ? ` ${t.reason}` : ''}</dd>
        <dt>validation loss</dt><dd>${shown(t.state === 'RUNNING' ? last(t.curve.validationLoss) : t.objective)}</dd>
        <dt>validation accuracy</dt><dd>${shown(last(t.curve.validationAccuracy))}</dd>
        <dt>steps</dt><dd>${t.steps} of ${this.steps}</dd>
        ${place ? html`<dt>found by</dt><dd>${place}</dd>` : ''}
        ${t.lineage?.length ? html`<dt>copied (PBT)</dt><dd data-testid="trial-lineage">${lineageLabel(t)}</dd>` : ''}
        ${this.space.map((row) => {
          const label = PARAM_LABELS[row.name] ?? row.name;
          if (!inEffect(row.name, t.params))
            return html`<dt class="fixed">${label}</dt><dd class="fixed">not used (${conditionText(row.name)})</dd>`;
          const value = formatValue(t.params[row.name] ?? row.default);
          // Under PBT a searched value may have changed with each copy: from its start to its end.
          const ended = formatValue(finalParams(t)[row.name] ?? row.default);
          return html`<dt class=${row.enabled ? '' : 'fixed'}>${label}</dt><dd class=${row.enabled ? '' : 'fixed'}>${ended === value ? value : `${value} → ${ended} (final)`}${row.enabled ? ' (searched)' : ''}</dd>`;
        })}
      </dl>
      <div class="row">
        <button class="primary" data-testid="study-from-trial" ?disabled=${this.locked} title=${this.locked ? 'Stop the running study first: the editor is locked while it runs.' : ''}
          @click=${() => this.dispatchEvent(new CustomEvent('study-from-trial', { detail: { trialId: t.id }, bubbles: true, composed: true }))}>Run a new study from this trial</button>
        <button data-testid="clear-selection" @click=${() => selectTrial(this, undefined)}>Clear selection</button>
      </div>
      <p class="hint">The new study holds every hyperparameter at this trial's value and searches half of each searched range, centred on it (as the next coarse-to-fine round would).</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-trial-detail': LabTrialDetail;
  }
}
