// Coarse-to-fine as a trust region that keeps exploring. Trials run in rounds; round 0 draws
// from the whole unit cube (the original box); each later round draws most of its trials from
// a box about the best COMPLETE trial so far, and a fixed share from the whole cube:
//  round size   `trialsPerRound` (default 10) rounded up to a multiple of the parallelism, so
//               every round fills whole populations and no slot idles.
//  global share the last ⌈GLOBAL_SHARE × size⌉ trials of each later round (20%) are drawn from
//               the whole cube, so a better basin elsewhere can still be found (the box follows).
//  box size     a length L per round: after round 0, L = zoom (½); after each later round, a
//               success at the box's edge (the new best lies more than a quarter of the box's
//               width from the old one on some axis, or came from a global trial) doubles L (at
//               most 1); a success inside the box or a failure multiplies L by zoom. So the box
//               follows an optimum that lies outside it instead of freezing short of it, and
//               zooms in once the best stops moving.
//  per axis     each numeric axis gets L × s, s = (1 / (n · importance))^½ clipped to [½, 2]
//               (importance.ts, 8 trees, over the trials so far once 5 are complete; s = 1 before): axes
//               that matter get a narrower box, axes that do not stay wide and keep exploring.
//  placement    the box is centred on the best trial and slid back inside [0, 1] (centredBox).
//  categoricals a box trial keeps the best trial's choice with probability 1 − L, else draws
//               one uniformly; global trials draw uniformly.
// A round waits until every trial of the earlier rounds has finished; a round without a
// complete trial is a failure. Trial n's draw is the random sampler's (seed, n, name) draw
// placed inside its box, so round, box and trial are pure functions of the history.

import { importance } from './importance.ts';
import { stringKey, uniform } from './random.ts';
import { budgetAllowsAnother, checkOption, describeBox, drawParams, rankedComplete, type UnitBox } from './sampling.ts';
import { defaultParams, type SearchSpace, searchedParams, toUnit } from './space.ts';
import type { FinishedTrial, Params, Scheduler, SchedulerConfig, TrialPlan } from './types.ts';

type CoarseToFineConfig = Extract<SchedulerConfig, { kind: 'coarse-to-fine' }>;

/** A round's trust region: its box in the unit space and its length L. */
interface Region {
  box: UnitBox;
  length: number;
}

export const GLOBAL_SHARE = 0.2;
const CATEGORICAL_TAG = 0xc2f1;
/** Trials with a result before importance shapes the box (importance.ts needs 5). */
const IMPORTANCE_MIN_TRIALS = 5;
/** A smaller forest than the importance card's 32 trees: it only shapes the box, once per round. */
const IMPORTANCE_TREES = 8;

/** A box with the given unit widths per numeric hyperparameter, centred on `centre` and slid back inside [0, 1]. */
export function centredBox(space: SearchSpace, centre: Params, widths: Record<string, number>): UnitBox {
  const box: Record<string, [number, number]> = {};
  for (const p of searchedParams(space)) {
    // An axis the centre has no value on (its condition failed) keeps the whole range.
    if (p.distribution.kind === 'categorical' || widths[p.name] === undefined || !(p.name in centre)) continue;
    const half = Math.min(1, widths[p.name]) / 2;
    const lo = Math.min(Math.max(0, toUnit(p.distribution, centre[p.name]) - half), 1 - 2 * half);
    box[p.name] = [lo, lo + 2 * half];
  }
  return box;
}

/** The current box scaled by `zoom` about the best trial so far (the box unchanged when none is complete). */
export function shrinkBox(space: SearchSpace, box: UnitBox, finished: readonly FinishedTrial[], zoom: number): UnitBox {
  const best = rankedComplete(finished)[0];
  if (!best) return box;
  const widths = Object.fromEntries(
    searchedParams(space).map((p) => {
      const [lo, hi] = box[p.name] ?? [0, 1];
      return [p.name, zoom * (hi - lo)];
    }),
  );
  return centredBox(space, best.params, widths);
}

/** Round size: trialsPerRound rounded up to a whole number of populations. */
export function roundSize(trialsPerRound: number, parallelism: number): number {
  return parallelism * Math.ceil(trialsPerRound / parallelism);
}

/** How a round went: failure (no better best), success inside the box's inner half, or success at its edge (or outside it). */
export type RoundOutcome = 'failure' | 'inside' | 'edge';

/** The next round's length: an edge success doubles it (at most 1), any other round multiplies it by zoom. */
export function nextLength(length: number, outcome: RoundOutcome, zoom: number): number {
  return outcome === 'edge' ? Math.min(1, 2 * length) : length * zoom;
}

/** Per-axis scale s = (1 / (n · share))^½ in [½, 2] (1 for every axis until importance has enough trials). */
export function axisScales(space: SearchSpace, finished: readonly FinishedTrial[]): Record<string, number> {
  const numeric = searchedParams(space).filter((p) => p.distribution.kind !== 'categorical');
  const shares = importance(finished, space, { trees: IMPORTANCE_TREES });
  const enough = rankedComplete(finished).length >= IMPORTANCE_MIN_TRIALS;
  const n = numeric.length;
  return Object.fromEntries(
    numeric.map((p) => {
      const share = shares[p.name] ?? 0;
      const s = enough && Object.values(shares).some((v) => v > 0) ? Math.sqrt(1 / (n * Math.max(share, 1e-9))) : 1;
      return [p.name, Math.min(2, Math.max(0.5, s))];
    }),
  );
}

export function createCoarseToFine(config: CoarseToFineConfig, space: SearchSpace, seed: number): Scheduler {
  const perRound = checkOption('coarse-to-fine trialsPerRound', config.trialsPerRound ?? 10, { integer: true });
  const zoom = checkOption('coarse-to-fine zoom', config.zoom ?? 0.5, { max: 1 });
  const parallelism = checkOption('coarse-to-fine parallelism', config.parallelism ?? 1, { integer: true });
  const size = roundSize(perRound, parallelism);
  const globalCount = Math.ceil(GLOBAL_SHARE * size);
  const searched = searchedParams(space);
  const categorical = searched.filter((p) => p.distribution.kind === 'categorical');
  const base = defaultParams(space);
  const fullBox: UnitBox = Object.fromEntries(
    searched.filter((p) => p.distribution.kind !== 'categorical').map((p) => [p.name, [0, 1] as const]),
  );
  const numeric = searched.filter((p) => p.distribution.kind !== 'categorical');
  // Round r's region depends only on the trials of rounds < r; kept per round, keyed by them.
  const regions = new Map<number, { key: string; region: Region }>();

  function outcome(region: Region, incumbent: FinishedTrial, roundTrials: readonly FinishedTrial[]): RoundOutcome {
    const best = rankedComplete(roundTrials)[0];
    if (!best || best.objective >= incumbent.objective) return 'failure';
    const atEdge = numeric.some((p) => {
      if (!(p.name in best.params && p.name in incumbent.params)) return false;
      const [lo, hi] = region.box[p.name] ?? [0, 1];
      const step = Math.abs(
        toUnit(p.distribution, best.params[p.name]) - toUnit(p.distribution, incumbent.params[p.name]),
      );
      return step > (hi - lo) / 4;
    });
    return atEdge ? 'edge' : 'inside';
  }

  /** The box and length of round `round` (>= 1), from the finished trials of the rounds before it (id order). */
  function regionOf(round: number, earlier: readonly FinishedTrial[]): Region {
    const key = JSON.stringify(earlier.map((t) => [t.id, t.state, t.objective]));
    const cached = regions.get(round);
    if (cached?.key === key) return cached.region;
    const before = earlier.filter((t) => t.id < (round - 1) * size);
    let length = zoom;
    if (round > 1) {
      const previous = regionOf(round - 1, before);
      const incumbent = rankedComplete(before)[0];
      const roundTrials = earlier.filter((t) => t.id >= (round - 1) * size);
      length = incumbent ? nextLength(previous.length, outcome(previous, incumbent, roundTrials), zoom) : zoom;
    }
    const best = rankedComplete(earlier)[0];
    const scales = axisScales(space, earlier);
    const widths = Object.fromEntries(Object.entries(scales).map(([name, sc]) => [name, length * sc]));
    const region = { box: best ? centredBox(space, best.params, widths) : fullBox, length };
    regions.set(round, { key, region });
    return region;
  }

  return {
    next(history) {
      const id = history.started.length;
      if (!budgetAllowsAnother(config.budget, history)) return { kind: 'done' };
      const round = Math.floor(id / size);
      const finishedIds = new Set(history.finished.map((t) => t.id));
      for (let i = 0; i < round * size; i++) if (!finishedIds.has(i)) return { kind: 'wait' };
      const global = round === 0 || id % size >= size - globalCount;
      const earlier = history.finished.filter((t) => t.id < round * size).sort((a, b) => a.id - b.id);
      const { box, length } = global ? { box: fullBox, length: 1 } : regionOf(round, earlier);
      const params = drawParams(searched, base, seed, id, box);
      const best = rankedComplete(earlier)[0];
      if (!global && best) {
        for (const p of categorical)
          if (p.name in best.params && uniform(CATEGORICAL_TAG, seed, id, stringKey(p.name)) >= length)
            params[p.name] = best.params[p.name];
      }
      const trial: TrialPlan = { id, params, round, box: describeBox(searched, box) };
      if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
      return { kind: 'trial', trial };
    },
  };
}
