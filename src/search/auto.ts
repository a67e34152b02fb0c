// `auto`, the default scheduler: it picks the sampler by space and budget, for any parallelism.
//  start     TPE (tpe.ts), which itself begins with 10 scrambled-Halton trials: it copes with
//            every kind of hyperparameter, categoricals included, and with few trials.
//  switch    with at least 2 numeric hyperparameters and a trial budget of at least 60, the
//            trials from 40% of the budget on (rounded up to a whole population) come from
//            CMA-ES (cmaes.ts), warm-started at the best trial so far with a step size taken
//            from the spread of the best 10%: TPE finds the basin, CMA-ES follows its shape
//            (curved valleys, coupled axes) to the bottom. A time budget, 1 numeric
//            hyperparameter or a short budget keep TPE to the end.
// Both parts read only the history, so auto is as reproducible as they are.

import { createCmaEs } from './cmaes.ts';
import { checkOption } from './sampling.ts';
import { type SearchSpace, searchedParams } from './space.ts';
import { createTpe } from './tpe.ts';
import type { Scheduler, SchedulerConfig } from './types.ts';

type AutoConfig = Extract<SchedulerConfig, { kind: 'auto' }>;

export const AUTO_SWITCH_SHARE = 0.4;
export const AUTO_MIN_TRIALS_FOR_CMAES = 60;

/** The trial from which auto hands over to CMA-ES, or undefined when TPE keeps the whole study. */
export function cmaesFrom(space: SearchSpace, config: AutoConfig): number | undefined {
  const parallelism = config.parallelism ?? 1;
  const numeric = searchedParams(space).filter((p) => p.distribution.kind !== 'categorical').length;
  if (!('trials' in config.budget) || numeric < 2 || config.budget.trials < AUTO_MIN_TRIALS_FOR_CMAES) return undefined;
  return parallelism * Math.ceil((AUTO_SWITCH_SHARE * config.budget.trials) / parallelism);
}

export function createAuto(config: AutoConfig, space: SearchSpace, seed: number): Scheduler {
  const parallelism = checkOption('auto parallelism', config.parallelism ?? 1, { integer: true });
  const tpe = createTpe({ kind: 'tpe', budget: config.budget }, space, seed);
  const from = cmaesFrom(space, config);
  if (from === undefined) return tpe;
  const cmaes = createCmaEs({ kind: 'cmaes', budget: config.budget, parallelism }, space, seed, from);
  return {
    next(history) {
      return history.started.length < from ? tpe.next(history) : cmaes.next(history);
    },
  };
}
