// Coarse-to-fine: rounds of `trialsPerRound` random trials; each round draws from a box in
// the unit (transformed, e.g. log) space, which starts as the whole cube.
// Shrink rule, applied once every trial of the round has finished, per numeric hyperparameter:
//  1. take the `keepBest` best COMPLETE trials so far (all rounds) and their unit coordinates;
//  2. span them: [min, max], widened by `margin` × (max - min) on each side;
//  3. if that is narrower than `minShrink` × the current box's width, widen it about its
//     centre to that width (the box zooms in by at most 1/minShrink per round, and never
//     collapses onto one point);
//  4. slide it back inside [0, 1] if it sticks out, and clip: never outside the original box.
// Categoricals are never boxed. A round whose trials all failed keeps its box. Trial n belongs
// to round floor(n / trialsPerRound); its draw is the random sampler's (seed, n, name) draw
// placed inside its round's box, so the box and round are pure functions of the history.

import { defaultParams, searchedParams, toUnit, type SearchSpace } from './space';
import { budgetAllowsAnother, checkOption, describeBox, drawParams, rankedComplete, type UnitBox } from './sampling';
import type { FinishedTrial, Scheduler, SchedulerConfig, TrialPlan } from './types';

type CoarseToFineConfig = Extract<SchedulerConfig, { kind: 'coarse-to-fine' }>;

export interface ShrinkOptions {
  keepBest: number;
  margin: number;
  minShrink: number;
}

/** The next round's box from the current one and the trials finished so far. */
export function shrinkBox(space: SearchSpace, box: UnitBox, finished: readonly FinishedTrial[], { keepBest, margin, minShrink }: ShrinkOptions): UnitBox {
  const best = rankedComplete(finished).slice(0, keepBest);
  if (best.length === 0) return box;
  const next: Record<string, [number, number]> = {};
  for (const p of searchedParams(space)) {
    if (p.distribution.kind === 'categorical') continue;
    const us = best.map((t) => toUnit(p.distribution, t.params[p.name]));
    const [curLo, curHi] = box[p.name] ?? [0, 1];
    let lo = Math.min(...us) - margin * (Math.max(...us) - Math.min(...us));
    let hi = Math.max(...us) + margin * (Math.max(...us) - Math.min(...us));
    const minWidth = minShrink * (curHi - curLo);
    if (hi - lo < minWidth) {
      const centre = (lo + hi) / 2;
      [lo, hi] = [centre - minWidth / 2, centre + minWidth / 2];
    }
    if (lo < 0) [lo, hi] = [0, hi - lo];
    if (hi > 1) [lo, hi] = [lo - (hi - 1), 1];
    next[p.name] = [Math.max(0, lo), Math.min(1, hi)];
  }
  return next;
}

export function createCoarseToFine(config: CoarseToFineConfig, space: SearchSpace, seed: number): Scheduler {
  const perRound = checkOption('coarse-to-fine trialsPerRound', config.trialsPerRound ?? 10, { integer: true });
  const options: ShrinkOptions = {
    keepBest: checkOption('coarse-to-fine keepBest', config.keepBest ?? 3, { integer: true }),
    margin: checkOption('coarse-to-fine margin', config.margin ?? 0.5, { minInclusive: true }),
    minShrink: checkOption('coarse-to-fine minShrink', config.minShrink ?? 0.25, { max: 1 }),
  };
  const searched = searchedParams(space);
  const base = defaultParams(space);
  const fullBox: UnitBox = Object.fromEntries(searched.filter((p) => p.distribution.kind !== 'categorical').map((p) => [p.name, [0, 1] as const]));
  return {
    next(history) {
      const id = history.started.length;
      if (!budgetAllowsAnother(config.budget, history)) return { kind: 'done' };
      const round = Math.floor(id / perRound);
      const finishedIds = new Set(history.finished.map((t) => t.id));
      for (let i = 0; i < round * perRound; i++) if (!finishedIds.has(i)) return { kind: 'wait' };
      let box = fullBox;
      for (let r = 1; r <= round; r++) {
        box = shrinkBox(space, box, history.finished.filter((t) => t.id < r * perRound), options);
      }
      const trial: TrialPlan = { id, params: drawParams(searched, base, seed, id, box), round, box: describeBox(searched, box) };
      if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
      return { kind: 'trial', trial };
    },
  };
}
