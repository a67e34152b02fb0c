// CMA-ES (Hansen, "The CMA Evolution Strategy: A Tutorial", 2016), after Optuna's
// CmaEsSampler and the `cmaes` library it uses:
//  axes         numeric hyperparameters on their unit axis (space.ts: log, 1-β log, power-of-two
//               and int are uniform there); the search box is [0, 1]^n. A draw outside it is
//               drawn again (up to 100 times), then clipped. Start: mean 0.5, σ = 1/6, C = I.
//  population   λ = the smallest multiple of `parallelism` that is at least 4 + ⌊3 ln n⌋, so
//               whole generations fill the trials trained at once; μ = ⌊λ/2⌋ with log weights.
//               A generation is the λ trials issued after the previous one; it is told once
//               all have finished (the scheduler waits until then), ranked as TPE ranks them
//               (complete by objective, then pruned by progress, then diverged; failed last).
//  update       the tutorial's rank-μ and rank-one update with cumulative step-size adaptation.
//  discrete     integers and powers of two with margin (Hamano et al. 2022, CMA-ES with margin):
//               the trial takes the value whose unit bin holds m + A∘(x − m); after each update
//               A grows where needed so that each side of the mean's bin keeps probability
//               ≥ α/2, α = 1/(nλ) (one side ≥ α at an end bin), so a dimension never freezes on
//               one value. The paper also moves the mean; here only A is corrected.
//  categorical  as Optuna does, by a separate sampler: TPE over the categoricals alone, given
//               the trials of earlier generations and the current one's as running (liar).
//  restarts     IPOP: when the search stagnates (σ·√max Cii < 1e-4; the generation's values and
//               the recent bests flat within 1e-12; no better best in 10 + ⌈30n/λ⌉ generations;
//               cond(C) > 1e14) it restarts from a seeded uniform mean with λ doubled.
//  no repeats   a draw that repeats an issued trial is drawn again; when 100 draws fail, an
//               untried point is taken (sampling.ts); a finite space used up ends the search.
// Trials record their generation, counted across restarts, as their round.
// Exp, log and pow come from math.ts, so a link draws the same trials in every JS engine.
// The scheduler keeps no state: each call replays the generations from the history (every
// draw keyed by seed, restart, generation, member and attempt), so the same history gives the
// same trial whatever the finishing order and however many workers ran it.

import { erfc } from '../train/cpu/ops.ts';
import { inEffect } from './hyperparameters.ts';
import { exp, log, pow } from './math.ts';
import { hash32, normal, stringKey, uniform } from './random.ts';
import { budgetAllowsAnother, checkOption, paramsKey, rankedComplete, untriedParams } from './sampling.ts';
import { cardinality, contains, defaultParams, fromUnit, type SearchSpace, searchedParams, toUnit } from './space.ts';
import { rankForTpe, TPE_DEFAULTS, tpeProposals } from './tpe.ts';
import type { FinishedTrial, History, Params, Scheduler, SchedulerConfig, TrialPlan } from './types.ts';

type CmaEsConfig = Extract<SchedulerConfig, { kind: 'cmaes' }>;

const CMA_TAG = 0xc3a35;
const RESTART_TAG = 0xc3a36;
const FALLBACK_TAG = 0xc3a37;
const CATEGORICAL_TAG = 0xc3a38;
const MAX_ATTEMPTS = 100;
const SIGMA0 = 1 / 6;
const TOL_X = 1e-4;
const TOL_FUN = 1e-12;
const MAX_CONDITION = 1e14;

/** The default λ for n dimensions (Hansen's 4 + ⌊3 ln n⌋), rounded up to a multiple of `parallelism`. */
export function populationSize(n: number, parallelism: number): number {
  const base = 4 + Math.floor(3 * log(Math.max(n, 1)));
  return parallelism * Math.ceil(base / parallelism);
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: C = B diag(values) Bᵀ, B's columns the vectors. */
export function symmetricEigen(C: readonly number[][]): { values: number[]; B: number[][] } {
  const n = C.length;
  const a = C.map((r) => [...r]);
  const B = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const bkp = B[k][p];
          const bkq = B[k][q];
          B[k][p] = c * bkp - s * bkq;
          B[k][q] = s * bkp + c * bkq;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]), B };
}

/** Φ⁻¹(1 − p) for p in (0, ½]: the standard normal's upper quantile, by bisection on erfc. */
export function upperQuantile(p: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (0.5 * erfc(mid / Math.SQRT2) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** One run of CMA-ES (between restarts): its constants and its state at the start of a generation. */
interface Strategy {
  restart: number;
  generation: number;
  lambda: number;
  weights: number[];
  mueff: number;
  cs: number;
  ds: number;
  cc: number;
  c1: number;
  cmu: number;
  chiN: number;
  mean: number[];
  sigma: number;
  C: number[][];
  B: number[][];
  D: number[];
  pc: number[];
  ps: number[];
  /** Φ⁻¹(1 − α/2) and Φ⁻¹(1 − α) for the margin's α = 1/(nλ). */
  marginQuantiles: [number, number];
  /** Margin: the scale of each coordinate's deviation from the mean when it picks a discrete value (1 for floats). */
  A: number[];
  /** Best complete objective of each generation so far (Infinity when none completed). */
  bests: number[];
  /** Every complete objective of the last generation. */
  lastValues: number[];
}

function newStrategy(n: number, lambda: number, mean: number[], restart: number, sigma = SIGMA0): Strategy {
  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: mu }, (_, i) => log((lambda + 1) / 2) - log(i + 1));
  const sum = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / sum);
  const mueff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cs = (mueff + 2) / (n + mueff + 5);
  const c1 = 2 / ((n + 1.3) ** 2 + mueff);
  return {
    restart,
    generation: 0,
    lambda,
    weights,
    mueff,
    cs,
    ds: 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs,
    cc: (4 + mueff / n) / (n + 4 + (2 * mueff) / n),
    c1,
    cmu: Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff)),
    chiN: Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n)),
    mean,
    sigma,
    C: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
    B: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
    D: new Array<number>(n).fill(1),
    pc: new Array<number>(n).fill(0),
    ps: new Array<number>(n).fill(0),
    marginQuantiles: [upperQuantile(1 / (2 * n * lambda)), upperQuantile(1 / (n * lambda))],
    A: new Array<number>(n).fill(1),
    bests: [],
    lastValues: [],
  };
}

/** Draw `attempt` of member k of the strategy's current generation: m + σ B D z. */
function drawX(s: Strategy, seed: number, k: number, attempt: number): number[] {
  const n = s.mean.length;
  const z = Array.from({ length: n }, (_, j) => s.D[j] * normal(CMA_TAG, seed, s.restart, s.generation, k, attempt, j));
  return s.mean.map((m, i) => {
    let y = 0;
    for (let j = 0; j < n; j++) y += s.B[i][j] * z[j];
    return m + s.sigma * y;
  });
}

const feasible = (x: readonly number[]) => x.every((v) => v >= 0 && v <= 1);

/** Tells the generation's draws, best first, and returns the next generation's strategy. */
function tell(s: Strategy, ranked: readonly number[][], values: readonly number[]): Strategy {
  const n = s.mean.length;
  const old = s.mean;
  const ys = ranked.slice(0, s.weights.length).map((x) => x.map((v, i) => (v - old[i]) / s.sigma));
  const yw = old.map((_, i) => s.weights.reduce((acc, w, k) => acc + w * ys[k][i], 0));
  const mean = old.map((m, i) => m + s.sigma * yw[i]);
  // C^(-1/2) yw = B D^-1 Bᵀ yw
  const bty = s.D.map((_, j) => old.reduce((acc, _m, i) => acc + s.B[i][j] * yw[i], 0) / s.D[j]);
  const invSqrtY = old.map((_, i) => bty.reduce((acc, v, j) => acc + s.B[i][j] * v, 0));
  const psScale = Math.sqrt(s.cs * (2 - s.cs) * s.mueff);
  const ps = s.ps.map((p, i) => (1 - s.cs) * p + psScale * invSqrtY[i]);
  const psNorm = Math.sqrt(ps.reduce((a, v) => a + v * v, 0));
  const hsig = psNorm / Math.sqrt(1 - pow(1 - s.cs, 2 * (s.generation + 1))) < (1.4 + 2 / (n + 1)) * s.chiN ? 1 : 0;
  const pcScale = hsig * Math.sqrt(s.cc * (2 - s.cc) * s.mueff);
  const pc = s.pc.map((p, i) => (1 - s.cc) * p + pcScale * yw[i]);
  const keep = 1 - s.c1 - s.cmu + (1 - hsig) * s.c1 * s.cc * (2 - s.cc);
  const C = s.C.map((row, i) =>
    row.map(
      (c, j) =>
        keep * c + s.c1 * pc[i] * pc[j] + s.cmu * s.weights.reduce((acc, w, k) => acc + w * ys[k][i] * ys[k][j], 0),
    ),
  );
  const sigma = Math.min(1, s.sigma * exp((s.cs / s.ds) * (psNorm / s.chiN - 1)));
  const { values: eig, B } = symmetricEigen(C);
  const D = eig.map((v) => Math.sqrt(Math.max(v, 1e-20)));
  const best = values.length ? Math.min(...values) : Infinity;
  return {
    ...s,
    generation: s.generation + 1,
    mean,
    sigma,
    C,
    B,
    D,
    pc,
    ps,
    bests: [...s.bests, best],
    lastValues: [...values],
  };
}

/** Margin (Hamano et al. 2022): widen A on discrete axes so each side of the mean's bin keeps probability ≥ α/2. */
function withMargin(s: Strategy, bins: readonly number[]): Strategy {
  const zSide = s.marginQuantiles[0];
  const zEnd = s.marginQuantiles[1];
  const A = s.A.map((a, i) => {
    const K = bins[i];
    if (!Number.isFinite(K) || K < 2) return a;
    const m = Math.min(1, Math.max(0, s.mean[i]));
    const b = Math.min(K - 1, Math.floor(m * K));
    const sd = s.sigma * Math.sqrt(s.C[i][i]);
    const lower = m - b / K;
    const upper = (b + 1) / K - m;
    const needed = b === 0 ? upper / zEnd : b === K - 1 ? lower / zEnd : Math.max(lower, upper) / zSide;
    return Math.max(a, needed / sd);
  });
  return { ...s, A };
}

function stagnated(s: Strategy): boolean {
  const n = s.mean.length;
  const spread = s.sigma * Math.sqrt(Math.max(...s.C.map((r, i) => r[i])));
  if (spread < TOL_X) return true;
  const recent = s.bests.slice(-(10 + Math.ceil((30 * n) / s.lambda)));
  const flat = (xs: number[]) => xs.length > 0 && Math.max(...xs) - Math.min(...xs) < TOL_FUN;
  if (s.lastValues.length === s.lambda && flat(s.lastValues) && flat(recent)) return true;
  if (s.bests.length > recent.length && Math.min(...recent) >= Math.min(...s.bests.slice(0, -recent.length)))
    return true;
  const eig = s.D.map((d) => d * d);
  return Math.max(...eig) > MAX_CONDITION * Math.min(...eig);
}

/** Finished trials best first as TPE ranks them, failed ones last. */
function ranking(members: readonly FinishedTrial[]): FinishedTrial[] {
  const ranked = rankForTpe(members);
  const rankedIds = new Set(ranked.map((t) => t.id));
  return [...ranked, ...members.filter((t) => !rankedIds.has(t.id)).sort((a, b) => a.id - b.id)];
}

/**
 * CMA-ES from trial `warmStartAt` on (0: from the start). With warmStartAt > 0 the earlier
 * trials came from another sampler: it waits until they have all finished, then starts at
 * the best one's unit point with σ = the root-mean-square distance of the best 10% (at least
 * 2) from it, clipped to [0.02, 1/6]; it answers only for trials from warmStartAt on.
 */
export function createCmaEs(config: CmaEsConfig, space: SearchSpace, seed: number, warmStartAt = 0): Scheduler {
  const parallelism = checkOption('cmaes parallelism', config.parallelism ?? 1, { integer: true });
  const searched = searchedParams(space);
  const numeric = searched.filter((p) => p.distribution.kind !== 'categorical');
  const categorical = searched.filter((p) => p.distribution.kind === 'categorical');
  const bins = numeric.map((p) => cardinality(p.distribution));
  const n = numeric.length;
  const lambda0 = populationSize(n, parallelism);
  const base = defaultParams(space);
  // Keys see the defaults of what is not searched: they decide whose condition holds.
  const searchedKey = paramsKey(searched);
  const keyOf = (params: Params) => searchedKey({ ...base, ...params });
  const numericValuesKey = paramsKey(numeric);
  const numericKey = (params: Params) => numericValuesKey({ ...base, ...params });
  const tpeSeed = hash32(CATEGORICAL_TAG, seed);
  const tpeOptions = { ...TPE_DEFAULTS };

  /** The numeric values a unit point stands for; discrete coordinates are scaled by A about the mean (margin). */
  const decode = (s: Strategy, x: readonly number[]): Params =>
    Object.fromEntries(
      numeric.map((p, i) => {
        const u = Number.isFinite(bins[i]) ? s.mean[i] + s.A[i] * (x[i] - s.mean[i]) : x[i];
        return [p.name, fromUnit(p.distribution, u)];
      }),
    );

  /**
   * The unit point behind an issued trial: the first draw that gives its values (those in
   * effect), else its values' own positions, the mean's where it has none.
   */
  function pointOfTrial(s: Strategy, k: number, params: Params): number[] {
    const key = numericKey(params);
    const matches = (x: readonly number[]) => numericKey({ ...params, ...decode(s, x) }) === key;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const x = drawX(s, seed, k, attempt);
      if (feasible(x) && matches(x)) return x;
    }
    const clipped = drawX(s, seed, k, 0).map((v) => Math.min(1, Math.max(0, v)));
    if (matches(clipped)) return clipped;
    return unitPoint(params, s.mean);
  }

  /** A new trial's values for member k: a fresh draw whose values no trial has, categoricals by TPE. */
  function propose(s: Strategy, k: number, history: History, firstOfGeneration: number): Params | undefined {
    const id = history.started.length;
    const tried = new Set(history.started.map((t) => keyOf(t.params)));
    const categoricalHistory: History = {
      started: history.started,
      finished: history.finished.filter((t) => t.id < firstOfGeneration),
    };
    const choices = categorical.length
      ? tpeProposals(categorical, categoricalHistory, tpeSeed, id, tpeOptions, base)
      : [{}];
    const untriedWith = (values: Params) =>
      choices.map((c) => ({ ...values, ...c })).find((params) => !tried.has(keyOf(params)));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const x = drawX(s, seed, k, attempt);
      const params = feasible(x) ? untriedWith(decode(s, x)) : undefined;
      if (params) return params;
    }
    const clipped = drawX(s, seed, k, 0).map((v) => Math.min(1, Math.max(0, v)));
    return untriedWith(decode(s, clipped)) ?? untriedParams(searched, tried, hash32(FALLBACK_TAG, seed), id, base);
  }

  /** The strategy after a finished generation (a restart when it stagnated). */
  function advance(s: Strategy, first: number, started: History['started'], members: FinishedTrial[]): Strategy {
    if (n === 0) return { ...s, generation: s.generation + 1 }; // categoricals only: TPE alone chooses
    const points = members.map((t) => pointOfTrial(s, t.id - first, started[t.id].params));
    const ranked = ranking(members);
    const values = ranked.filter((t) => t.state === 'COMPLETE' && Number.isFinite(t.objective));
    const next = withMargin(
      tell(
        s,
        ranked.map((t) => points[t.id - first]),
        values.map((t) => t.objective),
      ),
      bins,
    );
    if (!stagnated(next)) return next;
    const restart = s.restart + 1;
    const mean = numeric.map((p) => uniform(RESTART_TAG, seed, restart, stringKey(p.name)));
    return withMargin(newStrategy(n, s.lambda * 2, mean, restart), bins);
  }

  // Replaying is a pure function of the history; the strategy after each generation is kept,
  // keyed by everything it was computed from, so a long study does not replay from scratch.
  const afterGeneration: { key: string; next: Strategy }[] = [];
  const memberKey = (t: FinishedTrial) =>
    JSON.stringify([t.id, t.state, t.objective, t.curve?.steps.at(-1), t.curve?.values.at(-1), numericKey(t.params)]);

  /** A trial's unit point; `fill` where a value's condition failed (it has none). */
  function unitPoint(params: Params, fill: readonly number[]): number[] {
    const context = { ...base, ...params };
    return numeric.map((p, i) => (inEffect(p.name, context) ? toUnit(p.distribution, params[p.name]) : fill[i]));
  }

  /** The first generation's strategy and a key of what it was computed from; undefined while earlier trials run. */
  function initialStrategy(history: History): { strategy: Strategy; key: string } | undefined {
    if (warmStartAt === 0)
      return { strategy: withMargin(newStrategy(n, lambda0, new Array<number>(n).fill(0.5), 0), bins), key: '' };
    const earlier = history.finished.filter((t) => t.id < warmStartAt);
    if (earlier.length < warmStartAt) return undefined;
    const top = rankedComplete(earlier).filter((t) =>
      numeric.every((p) => !inEffect(p.name, { ...base, ...t.params }) || contains(p.distribution, t.params[p.name])),
    );
    if (top.length === 0)
      return { strategy: withMargin(newStrategy(n, lambda0, new Array<number>(n).fill(0.5), 0), bins), key: 'none' };
    const centre = new Array<number>(n).fill(0.5);
    const mean = unitPoint(top[0].params, centre);
    const best = top.slice(0, Math.max(2, Math.ceil(0.1 * top.length))).map((t) => unitPoint(t.params, mean));
    const rms = Math.sqrt(
      best.reduce((acc, x) => acc + x.reduce((a, v, i) => a + (v - mean[i]) ** 2, 0), 0) /
        (best.length * Math.max(n, 1)),
    );
    const sigma = Math.min(SIGMA0, Math.max(0.02, rms));
    return {
      strategy: withMargin(newStrategy(n, lambda0, mean, 0, sigma), bins),
      key: JSON.stringify(earlier.map((t) => [t.id, t.objective])),
    };
  }

  return {
    next(history) {
      const id = history.started.length;
      if (!budgetAllowsAnother(config.budget, history)) return { kind: 'done' };
      const finishedById = new Map(history.finished.map((t) => [t.id, t]));
      const start = initialStrategy(history);
      if (!start) return { kind: 'wait' };
      let s = start.strategy;
      for (let first = warmStartAt, round = 0; ; round++) {
        if (id < first + s.lambda) {
          const params = propose(s, id - first, history, first);
          if (!params) return { kind: 'done' };
          const trial: TrialPlan = { id, params: { ...base, ...params }, round };
          if (history.elapsedSeconds !== undefined) trial.issuedAtSeconds = history.elapsedSeconds;
          return { kind: 'trial', trial };
        }
        const members = Array.from({ length: s.lambda }, (_, k) => finishedById.get(first + k));
        if (members.some((t) => !t)) return { kind: 'wait' };
        const key = start.key + (members as FinishedTrial[]).map(memberKey).join();
        const cached = afterGeneration[round];
        const next = cached?.key === key ? cached.next : advance(s, first, history.started, members as FinishedTrial[]);
        afterGeneration[round] = { key, next };
        afterGeneration.length = round + 1;
        first += s.lambda;
        s = next;
      }
    },
  };
}
