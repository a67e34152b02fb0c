import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { importance } from '../search/importance.ts';
import type { FinishedTrial } from '../search/types.ts';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { PARAM_LABELS, panelStyles } from './styles.ts';

/**
 * Completed trials up to which importance is recomputed while the study trains: the forest
 * takes about 40 ms at 100 trials here, and the page keeps every task under 50 ms while
 * training; larger studies get their importance when they finish.
 */
const LIVE_LIMIT = 64;

/** How much of the objective's variation each searched hyperparameter explains (fANOVA on a random forest). */
@customElement('lab-importance')
export class LabImportance extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .bars { display: grid; grid-template-columns: 10rem 1fr 3rem; gap: 0.3rem 0.5rem; align-items: center; font-size: 0.82rem; }
      .track { height: 12px; background: #e3e7eb; border-radius: 3px; overflow: hidden; }
      .fill { height: 100%; background: #1d3557; }
      .share { text-align: right; font-variant-numeric: tabular-nums; }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  @property({ attribute: false }) space: SpaceRow[] = [];
  /** True once the study has ended (the final importance is computed whatever the size). */
  @property({ type: Boolean }) ended = false;
  @property({ type: Number }) revision = 0;

  @state() private shares: Record<string, number> = {};
  private cacheKey = '';
  private pending = 0;

  private completeTrials(): FinishedTrial[] {
    return this.trials
      .filter((t) => t.state === 'COMPLETE' && Number.isFinite(t.objective))
      .map((t) => ({ id: t.id, params: t.params, state: 'COMPLETE', objective: t.objective }));
  }

  /** Recomputes when more trials completed, in its own task (never inside a render frame). */
  protected override willUpdate(): void {
    const complete = this.completeTrials();
    const key = `${complete.length}:${this.ended}:${JSON.stringify(this.space)}`;
    if (key === this.cacheKey || !(this.ended || complete.length <= LIVE_LIMIT)) return;
    this.cacheKey = key;
    clearTimeout(this.pending);
    this.pending = window.setTimeout(() => (this.shares = importance(complete, this.space)));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.pending);
  }

  protected override render() {
    const complete = this.completeTrials();
    const rows = Object.entries(this.shares).sort((a, b) => b[1] - a[1]);
    const stale = !this.ended && complete.length > LIVE_LIMIT;
    return html`
      <h2>What mattered</h2>
      ${complete.length < 2
        ? html`<p class="hint">Importance appears once two trials have completed.</p>`
        : html`<div class="bars" data-testid="importance">
            ${rows.map(
              ([name, share]) => html`<span>${PARAM_LABELS[name] ?? name}</span>
                <div class="track" role="meter" aria-label="importance of ${PARAM_LABELS[name] ?? name}" aria-valuemin="0" aria-valuemax="1" aria-valuenow=${share}><div class="fill" style="width:${share * 100}%"></div></div>
                <span class="share">${Math.round(share * 100)}%</span>`,
            )}
          </div>
          <p class="hint">Share of the variation in validation loss each hyperparameter explains alone (fANOVA on a random forest over each one's own scale).${stale ? ' Updates when the study finishes.' : ''}</p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-importance': LabImportance;
  }
}
