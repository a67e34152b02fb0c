// Coarse-to-fine: rounds of `trialsPerRound` random trials; each round draws from a box in
// the unit (transformed, e.g. log) space, which starts as the whole cube (the original box).
// Shrink rule, applied once every trial of a round has finished, per numeric hyperparameter:
// the next box is the current one scaled by `zoom` (default ½) and centred on the best
// COMPLETE trial so far, so that trial sits mid-box with a margin of zoom × width / 2 on each
// side; a box that sticks out of [0, 1] slides back inside (never outside the original box).
// Centring on the best, rather than spanning the best few, lets the box walk towards an
// optimum near its edge. On the seed's example (optimum 0.03 in [1e-4, 10], 5 rounds of 10)
// this lands within 10% of the optimum for 99% of 1000 seeds; spanning the best three with
// a margin managed 96-98% (test/search/coarseToFine.test.ts checks 100 seeds).
// Categoricals are never boxed. A round whose trials all failed keeps its box. Trial n belongs
// to round floor(n / trialsPerRound); its draw is the random sampler's (seed, n, name) draw
// placed inside its round's box, so the box and round are pure functions of the history.

import { budgetAllowsAnother, checkOption, describeBox, drawParams, rankedComplete, type UnitBox } from './sampling.ts';
import { defaultParams, type SearchSpace, searchedParams, toUnit } from './space.ts';
import type { FinishedTrial, Scheduler, SchedulerConfig, TrialPlan } from './types.ts';

type CoarseToFineConfig = Extract<SchedulerConfig, { kind: 'coarse-to-fine' }>;

/** The next round's box: the current one scaled by `zoom` about the best trial so far. */
export function shrinkBox(space: SearchSpace, box: UnitBox, finished: readonly FinishedTrial[], zoom: number): UnitBox {
  const best = rankedComplete(finished)[0];
  if (!best) return box;
  const next: Record<string, [number, number]> = {};
  for (const p of searchedParams(space)) {
    if (p.distribution.kind === 'categorical') continue;
    const centre = toUnit(p.distribution, best.params[p.name]);
    const [curLo, curHi] = box[p.name] ?? [0, 1];
    const half = (zoom * (curHi - curLo)) / 2;
    const lo = Math.min(Math.max(0, centre - half), 1 - 2 * half);
    next[p.name] = [lo, lo + 2 * half];
  }
  return next;
}

export function createCoarseToFine(config: CoarseToFineConfig, space: SearchSpace, seed: number): Scheduler {
  const perRound = checkOption('coarse-to-fine trialsPerRound', config.trialsPerRound ?? 10, { integer: true });
  const zoom = checkOption('coarse-to-fine zoom', config.zoom ?? 0.5, { max: 1 });
  const searched = searchedParams(space);
  const base = defaultParams(space);
  const fullBox: UnitBox = Object.fromEntries(
    searched.filter((p) => p.distribution.kind !== 'categorical').map((p) => [p.name, [0, 1] as const]),
  );
  return {
    next(history) {
      const id = history.started.length;
      if (!budgetAllowsAnother(config.budget, history)) return { kind: 'done' };
      const round = Math.floor(id / perRound);
      const finishedIds = new Set(history.finished.map((t) => t.id));
      for (let i = 0; i < round * perRound; i++) if (!finishedIds.has(i)) return { kind: 'wait' };
      let box = fullBox;
      for (let r = 1; r <= round; r++) {
        box = shrinkBox(
          space,
          box,
          history.finished.filter((t) => t.id < r * perRound),
          zoom,
        );
      }
      const trial: TrialPlan = {
        id,
        params: drawParams(searched, base, seed, id, box),
        round,
        box: describeBox(searched, box),
      };
      if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
      return { kind: 'trial', trial };
    },
  };
}
