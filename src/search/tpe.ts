// TPE, the tree-structured Parzen estimator (Bergstra et al. 2011), after Optuna's
// TPESampler(multivariate=True, constant_liar=True) with its defaults:
//  startup      while fewer than 10 trials have a result, trial n is scrambled Halton point n.
//  split        the trials with a result are ranked (COMPLETE by objective; then PRUNED and
//               STOPPED by how far they got, then their last value; then DIVERGED); the best
//               γ(n) = min(ceil(0.1 n), 25) are "below", the rest "above". FAILED ones are left
//               out. Constant liar: trials still running count as above (the worst value), so a
//               population planned at once spreads out instead of piling onto one point.
//  estimators   l(x) over below, g(x) over above: a mixture of one product kernel per trial
//               plus a prior kernel (weight 1), on each hyperparameter's unit axis (space.ts:
//               log, 1-β log, power-of-two and int are uniform there). Numeric kernels are
//               normals truncated to [0, 1], σ = 0.2 · n^(-1/(d+4)) (Optuna's multivariate
//               bandwidth) clipped to [1/min(100, n+2), 1]; the prior is N(0.5, 1). Categorical
//               kernels put 1 + 1/k on the observed choice and 1/k on each other, normalised; the
//               prior is uniform. A trial without a value for a hyperparameter (its
//               condition failed: β2 of an SGD trial) has the prior's kernel on that axis;
//               a candidate without one is scored on its other axes only (that axis is
//               marginalised out, as each kernel integrates to 1 on it). Trial weights: 1 each up to 25, beyond that the oldest ramp
//               down linearly (Optuna's default_weights). γ counts trials with a result only.
//  proposal     24 candidates drawn from l; the one with the largest log l - log g (expected
//               improvement) that repeats no issued trial wins. Discrete values are scored at
//               their own unit position, so every kernel sees the same point. When all 24
//               repeat earlier trials, an untried point is drawn (finite spaces: in a seeded
//               order); a finite space that is used up ends the search.
// Every draw is keyed by (seed, trial id, candidate, name), and the history is read in id
// order, so the same history gives the same trial whoever finished first; with several
// trials at once the trials depend on which had finished when each was issued.

import { erfc } from '../train/cpu/ops.ts';
import { inEffect } from './hyperparameters.ts';
import { exp, log, pow } from './math.ts';
import { scrambledHalton } from './quasi.ts';
import { hash32, normal, stringKey, uniform } from './random.ts';
import { budgetAllowsAnother, checkOption, paramsKey, untriedParams } from './sampling.ts';
import {
  contains,
  defaultParams,
  fromUnit,
  type HyperparameterSpec,
  type SearchSpace,
  searchedParams,
  toUnit,
} from './space.ts';
import type { FinishedTrial, History, Params, Scheduler, SchedulerConfig, TrialPlan } from './types.ts';

type TpeConfig = Extract<SchedulerConfig, { kind: 'tpe' }>;

export const TPE_DEFAULTS = { startupTrials: 10, candidates: 24, priorWeight: 1 } as const;

const TPE_TAG = 0x7e3a1;
const FALLBACK_TAG = 0x7e3a2;
/** Rejection draws of a truncated normal before clamping (acceptance is >= 34% for σ <= 1 and μ in [0, 1]). */
const MAX_REJECTIONS = 64;
const SIGMA0 = 0.2;

/** Optuna's default_gamma: how many of n ranked trials are "below" (good). */
export function belowCount(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's default_weights for n trials in id order: 1 each up to 25; beyond, the oldest n-25 ramp from 1/n up to 1. */
export function trialWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  return [
    ...Array.from({ length: ramp }, (_, i) => (ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1))),
    ...new Array<number>(25).fill(1),
  ];
}

/**
 * A trial on the estimators' axes: unit position for numeric hyperparameters, choice index
 * for categoricals, NaN where the trial has no value (the hyperparameter's condition failed).
 */
type Point = number[];

/** A weighted mixture of product kernels over the searched hyperparameters. */
interface Estimator {
  /** Kernel centres (the prior's last) per axis; a categorical coordinate -1 is the uniform prior. */
  centres: Point[];
  /** Per kernel and numeric axis: its normal's σ (Optuna's multivariate bandwidth; the prior's, and a valueless axis's, is 1). */
  sigmas: number[][];
  /** Per kernel and numeric axis: log √(2π) + log σ + log(mass in [0, 1]), its truncated normal's log normaliser. */
  logNormalisers: number[][];
  /** Per kernel: log of its weight minus its numeric axes' log normalisers. */
  logConstants: number[];
  logWeights: number[];
}

const LOG_SQRT_2PI = 0.5 * log(2 * Math.PI);

/** The mass of N(mu, sigma) inside [0, 1]. */
function unitMass(mu: number, sigma: number): number {
  return 0.5 * (erfc(-(1 - mu) / sigma / Math.SQRT2) - erfc(mu / sigma / Math.SQRT2));
}

function buildEstimator(points: Point[], searched: readonly HyperparameterSpec[], priorWeight: number): Estimator {
  const n = points.length;
  const weights = [...trialWeights(n), priorWeight];
  const total = weights.reduce((a, b) => a + b, 0);
  const bandwidth = SIGMA0 * pow(Math.max(n, 1), -1 / (searched.length + 4));
  const sigma = Math.min(1, Math.max(1 / Math.min(100, n + 2), bandwidth));
  const prior = searched.map((p) => (p.distribution.kind === 'categorical' ? -1 : 0.5));
  // A valueless coordinate takes the prior's kernel on its axis.
  const centres = [...points, prior].map((c) => c.map((v, d) => (Number.isNaN(v) ? prior[d] : v)));
  const sigmas = [...points, prior].map((c, k) => c.map((v) => (k === n || Number.isNaN(v) ? 1 : sigma)));
  const logWeights = weights.map((w) => log(w / total));
  const logNormalisers = centres.map((c, k) =>
    c.map((mu, d) =>
      searched[d].distribution.kind === 'categorical'
        ? 0
        : LOG_SQRT_2PI + log(sigmas[k][d]) + log(unitMass(mu, sigmas[k][d])),
    ),
  );
  const logConstants = logNormalisers.map((axes, k) => axes.reduce((sum, a) => sum - a, logWeights[k]));
  return { centres, sigmas, logNormalisers, logConstants, logWeights };
}

/** log of a categorical kernel's probability of choice `c` (centre -1: the uniform prior). */
function logCategorical(c: number, centre: number, choices: number, priorWeight: number): number {
  if (centre < 0) return -log(choices);
  return log(((c === centre ? 1 : 0) + priorWeight / choices) / (1 + priorWeight));
}

function logDensity(e: Estimator, x: Point, searched: readonly HyperparameterSpec[], priorWeight: number): number {
  const terms = new Array<number>(e.centres.length);
  let max = -Infinity;
  for (let k = 0; k < e.centres.length; k++) {
    const centre = e.centres[k];
    let sum = e.logConstants[k];
    for (let d = 0; d < searched.length; d++) {
      const dist = searched[d].distribution;
      if (Number.isNaN(x[d]))
        sum += e.logNormalisers[k][d]; // marginalised: every kernel integrates to 1 on this axis
      else if (dist.kind === 'categorical') sum += logCategorical(x[d], centre[d], dist.choices.length, priorWeight);
      else {
        const z = (x[d] - centre[d]) / e.sigmas[k][d];
        sum -= 0.5 * z * z;
      }
    }
    terms[k] = sum;
    if (sum > max) max = sum;
  }
  let total = 0;
  for (const t of terms) total += exp(t - max);
  return max + log(total);
}

/** Candidate `j` for trial `id`, drawn from estimator e: a kernel by weight, then each coordinate from it. */
function drawCandidate(
  e: Estimator,
  searched: readonly HyperparameterSpec[],
  priorWeight: number,
  seed: number,
  id: number,
  j: number,
): Params {
  const pick = uniform(TPE_TAG, seed, id, j);
  let k = 0;
  for (let acc = exp(e.logWeights[0]); k < e.centres.length - 1 && pick >= acc; ) acc += exp(e.logWeights[++k]);
  const params: Params = {};
  for (const [d, p] of searched.entries()) {
    const dist = p.distribution;
    const key = stringKey(p.name);
    if (dist.kind === 'categorical') {
      const n = dist.choices.length;
      const r = uniform(TPE_TAG, seed, id, j, key);
      let c = 0;
      for (let acc = exp(logCategorical(0, e.centres[k][d], n, priorWeight)); c < n - 1 && r >= acc; )
        acc += exp(logCategorical(++c, e.centres[k][d], n, priorWeight));
      params[p.name] = dist.choices[c];
      continue;
    }
    const mu = e.centres[k][d];
    const sigma = e.sigmas[k][d];
    let u = mu;
    for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
      u = mu + sigma * normal(TPE_TAG, seed, id, j, key, attempt);
      if (u >= 0 && u <= 1) break;
    }
    params[p.name] = fromUnit(dist, u);
  }
  return params;
}

function pointOf(params: Params, searched: readonly HyperparameterSpec[]): Point {
  return searched.map((p) => {
    if (!inEffect(p.name, params)) return Number.NaN;
    return p.distribution.kind === 'categorical'
      ? p.distribution.choices.indexOf(params[p.name])
      : toUnit(p.distribution, params[p.name]);
  });
}

/** Trials with a result, best first (Optuna's order: complete, then pruned by progress, then the rest). */
export function rankForTpe(finished: readonly FinishedTrial[]): FinishedTrial[] {
  const rank = (t: FinishedTrial): [number, number, number] => {
    if (t.state === 'COMPLETE' && Number.isFinite(t.objective)) return [0, t.objective, 0];
    const last = t.curve ? t.curve.values.length - 1 : -1;
    const value = last >= 0 ? t.curve!.values[last] : t.objective;
    if ((t.state === 'PRUNED' || t.state === 'STOPPED') && Number.isFinite(value))
      return [1, -(last >= 0 ? t.curve!.steps[last] : 0), value];
    return [2, 0, 0];
  };
  const keyed = finished.filter((t) => t.state !== 'FAILED').map((t) => ({ t, r: rank(t) }));
  keyed.sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.r[2] - b.r[2] || a.t.id - b.t.id);
  return keyed.map(({ t }) => t);
}

export interface TpeOptions {
  startupTrials: number;
  candidates: number;
  priorWeight: number;
}

/**
 * TPE's proposals for trial `id` over `searched` (only those names are set), best first by
 * expected improvement; one quasi-random point during startup. Trials of `history` whose
 * values lie outside `searched` are left out; started ones without a result are the liar's.
 * `context` holds the values of the names not searched here, which decide the conditions
 * of those that are (the optimizer, for β2).
 */
export function tpeProposals(
  searched: readonly HyperparameterSpec[],
  history: History,
  seed: number,
  id: number,
  { startupTrials, candidates, priorWeight }: TpeOptions,
  context: Params = {},
): Params[] {
  const inSpace = (params: Params) =>
    searched.every((p) => !inEffect(p.name, params) || contains(p.distribution, params[p.name]));
  const finished = [...history.finished].sort((a, b) => a.id - b.id).filter((t) => inSpace(t.params));
  const order = rankForTpe(finished);
  if (order.length < startupTrials) {
    return [
      Object.fromEntries(searched.map((p, i) => [p.name, fromUnit(p.distribution, scrambledHalton(id, i, seed))])),
    ];
  }
  const nBelow = belowCount(order.length);
  const done = new Set(history.finished.map((t) => t.id));
  const pending = history.started.filter((t) => !done.has(t.id) && inSpace(t.params));
  const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
  const below = order.slice(0, nBelow).sort(byId);
  const above = [...order.slice(nBelow), ...pending].sort(byId);
  const l = buildEstimator(
    below.map((t) => pointOf(t.params, searched)),
    searched,
    priorWeight,
  );
  const g = buildEstimator(
    above.map((t) => pointOf(t.params, searched)),
    searched,
    priorWeight,
  );
  const scored = Array.from({ length: candidates }, (_, j) => {
    const params = drawCandidate(l, searched, priorWeight, seed, id, j);
    const x = pointOf({ ...context, ...params }, searched);
    return { params, j, score: logDensity(l, x, searched, priorWeight) - logDensity(g, x, searched, priorWeight) };
  });
  scored.sort((a, b) => b.score - a.score || a.j - b.j);
  return scored.map((s) => s.params);
}

export function createTpe(config: TpeConfig, space: SearchSpace, seed: number): Scheduler {
  const options: TpeOptions = {
    startupTrials: checkOption('tpe startupTrials', config.startupTrials ?? TPE_DEFAULTS.startupTrials, {
      integer: true,
    }),
    candidates: checkOption('tpe candidates', config.candidates ?? TPE_DEFAULTS.candidates, { integer: true }),
    priorWeight: TPE_DEFAULTS.priorWeight,
  };
  const searched = searchedParams(space);
  searched.forEach((_, i) => scrambledHalton(0, i, seed)); // reject too many dimensions now, not mid-study
  const base = defaultParams(space);
  const keyOf = paramsKey(searched);

  return {
    next(history) {
      const id = history.started.length;
      if (!budgetAllowsAnother(config.budget, history)) return { kind: 'done' };
      const tried = new Set(history.started.map((t) => keyOf(t.params)));
      const chosen =
        tpeProposals(searched, history, seed, id, options, base).find((p) => !tried.has(keyOf({ ...base, ...p }))) ??
        untriedParams(searched, tried, hash32(FALLBACK_TAG, seed), id, base);
      if (!chosen) return { kind: 'done' };
      const trial: TrialPlan = { id, params: { ...base, ...chosen } };
      if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
      return { kind: 'trial', trial };
    },
  };
}
