// The time-boxed hierarchy (the seed's "50% learning rate, 20% momentum and batch size, 20%
// architecture, 10% refinements; never skip ahead"). Four stages run one after another:
//  tier-1, tier-2, tier-3  TPE over the enabled hyperparameters of that tier;
//  refine                  TPE over every enabled hyperparameter at once: numeric
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
// Within a stage, TPE (tpe.ts, its defaults: 10 quasi-random startup trials, then Parzen
// estimators; a stage's population is spread by the constant liar) is told the stage's own
// trials and the incumbent trial they vary, on the stage's hyperparameters (refinement's
// narrowed to its box). No trial repeats an issued one (the incumbent's own values included):
// a repeated proposal gives way to an untried point, and a stage whose values are all tried
// (e.g. layers × decay = 20 combinations) finishes early; whatever it leaves (trials or time)
// passes on by the rules above. A stage reached after its deadline (earlier stages overran a
// short time budget) gets no trials.

import { hash32 } from './random.ts';
import {
  checkOption,
  describeBox,
  elapsed,
  paramsKey,
  rankedComplete,
  type UnitBox,
  untriedParams,
} from './sampling.ts';
import { contains, defaultParams, fromUnit, type HyperparameterSpec, type SearchSpace, toUnit } from './space.ts';
import { TPE_DEFAULTS, tpeProposals } from './tpe.ts';
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

/** `p` with its range narrowed to the unit interval [lo, hi] of its own axis (refinement's box). */
function narrowed(p: HyperparameterSpec, [lo, hi]: readonly [number, number]): HyperparameterSpec {
  const d = p.distribution;
  if (d.kind === 'categorical') return p;
  const low = fromUnit(d, lo) as number;
  const high = fromUnit(d, hi) as number;
  return { ...p, distribution: { ...d, low, high: Math.max(low, high) } as HyperparameterSpec['distribution'] };
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

  const keyOf = paramsKey(space.filter((p) => p.enabled));

  /**
   * The stage's next values: TPE over the stage's hyperparameters (refinement's narrowed to its
   * box), told the stage's own trials and the incumbent trial they vary; the first proposal that
   * repeats no issued trial, else an untried point; undefined when the stage's values are used up.
   */
  function stageValues(
    stageIndex: number,
    searched: readonly HyperparameterSpec[],
    box: UnitBox,
    incumbent: { params: Params; id?: number },
    issued: readonly TrialPlan[],
    history: History,
  ): Params | undefined {
    const stageSpace = searched.map((p) => (box[p.name] ? narrowed(p, box[p.name]) : p));
    const ids = new Set([...issued.map((t) => t.id), ...(incumbent.id === undefined ? [] : [incumbent.id])]);
    const stageHistory: History = {
      started: history.started.filter((t) => ids.has(t.id)),
      finished: history.finished.filter((t) => ids.has(t.id)),
    };
    const stageSeed = hash32(STAGE_TAG, seed, stageIndex);
    const tried = new Set(history.started.map((t) => keyOf(t.params)));
    const fresh = (values: Params) => !tried.has(keyOf({ ...incumbent.params, ...values }));
    const proposal = tpeProposals(
      stageSpace,
      stageHistory,
      stageSeed,
      issued.length,
      TPE_DEFAULTS,
      incumbent.params,
    ).find(fresh);
    if (proposal) return proposal;
    // Untried values of the stage: those of no trial that agrees with the incumbent elsewhere.
    const stageKey = paramsKey(stageSpace);
    const asIncumbentElsewhere = (params: Params) =>
      keyOf({ ...incumbent.params, ...Object.fromEntries(stageSpace.map((p) => [p.name, params[p.name]])) }) ===
      keyOf(params);
    const stageTried = new Set(
      history.started.filter((t) => asIncumbentElsewhere(t.params)).map((t) => stageKey(t.params)),
    );
    return untriedParams(stageSpace, stageTried, stageSeed, issued.length, incumbent.params);
  }

  return {
    next(history: History) {
      const finishedIds = new Set(history.finished.map((t) => t.id));
      const defaults = defaultParams(space);
      let incumbent: { params: Params; id?: number } = { params: defaults };
      let consumed = 0;
      const earlierStages = new Set<number>(); // ids of the trials of completed stages
      for (let s = 0; s < HIERARCHY_STAGES.length; s++) {
        const searched = searchedByStage[s];
        if (searched.length === 0) continue;
        const stage = HIERARCHY_STAGES[s];
        const issued = history.started.filter((t) => t.stage === stage);
        const box = stage === 'refine' ? refineBox(searched, incumbent.params, radius) : {};
        const withinBudget =
          'trials' in budget
            ? consumed + issued.length < Math.round(budget.trials * cumulative[s])
            : elapsed(history) < budget.seconds * cumulative[s];
        const values = withinBudget ? stageValues(s, searched, box, incumbent, issued, history) : undefined;
        if (values) {
          const id = history.started.length;
          // The defaults fill what the incumbent has no value for (β2 when it used SGD).
          const trial: TrialPlan = { id, params: { ...defaults, ...incumbent.params, ...values }, stage };
          if (stage === 'refine') trial.box = describeBox(searched, box);
          if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
          return { kind: 'trial', trial };
        }
        if (issued.some((t) => !finishedIds.has(t.id))) return { kind: 'wait' };
        consumed += issued.length;
        for (const t of issued) earlierStages.add(t.id);
        incumbent = rankedComplete(history.finished.filter((t) => earlierStages.has(t.id)))[0] ?? incumbent;
      }
      return { kind: 'done' };
    },
  };
}
