// How the views show trials: a colour per state, a ramp for a hyperparameter's position on
// its own scale (0 = low end, 1 = high end), and the round or stage that issued a trial.
import { HIERARCHY_STAGES, stageParams } from '../search/hierarchy.ts';
import { type SearchSpace, toUnit } from '../search/space.ts';
import type { HierarchyStage } from '../search/types.ts';
import { finalParams, type TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import type { TrialState } from '../train/types.ts';
import { formatValue, PARAM_LABELS } from './styles.ts';

export const STATE_COLORS: Record<TrialState, string> = {
  RUNNING: '#457b9d',
  COMPLETE: '#2a9d8f',
  PRUNED: '#e9a23b',
  DIVERGED: '#d62828',
  FAILED: '#6c757d',
  STOPPED: '#8d6cab',
};

/**
 * A hierarchy stage named by what it searched in this study: the hyperparameters it draws
 * (stageParams, the scheduler's own rule) among the space's enabled rows, so a stage whose
 * tier has nothing enabled names nothing.
 */
export function stageLabel(stage: HierarchyStage, space: readonly SpaceRow[]): string {
  const number = HIERARCHY_STAGES.indexOf(stage) + 1;
  const names = stageParams(space as SearchSpace, stage).map((p) => PARAM_LABELS[p.name] ?? p.name);
  if (stage === 'refine')
    return `stage ${number}: refine around the best${names.length ? ` (${names.join(', ')})` : ''}`;
  return names.length ? `stage ${number}: ${names.join(', ')}` : `stage ${number}`;
}

/** Which coarse-to-fine round or hierarchy stage issued the trial. */
export function placeLabel(t: TrialRecord, space: readonly SpaceRow[]): string {
  if (t.placement.stage) return stageLabel(t.placement.stage, space);
  return t.placement.round !== undefined ? `round ${t.placement.round + 1}` : '';
}

/** "#3 at step 40, #7 at step 120": whose models a trial copied under population-based training, and when; '' when none. */
export function lineageLabel(t: Pick<TrialRecord, 'lineage'>): string {
  return (t.lineage ?? []).map((l) => `#${l.from} at step ${l.step}`).join(', ');
}

/**
 * One line naming a trial: its id, state (and why it stopped), searched hyperparameters and
 * validation loss, and under PBT whom it copied and the hyperparameters it ended with; what hovering it shows.
 */
export function trialSummary(t: TrialRecord, space: readonly SpaceRow[]): string {
  const values = (params: TrialRecord['params']) =>
    space
      .filter((r) => r.enabled && r.name in params)
      .map((r) => `${PARAM_LABELS[r.name] ?? r.name} = ${formatValue(params[r.name])}`);
  return [
    `trial #${t.id}`,
    `${t.state}${t.reason ? ` (${t.reason})` : ''}`,
    ...values(t.params),
    ...(t.lineage?.length ? [`copied ${lineageLabel(t)}, ending with ${values(finalParams(t)).join(', ')}`] : []),
    ...(Number.isFinite(t.objective) ? [`validation loss ${formatValue(t.objective)}`] : []),
  ].join(' · ');
}

/** A perceptually ordered blue→yellow ramp (viridis-like), u in [0, 1], as [r, g, b]. */
export function rampRgb(u: number): [number, number, number] {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0.5)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [r, g, b] = stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
  return [r, g, b];
}

export function rampColor(u: number, alpha = 1): string {
  const [r, g, b] = rampRgb(u);
  return `rgba(${r},${g},${b},${alpha})`;
}

/** The alpha lines on a card are drawn with (lineColor keeps 3:1 contrast with the card at it). */
export const LINE_ALPHA = 0.85;

/**
 * A line's colour on a card, u in [0, 1]: the part of the ramp that keeps WCAG's 3:1 contrast
 * for graphics against the card at LINE_ALPHA or more, u = 0 at its most contrasting end.
 * On a light card that is the ramp's dark half (0 → 0.5: purple to teal); on a dark card its
 * bright half, reversed (1 → 0.45: yellow to teal). Low losses and the low end of a scale are
 * therefore the most visible lines on both themes (test/ui/line-contrast.test.ts).
 */
export function lineColor(u: number, alpha: number, dark: boolean): string {
  const v = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0.5));
  return rampColor(dark ? 1 - 0.55 * v : 0.5 * v, alpha);
}

/** A trial's position on a hyperparameter's own scale, 0.5 when it has none there. */
export function unitOf(row: SpaceRow | undefined, trial: TrialRecord): number {
  if (!row) return 0.5;
  try {
    return toUnit(row.distribution, trial.params[row.name]);
  } catch {
    return 0.5;
  }
}

/** The `k` finished trials of lowest objective, lowest first, ties in the trials' order (one pass keeping a sorted list of k: sorting 10,000 trials per render cost more). */
export function bestFinished(trials: readonly TrialRecord[], k: number): TrialRecord[] {
  const best: TrialRecord[] = [];
  for (const t of trials) {
    if (t.state === 'RUNNING' || !Number.isFinite(t.objective)) continue;
    if (best.length === k && t.objective >= best[k - 1].objective) continue;
    let i = best.length === k ? k - 1 : best.length;
    while (i > 0 && best[i - 1].objective > t.objective) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = t;
  }
  return best;
}

/** The selected trial's mark in every view (its curve, point and row). */
export const SELECTED_COLOR = '#e63946';

/**
 * Selects a trial in every view (or clears the selection): a click on a curve, a point or a
 * row fires this, and the lab passes the selection back down.
 */
export function selectTrial(from: Element, trialId: number | undefined): void {
  from.dispatchEvent(new CustomEvent('select-trial', { detail: { trialId }, bubbles: true, composed: true }));
}
export type SelectTrialEvent = CustomEvent<{ trialId: number | undefined }>;
