// Pieces every scheduler shares: seeded draws in the unit space, boxes, budgets, the best trial.
// Random draw rule: coordinate of hyperparameter `name` for trial `id` is
//   uniform(seed, id, stringKey(name))
// so it depends on (seed, trial, dimension) only; keying by name rather than position means
// enabling another hyperparameter never changes the draws of the others.

import { inEffect } from './hyperparameters.ts';
import { hash32, permuteIndex, stringKey, uniform } from './random.ts';
import { cardinality, fromUnit, type HyperparameterSpec } from './space.ts';
import type { Budget, FinishedTrial, History, Params, SearchBox } from './types.ts';

/** A box in the unit space: [low, high] per boxed hyperparameter name (absent: the whole [0, 1]). */
export type UnitBox = Record<string, readonly [number, number]>;

export function randomUnit(seed: number, id: number, name: string): number {
  return uniform(seed, id, stringKey(name));
}

/** `base` with every hyperparameter in `searched` drawn uniformly from its box on its own scale. */
export function drawParams(
  searched: readonly HyperparameterSpec[],
  base: Params,
  seed: number,
  id: number,
  box: UnitBox = {},
): Params {
  const params = { ...base };
  for (const p of searched) {
    const [lo, hi] = box[p.name] ?? [0, 1];
    params[p.name] = fromUnit(p.distribution, lo + (hi - lo) * randomUnit(seed, id, p.name));
  }
  return params;
}

/** The box in each hyperparameter's own units, for trial records and the UI. */
export function describeBox(searched: readonly HyperparameterSpec[], box: UnitBox): SearchBox {
  const out: SearchBox = {};
  for (const p of searched) {
    const range = box[p.name];
    if (!range || p.distribution.kind === 'categorical') continue;
    out[p.name] = {
      low: fromUnit(p.distribution, range[0]) as number,
      high: fromUnit(p.distribution, range[1]) as number,
      unitLow: range[0],
      unitHigh: range[1],
    };
  }
  return out;
}

/** COMPLETE trials with a finite objective, best first (ties: lower id first). */
export function rankedComplete(finished: readonly FinishedTrial[]): FinishedTrial[] {
  return finished
    .filter((t) => t.state === 'COMPLETE' && Number.isFinite(t.objective))
    .sort((a, b) => a.objective - b.objective || a.id - b.id);
}

export function validateSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  return seed;
}

export function validateBudget(budget: Budget): Budget {
  if ('trials' in budget) {
    if (!Number.isInteger(budget.trials) || budget.trials < 1)
      throw new Error(`a trial budget needs a positive integer, got trials=${budget.trials}`);
  } else if ('seconds' in budget) {
    if (!(budget.seconds > 0) || !Number.isFinite(budget.seconds))
      throw new Error(`a time budget needs a positive number of seconds, got seconds=${budget.seconds}`);
  } else {
    throw new Error('budget must be { trials: n } or { seconds: s }');
  }
  return budget;
}

/** Elapsed seconds, required when the budget is a time budget. */
export function elapsed(history: History): number {
  const s = history.elapsedSeconds;
  if (typeof s !== 'number' || !(s >= 0))
    throw new Error(`a time budget needs history.elapsedSeconds >= 0, got ${String(s)}`);
  return s;
}

/** Whether the budget allows issuing trial number `history.started.length`. */
export function budgetAllowsAnother(budget: Budget, history: History): boolean {
  return 'trials' in budget ? history.started.length < budget.trials : elapsed(history) < budget.seconds;
}

/** A positive option (an integer when `integer`, at most `max`), or an Error saying what it must be. */
export function checkOption(name: string, value: number, { integer = false, max = Infinity } = {}): number {
  if (!Number.isFinite(value) || !(value > 0) || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(
      `${name} must be ${integer ? 'an integer' : 'a number'} > 0${max < Infinity ? ` and <= ${max}` : ''}, got ${value}`,
    );
  }
  return value;
}

/** Digits of `index` in the mixed radix `sizes` (first size varies fastest). */
export function mixedRadixDigits(index: number, sizes: readonly number[]): number[] {
  return sizes.map((size) => {
    const digit = index % size;
    index = Math.floor(index / size);
    return digit;
  });
}

/** Finite sets (grids, discrete hierarchy stages) are visited in a seeded permuteIndex order, which handles up to 2^30 items. */
export const MAX_ENUMERATED = 2 ** 30;

/** A key equal for two trials exactly when they set every searched hyperparameter alike (one whose condition fails counts as unset). */
export function paramsKey(searched: readonly HyperparameterSpec[]): (params: Params) => string {
  return (params) => JSON.stringify(searched.map((p) => (inEffect(p.name, params) ? params[p.name] : null)));
}

/**
 * Values for `searched` that no key in `tried` has: a finite space is walked in a seeded
 * order (undefined once it is used up), otherwise uniform draws are repeated until one is new.
 * `context` holds the values of the names not searched, which decide the conditions.
 */
export function untriedParams(
  searched: readonly HyperparameterSpec[],
  tried: ReadonlySet<string>,
  key: number,
  id: number,
  context: Params = {},
): Params | undefined {
  const searchedKey = paramsKey(searched);
  const keyOf = (params: Params) => searchedKey({ ...context, ...params });
  const finiteSize = searched.reduce((n, p) => n * cardinality(p.distribution), 1);
  if (finiteSize <= MAX_ENUMERATED) {
    const axes = searched.map((p) =>
      Array.from({ length: cardinality(p.distribution) }, (_, i) =>
        fromUnit(p.distribution, (i + 0.5) / cardinality(p.distribution)),
      ),
    );
    // Each step either finds an untried point or passes a tried one, so this ends within tried.size + 1 steps.
    for (let i = 0; i < finiteSize; i++) {
      const digits = mixedRadixDigits(
        permuteIndex(i, finiteSize, key),
        axes.map((a) => a.length),
      );
      const params = Object.fromEntries(searched.map((p, d) => [p.name, axes[d][digits[d]]]));
      if (!tried.has(keyOf(params))) return params;
    }
    return undefined;
  }
  for (let attempt = 0; ; attempt++) {
    const params = drawParams(searched, {}, hash32(key, attempt), id);
    if (!tried.has(keyOf(params))) return params;
  }
}
