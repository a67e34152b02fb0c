// The search benchmark behind `npm run bench:search` (bench/search.mjs runs it in Node):
// every scheduler on test functions mapped onto lab-like spaces, 20 seeds, trials run as the
// study runner runs them (populations of `parallelism` planned at once, then all finished).
// A function sees each hyperparameter through its unit position (space.ts), so a log axis
// is a linear axis of the function: x = low + (high - low) · toUnit(value).
import { type StandardHyperparameter, standardHyperparameter } from '../src/search/catalog.ts';
import { createScheduler } from '../src/search/scheduler.ts';
import { contains, fromUnit, type SearchSpace, toUnit } from '../src/search/space.ts';
import type { FinishedTrial, Params, SchedulerConfig, TrialPlan } from '../src/search/types.ts';

export interface TestFunction {
  name: string;
  space: SearchSpace;
  objective(p: Params): number;
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

/** Objective values by trial id, trials planned `parallelism` at a time and all finished before the next population (the study runner's loop). */
export function runStudy(config: SchedulerConfig, f: TestFunction, seed: number, parallelism: number): number[] {
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
    if (population.length === 0) return finished.map((t) => t.objective);
    for (const t of population)
      finished.push({ id: t.id, params: t.params, state: 'COMPLETE', objective: f.objective(t.params) });
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Regret after n trials: the best of the first n trials minus the function's minimum. */
export function regretAt(values: number[], n: number, minimum: number): number {
  return Math.min(...values.slice(0, n)) - minimum;
}

export interface SearchBenchOptions {
  seeds: number;
  trials: number;
  checkpoints: readonly number[];
  parallelisms: readonly number[];
}

/** Median regret per function, parallelism, scheduler and checkpoint: { branin: { p1: { tpe: { at50, at100 } } } }. */
export function runSearchBench({
  seeds,
  trials,
  checkpoints,
  parallelisms,
}: SearchBenchOptions): Record<string, Record<string, Record<string, Record<string, number>>>> {
  const out: Record<string, Record<string, Record<string, Record<string, number>>>> = {};
  for (const f of FUNCTIONS) {
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
