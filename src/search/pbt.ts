// Population-based training (Jaderberg et al. 2017). Trials start at scrambled-Halton points
// (the quasi-random scheduler's, so a study without PBT trains the very same population), and
// while a population trains, every `interval` steps its worst quarter by the latest validation
// loss copies the weights and optimizer state of the best quarter (the engine does the copy,
// see ModelCopy in src/train/types.ts) and goes on with the donor's hyperparameters perturbed:
//  - each searched float hyperparameter of the model, on its own scale: log → ×0.8 or ×1.25;
//    one-minus-log → 1-β ×0.8 or ×1.25; linear → ±10% of its range; clamped to its range;
//  - integers, powers of two and choices (width, optimizer, …) are the donor's.
// Every choice is a counter-based draw keyed by (seed, step, the copying trial's id), so the
// same seed and losses give the same lineage.

import { MODEL_ROWS } from './hyperparameters.ts';
import { hash32, stringKey, uniform } from './random.ts';
import { checkOption } from './sampling.ts';
import { type FloatDistribution, fromUnit, type SearchSpace, searchedParams, toUnit } from './space.ts';
import type { Params, Scheduler } from './types.ts';

const PBT_TAG = 0x9b7;
/** Jaderberg et al.'s perturbation factors, ×0.8 or ×1.25 (= 1/0.8, so the walk is symmetric on a log axis). */
const PERTURB_FACTOR = 1.25;
/** A linear hyperparameter moves this share of its range. */
const LINEAR_STEP = 0.1;

/** A running member of a population at a report. */
export interface PopulationMember {
  id: number;
  /** Its hyperparameters now (its last exploit's, or its own). */
  params: Params;
  /** Its validation loss at this report (NaN sorts last). */
  validationLoss: number;
}

/** Trial `id` copies trial `from`'s model (weights and optimizer state) and trains on with `params`. */
export interface Exploit {
  id: number;
  from: number;
  params: Params;
}

/** A scheduler that also decides, at each report of a running population, who copies whom. */
export interface PopulationScheduler extends Scheduler {
  /** Steps between exploit rounds. */
  readonly interval: number;
  /** The exploits at report step `step` (none unless `step` is a multiple of `interval`). */
  exploit(step: number, members: readonly PopulationMember[]): Exploit[];
}

export function isPopulationScheduler(scheduler: Scheduler): scheduler is PopulationScheduler {
  return 'exploit' in scheduler;
}

/** The hyperparameters PBT perturbs: searched floats that each model of a population has its own of. */
function perturbedParams(space: SearchSpace): Array<{ name: string; distribution: FloatDistribution }> {
  const modelNames = new Set<string>(MODEL_ROWS.map((row) => row.name));
  return searchedParams(space).flatMap((p) =>
    p.distribution.kind === 'float' && modelNames.has(p.name) ? [{ name: p.name, distribution: p.distribution }] : [],
  );
}

/** `value` moved one step up or down its own scale, inside its range. */
export function perturb(d: FloatDistribution, value: number, up: boolean): number {
  const clamp = (x: number) => Math.min(d.high, Math.max(d.low, x));
  if (d.scale === 'log') return clamp(up ? value * PERTURB_FACTOR : value / PERTURB_FACTOR);
  if (d.scale === 'one-minus-log') return clamp(1 - (up ? (1 - value) * PERTURB_FACTOR : (1 - value) / PERTURB_FACTOR));
  const u = toUnit(d, clamp(value));
  return fromUnit(d, up ? u + LINEAR_STEP : u - LINEAR_STEP) as number;
}

export function createPbt(
  config: { interval: number },
  space: SearchSpace,
  seed: number,
  initial: Scheduler,
): PopulationScheduler {
  const interval = checkOption('PBT interval (steps between exploits)', config.interval, { integer: true });
  const perturbed = perturbedParams(space);
  return {
    interval,
    next: (history) => initial.next(history),
    exploit(step, members) {
      if (step % interval !== 0) return [];
      const quarter = Math.floor(members.length / 4);
      if (quarter === 0) return [];
      const loss = (m: PopulationMember) => (Number.isNaN(m.validationLoss) ? Infinity : m.validationLoss);
      const ranked = [...members].sort((a, b) => loss(a) - loss(b) || a.id - b.id);
      const best = ranked.slice(0, quarter);
      return ranked.slice(-quarter).map((member) => {
        const donor = best[hash32(seed, PBT_TAG, step, member.id) % quarter];
        const params = { ...donor.params };
        for (const { name, distribution } of perturbed) {
          if (typeof donor.params[name] !== 'number') continue; // not in effect (activeParams), so not recorded
          const up = uniform(seed, PBT_TAG, step, member.id, stringKey(name)) < 0.5;
          params[name] = perturb(distribution, donor.params[name] as number, up);
        }
        return { id: member.id, from: donor.id, params };
      });
    },
  };
}
