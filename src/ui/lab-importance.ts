import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { StudyState } from '../study/state.ts';
import { PARAM_LABELS, panelStyles } from './styles.ts';

/**
 * Completed trials before importance is shown. The forest's trees split a node only when it
 * holds 2 × minLeaf = 4 samples (src/search/importance.ts), so below 4 trials every share is
 * 0 by construction, which reads as a finding ("0%"); at exactly 4 a tree can only split its
 * bootstrap sample into two pairs. 5 is the first count past that bare minimum.
 */
export const MIN_TRIALS_FOR_IMPORTANCE = 5;

/**
 * How much of the objective's variation each searched hyperparameter explains. The trainer
 * worker computes it (fANOVA on a random forest) as trials complete; this view only draws it,
 * once it can mean something (MIN_TRIALS_FOR_IMPORTANCE).
 */
@customElement('lab-importance')
export class LabImportance extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .bars { display: grid; grid-template-columns: 10rem 1fr 3rem; gap: 0.3rem 0.5rem; align-items: center; font-size: 0.82rem; }
      .track { height: 12px; background: var(--lab-border-soft, #e3e7eb); border-radius: 3px; overflow: hidden; }
      .fill { height: 100%; background: var(--lab-accent, #1d3557); }
      .share { text-align: right; font-variant-numeric: tabular-nums; }
    `,
  ];

  /** The worker's latest importance; a new object each time it arrives. */
  @property({ attribute: false }) importance?: StudyState['importance'];

  protected override render() {
    const importance = this.importance;
    const rows = Object.entries(importance?.shares ?? {}).sort((a, b) => b[1] - a[1]);
    return html`
      <h2>What mattered</h2>
      ${
        !importance || importance.completedTrials < MIN_TRIALS_FOR_IMPORTANCE
          ? html`<p class="hint" data-testid="importance-pending">
            Importance needs ${MIN_TRIALS_FOR_IMPORTANCE} completed trials${importance ? ` (${importance.completedTrials} so far)` : ''}: with fewer, the forest that estimates it cannot split the trials, and every share would read 0%.
          </p>`
          : html`<div class="bars" data-testid="importance">
            ${rows.map(
              ([name, share]) => html`<span>${PARAM_LABELS[name] ?? name}</span>
                <div class="track" role="meter" aria-label="importance of ${PARAM_LABELS[name] ?? name}" aria-valuemin="0" aria-valuemax="1" aria-valuenow=${share}><div class="fill" style="width:${share * 100}%"></div></div>
                <span class="share">${Math.round(share * 100)}%</span>`,
            )}
          </div>
          <p class="hint">Share of the variation in validation loss each hyperparameter explains alone (fANOVA on a random forest over each one's own scale), from <span data-testid="importance-trials">${importance.completedTrials}</span> completed trials.</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-importance': LabImportance;
  }
}
