import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { HIERARCHY_STAGES, stageParams } from '../search/hierarchy.ts';
import type { SearchSpace } from '../search/space.ts';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { isActive, type StudyStatus } from '../study/state.ts';
import { formatValue, PARAM_LABELS, panelStyles } from './styles.ts';
import { placeLabel, stageLabel } from './trial-display.ts';

interface Group {
  label: string;
  trials: TrialRecord[];
  /** Why a hierarchy stage has no trials. */
  why?: string;
}

/**
 * Coarse-to-fine rounds and hierarchy stages: per round or stage, its trials, its best
 * objective, and the search box it drew from, each hyperparameter's interval drawn on that
 * hyperparameter's unit axis (so a zoom reads as a narrowing bar).
 */
@customElement('lab-search-stages')
export class LabSearchStages extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .group { border-top: 1px solid var(--lab-border-soft, #eef0f2); padding: 0.35rem 0; font-size: 0.8rem; }
      .title { font-weight: 600; color: var(--lab-ink, #333a42); }
      .empty { color: var(--lab-muted, #5b6570); }
      .box { display: grid; grid-template-columns: 9rem 1fr 10rem; gap: 0.2rem 0.5rem; align-items: center; margin-top: 0.2rem; }
      .axis { position: relative; height: 8px; background: var(--lab-border-soft, #e3e7eb); border-radius: 4px; }
      .axis > div { position: absolute; top: 0; bottom: 0; background: #457b9d; border-radius: 4px; }
      .range { font-variant-numeric: tabular-nums; color: var(--lab-muted, #5b6570); }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  /** The study's space: names what each hierarchy stage searched, and which stages had nothing to search. */
  @property({ attribute: false }) space: SpaceRow[] = [];
  /** Tells a hierarchy stage still to come from one that will never run. */
  @property() status?: StudyStatus;
  @property({ type: Number }) revision = 0;

  private groups(): Group[] {
    const groups = new Map<string, Group>();
    for (const t of this.trials) {
      const label = placeLabel(t, this.space);
      if (!label) continue;
      let g = groups.get(label);
      if (!g) groups.set(label, (g = { label, trials: [] }));
      g.trials.push(t);
    }
    return [...groups.values()];
  }

  /** Every hierarchy stage in order, those without trials saying why (without the space, only the stages that ran). */
  private stages(): Group[] {
    if (this.space.length === 0) return this.groups();
    const ran = HIERARCHY_STAGES.map((stage) => this.trials.filter((t) => t.placement.stage === stage));
    const ended = this.status !== undefined && !isActive(this.status) && this.status !== 'draft';
    return HIERARCHY_STAGES.map((stage, s) => {
      const label = stageLabel(stage, this.space);
      if (ran[s].length) return { label, trials: ran[s] };
      const why =
        stageParams(this.space as SearchSpace, stage).length === 0
          ? `nothing to search: no tier-${s + 1} hyperparameter is searched`
          : ran.slice(s + 1).some((later) => later.length) || this.status === 'finished'
            ? 'got no trials: the stages before it used the whole budget'
            : ended
              ? 'did not start: the study ended before it'
              : 'starts when the stages before it have finished';
      return { label, trials: [], why };
    });
  }

  protected override render() {
    const groups = this.trials.some((t) => t.placement.stage) ? this.stages() : this.groups();
    return html`
      <h2>Rounds and stages</h2>
      ${
        groups.length === 0
          ? html`<p class="hint">Coarse-to-fine and the time-boxed hierarchy show their rounds and stages here.</p>`
          : groups.map((g) => {
              const done = g.trials.filter((t) => t.state !== 'RUNNING');
              const best = Math.min(...done.map((t) => (Number.isFinite(t.objective) ? t.objective : Infinity)));
              const box = g.trials[0]?.placement.box ?? {};
              if (g.why)
                return html`<div class="group empty" data-testid="stage-group" data-empty><span class="title">${g.label}</span> · ${g.why}</div>`;
              return html`<div class="group" data-testid="stage-group">
              <span class="title">${g.label}</span> · ${done.length}/${g.trials.length} trials done${Number.isFinite(best) ? ` · best validation loss ${formatValue(best)}` : ''}
              ${
                Object.keys(box).length
                  ? html`<div class="box">
                    ${Object.entries(box).map(([name, r]) =>
                      r
                        ? html`<span>${PARAM_LABELS[name] ?? name}</span>
                            <div class="axis" title="the box on ${PARAM_LABELS[name] ?? name}'s own scale"><div style="left:${r.unitLow * 100}%;width:${Math.max(1, (r.unitHigh - r.unitLow) * 100)}%"></div></div>
                            <span class="range">${formatValue(r.low)} – ${formatValue(r.high)}</span>`
                        : '',
                    )}
                  </div>`
                  : ''
              }
            </div>`;
            })
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-search-stages': LabSearchStages;
  }
}
