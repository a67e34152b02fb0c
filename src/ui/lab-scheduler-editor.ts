import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { SAMPLER_KINDS } from '../search/sampler-kinds.ts';
import { pbtInterval } from '../study/pbt.ts';
import { PRUNER_KINDS, SCHEDULER_KINDS, type StudySpec } from '../study/spec.ts';
import { FIELD_LABELS } from '../study/wording.ts';
import { panelStyles } from './styles.ts';

/** The part of a study this element edits. */
export type RunSettings = Pick<StudySpec, 'scheduler' | 'pruning' | 'parallelism' | 'training' | 'seed'>;

const PRUNER_LABELS: Record<(typeof PRUNER_KINDS)[number], string> = {
  none: 'none (divergence only)',
  median: 'median stopping',
  asha: 'successive halving (ASHA, η=3)',
};

/** What each pruner does and when to use it, shown under the choice. */
const PRUNER_HELP: Record<(typeof PRUNER_KINDS)[number], string> = {
  none: 'Every trial trains all its steps; only a trial whose loss explodes (or becomes NaN) is stopped. For short studies, or to see every curve to the end.',
  median:
    'After a quarter of its steps, a trial stops when its best validation loss so far is worse than the median of the other trials’ at the same step. A safe default for long trials: it rarely stops a late bloomer.',
  asha: 'Trials are checked at 1/9, 1/3 and all of their steps; at each check only the best third go on. Spends the budget on the promising trials, for large studies where most trials are poor.',
};

/** Why population-based training has no pruner choice (the runner runs none under it, see prunerConfig). */
const PBT_PRUNING_HELP =
  'none under population-based training: at each exploit the worst quarter copies one of the best and trains on, instead of stopping (a pruner would shrink the population). Only a trial whose loss explodes (or becomes NaN) is stopped.';

/**
 * How trials are chosen and run: scheduler, budget (trials or minutes), pruning,
 * parallelism, training steps and the study seed.
 *
 * @fires settings-change - detail `{ settings: RunSettings }`.
 */
@customElement('lab-scheduler-editor')
export class LabSchedulerEditor extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) settings!: RunSettings;

  private emit(settings: RunSettings): void {
    this.dispatchEvent(new CustomEvent('settings-change', { detail: { settings }, bubbles: true, composed: true }));
  }

  /**
   * A field's number as typed (NaN when empty), marked invalid when it breaks the field's
   * bounds. It goes up either way: dropping it would leave the study, and Run, on the
   * previous value; the study's validation blocks Run and says why, in this field's label.
   */
  private read(e: Event): number {
    const input = e.target as HTMLInputElement;
    const valid = input.value.trim() !== '' && input.checkValidity();
    input.setAttribute('aria-invalid', String(!valid));
    return input.value.trim() === '' ? NaN : Number(input.value);
  }

  /** A number field labelled as the study's messages name it (FIELD_LABELS, by its path in the study). */
  private field(
    path: string,
    testid: string,
    value: number,
    attrs: { min: number; max: number; step: number | 'any' },
    apply: (v: number) => RunSettings,
  ) {
    return html`<label>${FIELD_LABELS[path]}
      <input type="number" data-testid=${testid} min=${attrs.min} max=${attrs.max} step=${attrs.step} .value=${String(value)}
        @change=${(e: Event) => this.emit(apply(this.read(e)))} />
    </label>`;
  }

  protected override render() {
    const s = this.settings;
    const sch = s.scheduler;
    const budget = sch.budget;
    return html`
      <h2>Search</h2>
      <div class="row">
        <label>${FIELD_LABELS['scheduler.kind']}
          <select data-testid="scheduler" @change=${(e: Event) => this.emit({ ...s, scheduler: { ...sch, kind: (e.target as HTMLSelectElement).value as RunSettings['scheduler']['kind'] } })}>
            ${SCHEDULER_KINDS.map((k) => html`<option value=${k} .selected=${k === sch.kind}>${SAMPLER_KINDS[k]}</option>`)}
          </select>
        </label>
        ${sch.kind === 'grid' ? this.field('scheduler.pointsPerParam', 'points-per-param', sch.pointsPerParam, { min: 2, max: 32, step: 1 }, (v) => ({ ...s, scheduler: { ...sch, pointsPerParam: v } })) : ''}
        ${sch.kind === 'pbt' ? this.field('scheduler.pbtInterval', 'pbt-interval', pbtInterval(s), { min: 1, max: 100_000, step: 1 }, (v) => ({ ...s, scheduler: { ...sch, pbtInterval: v } })) : ''}
        ${sch.kind === 'coarse-to-fine' ? this.field('scheduler.trialsPerRound', 'trials-per-round', sch.trialsPerRound, { min: 2, max: 500, step: 1 }, (v) => ({ ...s, scheduler: { ...sch, trialsPerRound: v } })) : ''}
        <label>${FIELD_LABELS['scheduler.budget.kind']}
          <select data-testid="budget-kind" @change=${(e: Event) => {
            const kind = (e.target as HTMLSelectElement).value;
            this.emit({
              ...s,
              scheduler: {
                ...sch,
                budget: kind === 'minutes' ? { kind: 'minutes', minutes: 1 } : { kind: 'trials', trials: 16 },
              },
            });
          }}>
            <option value="trials" .selected=${budget.kind === 'trials'}>trials</option>
            <option value="minutes" .selected=${budget.kind === 'minutes'}>minutes</option>
          </select>
        </label>
        ${
          budget.kind === 'trials'
            ? this.field(
                'scheduler.budget.trials',
                'budget-trials',
                budget.trials,
                { min: 1, max: 2000, step: 1 },
                (v) => ({ ...s, scheduler: { ...sch, budget: { kind: 'trials', trials: v } } }),
              )
            : this.field(
                'scheduler.budget.minutes',
                'budget-minutes',
                budget.minutes,
                { min: 0.1, max: 1440, step: 'any' },
                (v) => ({ ...s, scheduler: { ...sch, budget: { kind: 'minutes', minutes: v } } }),
              )
        }
        ${
          sch.kind === 'pbt'
            ? ''
            : html`<label>${FIELD_LABELS['pruning.kind']}
          <select data-testid="pruning" @change=${(e: Event) => this.emit({ ...s, pruning: { kind: (e.target as HTMLSelectElement).value as RunSettings['pruning']['kind'] } })}>
            ${PRUNER_KINDS.map((k) => html`<option value=${k} .selected=${k === s.pruning.kind}>${PRUNER_LABELS[k]}</option>`)}
          </select>
        </label>`
        }
      </div>
      <p class="hint" data-testid="pruner-help">
        <strong>Pruning:</strong> ${sch.kind === 'pbt' ? PBT_PRUNING_HELP : PRUNER_HELP[s.pruning.kind]}
        <a href="how-to-tune.html#defaults" target="_blank" rel="noopener">How to tune →</a>
      </p>
      <div class="row">
        ${this.field('parallelism', 'parallelism', s.parallelism, { min: 1, max: 256, step: 1 }, (v) => ({ ...s, parallelism: v }))}
        ${this.field('training.steps', 'steps', s.training.steps, { min: 1, max: 100000, step: 1 }, (v) => ({ ...s, training: { ...s.training, steps: v } }))}
        ${this.field('training.reportEvery', 'report-every', s.training.reportEvery, { min: 1, max: 10000, step: 1 }, (v) => ({ ...s, training: { ...s.training, reportEvery: v } }))}
        ${this.field('seed', 'seed', s.seed, { min: 0, max: 4294967295, step: 1 }, (v) => ({ ...s, seed: v }))}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-scheduler-editor': LabSchedulerEditor;
  }
}
