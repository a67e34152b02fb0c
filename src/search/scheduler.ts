// createScheduler: one entry point for every sampler. The independent samplers live here;
// coarse-to-fine, the hierarchy, TPE and CMA-ES, which read finished results, and population-based
// training (quasi-random starts, then exploits while a population trains) have their own modules.
//  grid          each searched hyperparameter gets `pointsPerParam` values evenly spaced on
//                its own scale, ends included (u = i/(k-1)); categoricals get every choice.
//                The Cartesian product is visited in a seeded random order, so a budget
//                smaller than the grid still spreads over it; done when it is exhausted.
//  random        independent uniform draws on each hyperparameter's scale (sampling.ts).
//  quasi-random  scrambled Halton points (quasi.ts), one dimension per searched hyperparameter.

import { createAuto } from './auto.ts';
import { createCmaEs } from './cmaes.ts';
import { createCoarseToFine } from './coarseToFine.ts';
import { createHierarchy } from './hierarchy.ts';
import { activeParams } from './hyperparameters.ts';
import { createPbt, isPopulationScheduler, type PopulationScheduler } from './pbt.ts';
import { scrambledHalton } from './quasi.ts';
import { hash32, permuteIndex } from './random.ts';
import { SAMPLER_KINDS, type SamplerKind } from './sampler-kinds.ts';
import {
  budgetAllowsAnother,
  checkOption,
  drawParams,
  MAX_ENUMERATED,
  mixedRadixDigits,
  validateBudget,
  validateSeed,
} from './sampling.ts';
import {
  defaultParams,
  fromUnit,
  type HyperparameterSpec,
  type ParamValue,
  type SearchSpace,
  searchedParams,
  validateSpace,
} from './space.ts';
import { createTpe } from './tpe.ts';
import type { Budget, Params, Scheduler, SchedulerConfig, TrialPlan } from './types.ts';

export type * from './types.ts';

const GRID_TAG = 0x6121d;

/** A scheduler whose trial n depends on (seed, n) only; `cap` bounds the number of trials. */
function independent(budget: Budget, cap: number, draw: (id: number) => Params): Scheduler {
  return {
    next(history) {
      const id = history.started.length;
      if (id >= cap || !budgetAllowsAnother(budget, history)) return { kind: 'done' };
      const trial: TrialPlan = { id, params: draw(id) };
      if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
      return { kind: 'trial', trial };
    },
  };
}

/** The values a grid tries for one hyperparameter, distinct and in increasing unit order. */
export function gridValues(p: HyperparameterSpec, points: number): ParamValue[] {
  const d = p.distribution;
  if (d.kind === 'categorical') return [...d.choices];
  const values = Array.from({ length: points }, (_, i) => fromUnit(d, points === 1 ? 0.5 : i / (points - 1)));
  return [...new Set(values)];
}

function createGrid(config: Extract<SchedulerConfig, { kind: 'grid' }>, space: SearchSpace, seed: number): Scheduler {
  const searched = searchedParams(space);
  const axes = searched.map((p) => {
    const k = checkOption(`grid points for ${p.name}`, config.points?.[p.name] ?? config.pointsPerParam ?? 5, {
      integer: true,
    });
    return gridValues(p, k);
  });
  const sizes = axes.map((a) => a.length);
  const total = sizes.reduce((n, s) => n * s, 1);
  if (total > MAX_ENUMERATED)
    throw new Error(`the grid has ${total} points, more than ${MAX_ENUMERATED}; use fewer points per hyperparameter`);
  const base = defaultParams(space);
  const key = hash32(GRID_TAG, seed);
  return independent(config.budget, total, (id) => {
    const digits = mixedRadixDigits(permuteIndex(id, total, key), sizes);
    const params = { ...base };
    searched.forEach((p, i) => (params[p.name] = axes[i][digits[i]]));
    return params;
  });
}

function createQuasiRandom(budget: Budget, space: SearchSpace, seed: number): Scheduler {
  const searched = searchedParams(space);
  searched.forEach((_, i) => scrambledHalton(0, i, seed)); // reject too many dimensions now, not mid-study
  const base = defaultParams(space);
  return independent(budget, Infinity, (id) => {
    const params = { ...base };
    searched.forEach((p, i) => (params[p.name] = fromUnit(p.distribution, scrambledHalton(id, i, seed))));
    return params;
  });
}

/**
 * A deterministic scheduler: the same (config, space, seed, history) always gives the same
 * decision. A trial records only the hyperparameters in effect (activeParams: β2 only with
 * Adam, the decay rate only with a decaying schedule...); the samplers read such histories.
 * Throws, naming the problem, on an invalid space, budget, seed or option.
 */
export function createScheduler(config: SchedulerConfig, space: SearchSpace, seed: number): Scheduler {
  const sampler = createSampler(config, space, seed);
  const scheduler: Scheduler = {
    next(history) {
      const decision = sampler.next(history);
      return decision.kind === 'trial'
        ? { ...decision, trial: { ...decision.trial, params: activeParams(decision.trial.params) } }
        : decision;
    },
  };
  if (!isPopulationScheduler(sampler)) return scheduler;
  const { interval } = sampler;
  const exploit: PopulationScheduler['exploit'] = (step, members) =>
    sampler.exploit(step, members).map((e) => ({ ...e, params: activeParams(e.params) }));
  const population: PopulationScheduler = { ...scheduler, interval, exploit };
  return population;
}

/** Each kind's constructor, complete over the table of samplers (sampler-kinds.ts). */
const SAMPLER_CONSTRUCTORS: {
  readonly [K in SamplerKind]: (
    config: Extract<SchedulerConfig, { kind: K }>,
    space: SearchSpace,
    seed: number,
  ) => Scheduler;
} = {
  auto: createAuto,
  grid: createGrid,
  random: (config, space, seed) => {
    const searched = searchedParams(space);
    const base = defaultParams(space);
    return independent(config.budget, Infinity, (id) => drawParams(searched, base, seed, id));
  },
  'quasi-random': (config, space, seed) => createQuasiRandom(config.budget, space, seed),
  'coarse-to-fine': createCoarseToFine,
  hierarchy: createHierarchy,
  tpe: createTpe,
  cmaes: (config, space, seed) => createCmaEs(config, space, seed),
  pbt: (config, space, seed) => createPbt(config, space, seed, createQuasiRandom(config.budget, space, seed)),
};

/** The sampler of `config.kind`; its trials set every hyperparameter, those whose condition fails too. */
function createSampler(config: SchedulerConfig, space: SearchSpace, seed: number): Scheduler {
  const create = SAMPLER_CONSTRUCTORS[config.kind] as
    | ((config: SchedulerConfig, space: SearchSpace, seed: number) => Scheduler)
    | undefined;
  if (!create)
    throw new Error(
      `unknown scheduler kind ${String((config as { kind: unknown }).kind)}; use ${Object.keys(SAMPLER_KINDS).join(', ')}`,
    );
  validateSpace(space);
  validateSeed(seed);
  validateBudget(config.budget);
  return create(config, space, seed);
}
