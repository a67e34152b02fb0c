// The search benchmark behind `npm run bench:search` (bench/search.mjs runs it in Node):
// every scheduler on test functions mapped onto lab-like spaces, 20 seeds, trials run as the
// study runner runs them (populations of `parallelism` planned at once, then all finished).
// A function sees each hyperparameter through its unit position (space.ts), so a log axis
// is a linear axis of the function: x = low + (high - low) · toUnit(value).

import { readFileSync } from 'node:fs';
import { type StandardHyperparameter, standardHyperparameter } from '../src/search/catalog.ts';
import { normal, stringKey } from '../src/search/random.ts';
import { createScheduler } from '../src/search/scheduler.ts';
import { contains, fromUnit, type SearchSpace, toUnit } from '../src/search/space.ts';
import type { FinishedTrial, Params, SchedulerConfig, TrialPlan } from '../src/search/types.ts';

export interface TestFunction {
  name: string;
  space: SearchSpace;
  /** What the scheduler is told; NaN: the trial diverged (it is told DIVERGED, as the lab does). */
  objective(p: Params): number;
  /** The noise-free value regret is measured on (the objective itself when there is no noise). */
  value?(p: Params): number;
  /** The function's minimum over the continuous box (discrete axes may leave a small floor above it). */
  minimum: number;
}

/** The catalog's rows, searched; a default outside the range (weight decay's 0 = off) moves to the range's middle, where the function is defined. */
function spaceOf(names: readonly StandardHyperparameter[]): SearchSpace {
  return names.map((n) => {
    const row = standardHyperparameter(n);
    return {
      ...row,
      enabled: true,
      default: contains(row.distribution, row.default) ? row.default : fromUnit(row.distribution, 0.5),
    };
  });
}

/** The unit position of a numeric hyperparameter, mapped onto [low, high]. */
function axis(space: SearchSpace, p: Params, name: string, low: number, high: number): number {
  const row = space.find((r) => r.name === name)!;
  return low + (high - low) * toUnit(row.distribution, p[name]);
}

const braninSpace = spaceOf(['learningRate', 'beta1']);
const hartmannSpace = spaceOf(['learningRate', 'beta1', 'weightDecay', 'decayRate', 'beta2', 'epsilon']);
const levySpace = spaceOf(['learningRate', 'beta1', 'weightDecay', 'epsilon']);
const cliffSpace = spaceOf(['learningRate', 'batchSize', 'beta1', 'hiddenUnits']);

// Hartmann-6 (Surjanovic & Bingham's constants), on [0, 1]^6: one global minimum among six local ones.
const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];
const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
function hartmann6(p: Params): number {
  const x = hartmannSpace.map((r) => axis(hartmannSpace, p, r.name, 0, 1));
  return -HARTMANN_ALPHA.reduce(
    (sum, a, i) => sum + a * Math.exp(-x.reduce((e, xj, j) => e + HARTMANN_A[i][j] * (xj - HARTMANN_P[i][j]) ** 2, 0)),
    0,
  );
}
// The real lab objective: the spiral MLP's final validation loss (CPU engine) on a grid of
// learning rate × β1 × hidden units, from bench/search-spiral-table.mjs; between grid points
// it is interpolated multilinearly on the unit axes (so its minimum is the table's). A trial
// whose nearest grid point diverged diverges; otherwise diverged corners are left out.
const spiralSpace = spaceOf(['learningRate', 'beta1', 'hiddenUnits']);
const spiralTable = JSON.parse(readFileSync('bench/search-spiral-table.json', 'utf8')) as {
  axes: Record<'learningRate' | 'beta1' | 'hiddenUnits', number[]>;
  losses: Record<string, number | null>;
};
const spiralNames = ['learningRate', 'beta1', 'hiddenUnits'] as const;
const spiralUnits = spiralNames.map((name) =>
  spiralTable.axes[name].map((v) => toUnit(spiralSpace.find((r) => r.name === name)!.distribution, v)),
);
function spiralLoss(p: Params): number {
  // Per axis: the bracketing grid indices and the weight of the upper one.
  const brackets = spiralNames.map((name, d) => {
    const u = toUnit(spiralSpace.find((r) => r.name === name)!.distribution, p[name]);
    const us = spiralUnits[d];
    let i = 0;
    while (i < us.length - 2 && u > us[i + 1]) i++;
    const w = Math.min(1, Math.max(0, (u - us[i]) / (us[i + 1] - us[i])));
    return { i, w };
  });
  const at = (idx: number[]) =>
    spiralTable.losses[spiralNames.map((name, d) => spiralTable.axes[name][idx[d]]).join('|')] ?? null;
  if (at(brackets.map((b) => b.i + (b.w >= 0.5 ? 1 : 0))) === null) return Number.NaN;
  let sum = 0;
  let weights = 0;
  for (let corner = 0; corner < 8; corner++) {
    const idx = brackets.map((b, d) => b.i + ((corner >> d) & 1));
    const w = brackets.reduce((acc, b, d) => acc * ((corner >> d) & 1 ? b.w : 1 - b.w), 1);
    const loss = at(idx);
    if (loss === null || w === 0) continue;
    sum += w * loss;
    weights += w;
  }
  return sum / weights;
}

/** Seeded by the trial's values: the same trial always gets the same noise, in every run and sampler. */
const noiseOf = (p: Params) => normal(stringKey(JSON.stringify(p)));
const rosenbrockSpace = spaceOf(['learningRate', 'beta1', 'weightDecay', 'decayRate']);
const coupledSpace = spaceOf(['learningRate', 'batchSize', 'hiddenLayers', 'decay']);

export const FUNCTIONS: readonly TestFunction[] = [
  {
    // Branin on (log lr, log(1-β1)): three global minima.
    name: 'branin',
    space: braninSpace,
    minimum: 0.39788735772973816,
    objective(p) {
      const x1 = axis(braninSpace, p, 'learningRate', -5, 10);
      const x2 = axis(braninSpace, p, 'beta1', 0, 15);
      const b = 5.1 / (4 * Math.PI ** 2);
      return (x2 - b * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    },
  },
  {
    // 4-D Rosenbrock on [-2, 2]^4 over log lr, log(1-β1), log weight decay, log(1-decay rate): a curved valley.
    name: 'rosenbrock',
    space: rosenbrockSpace,
    minimum: 0,
    objective(p) {
      const x = rosenbrockSpace.map((r) => axis(rosenbrockSpace, p, r.name, -2, 2));
      let f = 0;
      for (let i = 0; i < x.length - 1; i++) f += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
      return f;
    },
  },
  {
    // Lab-like, mixed: the best learning rate grows with the batch size (10^-3 at 16, 10^-0.5 at 512),
    // 3 hidden layers are best, cosine decay is worth 0.2.
    name: 'coupled',
    space: coupledSpace,
    minimum: 0,
    objective(p) {
      const best = -3 + 0.5 * Math.log2((p.batchSize as number) / 16);
      return (
        (Math.log10(p.learningRate as number) - best) ** 2 +
        0.05 * ((p.hiddenLayers as number) - 3) ** 2 +
        (p.decay === 'cosine' ? 0 : 0.2)
      );
    },
  },
  {
    // Hartmann-6 on six continuous axes (log lr, 1-β1, log weight decay, 1-decay rate, 1-β2, log ε).
    name: 'hartmann6',
    space: hartmannSpace,
    minimum: -3.322368011415515,
    objective: hartmann6,
  },
  {
    // Hartmann-6 seen through noise of sd 0.1 (about 3% of its range), as a validation loss varies
    // with the data order; regret is the noise-free value of the best trial as observed.
    name: 'hartmann6-noisy',
    space: hartmannSpace,
    minimum: -3.322368011415515,
    objective: (p) => hartmann6(p) + 0.1 * noiseOf(p),
    value: hartmann6,
  },
  {
    // 4-D Levy on [-10, 10]^4 over log lr, 1-β1, log weight decay, log ε: a rugged surface, f* = 0 at x = 1.
    name: 'levy',
    space: levySpace,
    minimum: 0,
    objective(p) {
      const w = levySpace.map((r) => 1 + (axis(levySpace, p, r.name, -10, 10) - 1) / 4);
      const d = w.length;
      let f = Math.sin(Math.PI * w[0]) ** 2 + (w[d - 1] - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[d - 1]) ** 2);
      for (let i = 0; i < d - 1; i++) f += (w[i] - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i] + 1) ** 2);
      return f;
    },
  },
  {
    // The edge of stability: a trial diverges (NaN, told as DIVERGED) when log10 lr passes a cliff
    // that moves with the batch size (-1.5 at 16 to -0.25 at 512); the best rate lies 0.2 decades
    // below it, with batch 128, 1-β1 = 10^-1.5 and 32 hidden units best. f* = 0.
    name: 'cliff',
    space: cliffSpace,
    minimum: 0,
    objective(p) {
      const cliff = -1.5 + 0.25 * Math.log2((p.batchSize as number) / 16);
      const lr = Math.log10(p.learningRate as number);
      if (lr > cliff) return Number.NaN;
      return (
        (lr - (cliff - 0.2)) ** 2 +
        0.05 * Math.log2((p.batchSize as number) / 128) ** 2 +
        0.1 * (Math.log10(1 - (p.beta1 as number)) + 1.5) ** 2 +
        0.02 * (Math.log2(p.hiddenUnits as number) - 5) ** 2
      );
    },
  },
  {
    // The real lab objective (see spiralLoss): learning rate, β1 and hidden units of the default study.
    name: 'spiral-mlp',
    space: spiralSpace,
    minimum: Math.min(...Object.values(spiralTable.losses).filter((v): v is number => v !== null)),
    objective: spiralLoss,
  },
];

export const SCHEDULERS: readonly SchedulerConfig['kind'][] = [
  'random',
  'quasi-random',
  'coarse-to-fine',
  'hierarchy',
  'tpe',
  'cmaes',
  'auto',
];

/**
 * The noise-free value of each trial (NaN: diverged) with what it was told, by trial id; trials
 * planned `parallelism` at a time and all finished before the next population (the study runner's loop).
 */
export function runStudy(config: SchedulerConfig, f: TestFunction, seed: number, parallelism: number): Observed[] {
  const scheduler = createScheduler(config, f.space, seed);
  const started: TrialPlan[] = [];
  const finished: FinishedTrial[] = [];
  for (;;) {
    const population: TrialPlan[] = [];
    while (population.length < parallelism) {
      const d = scheduler.next({ started, finished });
      if (d.kind !== 'trial') break;
      started.push(d.trial);
      population.push(d.trial);
    }
    if (population.length === 0) return finished.map((t) => observe(f, t.params));
    for (const t of population) {
      const objective = f.objective(t.params);
      finished.push({
        id: t.id,
        params: t.params,
        state: Number.isNaN(objective) ? 'DIVERGED' : 'COMPLETE',
        objective,
      });
    }
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One trial as the bench scores it: what the scheduler was told and the noise-free value. */
export interface Observed {
  told: number;
  value: number;
}

export function observe(f: TestFunction, p: Params): Observed {
  const told = f.objective(p);
  return { told, value: Number.isNaN(told) ? Number.NaN : (f.value ?? f.objective)(p) };
}

/** Regret after n trials: the noise-free value of the best-told trial among the first n (diverged ones left out), minus the minimum. */
export function regretAt(trials: readonly Observed[], n: number, minimum: number): number {
  const best = trials
    .slice(0, n)
    .reduce<Observed | undefined>((b, t) => (Number.isNaN(t.told) || (b && b.told <= t.told) ? b : t), undefined);
  return (best ? best.value : Number.POSITIVE_INFINITY) - minimum;
}

export interface SearchBenchOptions {
  seeds: number;
  trials: number;
  checkpoints: readonly number[];
  parallelisms: readonly number[];
  /** Only these functions (default: all). */
  functions?: readonly string[];
}

/** Median regret per function, parallelism, scheduler and checkpoint: { branin: { p1: { tpe: { at50, at100 } } } }. */
export function runSearchBench({
  seeds,
  trials,
  checkpoints,
  parallelisms,
  functions,
}: SearchBenchOptions): Record<string, Record<string, Record<string, Record<string, number>>>> {
  const out: Record<string, Record<string, Record<string, Record<string, number>>>> = {};
  for (const f of FUNCTIONS.filter((g) => !functions || functions.includes(g.name))) {
    out[f.name] = {};
    for (const parallelism of parallelisms) {
      const byScheduler: Record<string, Record<string, number>> = {};
      for (const kind of SCHEDULERS) {
        const runs = Array.from({ length: seeds }, (_, seed) =>
          runStudy({ kind, budget: { trials }, parallelism } as SchedulerConfig, f, seed + 1, parallelism),
        );
        byScheduler[kind] = Object.fromEntries(
          checkpoints.map((n) => [`at${n}`, Number(median(runs.map((v) => regretAt(v, n, f.minimum))).toPrecision(4))]),
        );
      }
      out[f.name][`p${parallelism}`] = byScheduler;
    }
  }
  return out;
}
