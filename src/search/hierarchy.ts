// The time-boxed hierarchy (the seed's "50% learning rate, 20% momentum and batch size, 20%
// architecture, 10% refinements; never skip ahead"). Four stages run one after another:
//  tier-1, tier-2, tier-3  random search over the enabled hyperparameters of that tier;
//  refine                  random search over every enabled hyperparameter at once: numeric
//                          ones of tiers 1-3 within ±refineRadius (unit space) of the best
//                          point, unlocked 'fixed'-tier ones over their whole range,
//                          categoricals of tiers 1-3 held at the best point's choice.
// Each stage starts from the best COMPLETE trial so far (its values fixed), untuned ones at
// their defaults, and waits for every trial of the previous stage to finish.
// Budget split (default shares 0.5/0.2/0.2/0.1): stage s may run until the cumulative
// share of stages 1..s of the budget is used, the last stage with something to search until
// all of it is. So whatever a stage leaves (it finished early, or had nothing to search)
// passes to the next one, and a stage that overran (waiting for its last trials) takes from
// the next one:
//  trials   stage s issues trials while trials issued so far < round(budget × cumulative share);
//  seconds  stage s issues trials while elapsed seconds < budget × cumulative share.
// A stage whose hyperparameters are all discrete (e.g. layers × decay = 20 combinations)
// enumerates them without repeats in a seeded order and finishes early when they run out;
// whatever it leaves (trials or time) passes on by the rules above. A stage reached after
// its deadline (earlier stages overran a short time budget) gets no trials.

import { hash32, permuteIndex } from './random.ts';
import {
  checkOption,
  describeBox,
  drawParams,
  elapsed,
  MAX_ENUMERATED,
  mixedRadixDigits,
  rankedComplete,
  type UnitBox,
} from './sampling.ts';
import {
  cardinality,
  contains,
  defaultParams,
  fromUnit,
  type HyperparameterSpec,
  type ParamValue,
  type SearchSpace,
  toUnit,
} from './space.ts';
import type { HierarchyStage, History, Params, Scheduler, SchedulerConfig, TrialPlan } from './types.ts';

type HierarchyConfig = Extract<SchedulerConfig, { kind: 'hierarchy' }>;

export const HIERARCHY_STAGES: readonly HierarchyStage[] = ['tier-1', 'tier-2', 'tier-3', 'refine'];
export const DEFAULT_SHARES = [0.5, 0.2, 0.2, 0.1] as const;
const STAGE_TAG = 0x57a6e;

/** The hyperparameters a stage draws (before boxing). */
export function stageParams(space: SearchSpace, stage: HierarchyStage): HyperparameterSpec[] {
  const enabled = space.filter((p) => p.enabled);
  if (stage === 'refine') return enabled.filter((p) => p.tier === 'fixed' || p.distribution.kind !== 'categorical');
  const tier = HIERARCHY_STAGES.indexOf(stage) + 1;
  return enabled.filter((p) => p.tier === tier);
}

/** Refinement's box: tier 1-3 numeric hyperparameters within ±radius of the incumbent. */
function refineBox(searched: readonly HyperparameterSpec[], incumbent: Params, radius: number): UnitBox {
  const box: Record<string, [number, number]> = {};
  for (const p of searched) {
    if (p.tier === 'fixed' || !contains(p.distribution, incumbent[p.name])) continue;
    const u = toUnit(p.distribution, incumbent[p.name]);
    box[p.name] = [Math.max(0, u - radius), Math.min(1, u + radius)];
  }
  return box;
}

/** The distinct values of a discrete hyperparameter inside its unit interval, as an indexable axis. */
function discreteAxis(
  p: HyperparameterSpec,
  [lo, hi]: readonly [number, number],
): { size: number; at: (i: number) => ParamValue } {
  const d = p.distribution;
  if (d.kind === 'categorical') return { size: d.choices.length, at: (i) => d.choices[i] };
  const first = fromUnit(d, lo) as number;
  const last = fromUnit(d, hi) as number;
  if (d.kind === 'int') return { size: last - first + 1, at: (i) => first + i };
  return { size: Math.log2(last / first) + 1, at: (i) => first * 2 ** i };
}

interface StageDraw {
  /** How many distinct points the stage has (Infinity when any dimension is continuous). */
  cap: number;
  draw(id: number, indexInStage: number): Params;
  box: UnitBox;
}

function stageDraw(
  stageIndex: number,
  searched: readonly HyperparameterSpec[],
  incumbent: Params,
  box: UnitBox,
  seed: number,
): StageDraw {
  const discrete = searched.every((p) => cardinality(p.distribution) < Infinity);
  const axes = discrete ? searched.map((p) => discreteAxis(p, box[p.name] ?? [0, 1])) : [];
  const total = axes.reduce((n, a) => n * a.size, 1);
  if (!discrete || total > MAX_ENUMERATED) {
    return { cap: Infinity, box, draw: (id) => drawParams(searched, incumbent, seed, id, box) };
  }
  const key = hash32(STAGE_TAG, seed, stageIndex);
  return {
    cap: total,
    box,
    draw(_id, j) {
      const digits = mixedRadixDigits(
        permuteIndex(j, total, key),
        axes.map((a) => a.size),
      );
      const params = { ...incumbent };
      searched.forEach((p, i) => (params[p.name] = axes[i].at(digits[i])));
      return params;
    },
  };
}

export function createHierarchy(config: HierarchyConfig, space: SearchSpace, seed: number): Scheduler {
  const shares = config.shares ?? DEFAULT_SHARES;
  const total = shares.reduce((a, b) => a + b, 0);
  if (shares.length !== 4 || shares.some((s) => !(s >= 0) || !Number.isFinite(s)) || !(total > 0)) {
    throw new Error(
      `hierarchy shares must be 4 non-negative numbers (tier 1, tier 2, tier 3, refinement) with a positive sum, got [${shares.join(', ')}]`,
    );
  }
  const radius = checkOption('hierarchy refineRadius', config.refineRadius ?? 0.1, { max: 1 });
  const searchedByStage = HIERARCHY_STAGES.map((s) => stageParams(space, s));
  const lastActive = searchedByStage.map((ps) => ps.length > 0).lastIndexOf(true);
  // Cumulative fractions, rounded to 12 decimals so that 0.5 + 0.2 + 0.2 is exactly 0.9.
  let sum = 0;
  const cumulative = shares.map((share, s) =>
    s >= lastActive ? 1 : Math.round(((sum += share) / total) * 1e12) / 1e12,
  );
  const budget = config.budget;

  return {
    next(history: History) {
      const finishedIds = new Set(history.finished.map((t) => t.id));
      let incumbent = defaultParams(space);
      let consumed = 0;
      const earlierStages = new Set<number>(); // ids of the trials of completed stages
      for (let s = 0; s < HIERARCHY_STAGES.length; s++) {
        const searched = searchedByStage[s];
        if (searched.length === 0) continue;
        const stage = HIERARCHY_STAGES[s];
        const issued = history.started.filter((t) => t.stage === stage);
        const plan = stageDraw(
          s,
          searched,
          incumbent,
          stage === 'refine' ? refineBox(searched, incumbent, radius) : {},
          seed,
        );
        const withinBudget =
          'trials' in budget
            ? consumed + issued.length < Math.round(budget.trials * cumulative[s])
            : elapsed(history) < budget.seconds * cumulative[s];
        const open = withinBudget && issued.length < plan.cap;
        if (open) {
          const id = history.started.length;
          const trial: TrialPlan = { id, params: plan.draw(id, issued.length), stage };
          if (stage === 'refine') trial.box = describeBox(searched, plan.box);
          if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
          return { kind: 'trial', trial };
        }
        if (issued.some((t) => !finishedIds.has(t.id))) return { kind: 'wait' };
        consumed += issued.length;
        for (const t of issued) earlierStages.add(t.id);
        incumbent = rankedComplete(history.finished.filter((t) => earlierStages.has(t.id)))[0]?.params ?? incumbent;
      }
      return { kind: 'done' };
    },
  };
}
