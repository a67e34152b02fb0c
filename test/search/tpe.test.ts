import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import type { HyperparameterSpec, SearchSpace } from '../../src/search/space.ts';
import { belowCount, rankForTpe, trialWeights } from '../../src/search/tpe.ts';
import type { FinishedTrial, History, Params, SchedulerConfig, TrialPlan } from '../../src/search/types.ts';
import { simulate } from './simulate.ts';

const row = (
  name: string,
  distribution: HyperparameterSpec['distribution'],
  def: number | string,
): HyperparameterSpec => ({ name, distribution, default: def, tier: 1, enabled: true });
const lrSpace: SearchSpace = [row('learningRate', { kind: 'float', scale: 'log', low: 1e-5, high: 1 }, 1e-3)];
const tpe = (trials: number): SchedulerConfig => ({ kind: 'tpe', budget: { trials } });
const logQuadratic = (p: Params) => (Math.log10(p.learningRate as number) + 2) ** 2;

/** Plans one population the way the study runner does: `size` calls to next() on the same history. */
function planPopulation(
  config: SchedulerConfig,
  space: SearchSpace,
  seed: number,
  history: History,
  size: number,
): TrialPlan[] {
  const scheduler = createScheduler(config, space, seed);
  const started = [...history.started];
  const batch: TrialPlan[] = [];
  while (batch.length < size) {
    const d = scheduler.next({ ...history, started });
    if (d.kind !== 'trial') break;
    started.push(d.trial);
    batch.push(d.trial);
  }
  return batch;
}

/** A finished history of `n` trials of `objective`, run one at a time. */
function sequentialHistory(
  config: SchedulerConfig,
  space: SearchSpace,
  seed: number,
  objective: (p: Params) => number,
): History {
  const { started, finished } = simulate(createScheduler(config, space, seed), objective);
  return { started, finished };
}

describe('TPE defaults (Optuna)', () => {
  it('γ(n) = min(ceil(n/10), 25); weights 1 up to 25 trials, beyond that the oldest ramp from 1/n', () => {
    expect([1, 10, 11, 100, 250, 251, 1000].map(belowCount)).toEqual([1, 1, 2, 10, 25, 25, 25]);
    expect(trialWeights(24)).toEqual(new Array(24).fill(1));
    const w = trialWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 15);
    expect(w[4]).toBeCloseTo(1, 15);
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
    for (let i = 1; i < 5; i++) expect(w[i] - w[i - 1]).toBeCloseTo((1 - 1 / 30) / 4, 15);
  });
});

describe('TPE learns', () => {
  it('on a quadratic in log10(lr) (optimum 1e-2 in [1e-5, 1]), >= 60% of trials 51-100 lie within one decade of it, in each of 20 seeds', () => {
    const shares: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const { started } = simulate(createScheduler(tpe(100), lrSpace, seed), logQuadratic);
      const late = started.slice(50);
      shares.push(
        late.filter((t) => Math.abs(Math.log10(t.params.learningRate as number) + 2) <= 1).length / late.length,
      );
    }
    // Uniform sampling would put 2 of 5 decades = 40% there.
    console.log(
      `[tpe] share of trials 51-100 within a decade of the optimum, 20 seeds: min ${Math.min(...shares)}, median ${[...shares].sort()[10]}`,
    );
    for (const s of shares) expect(s).toBeGreaterThanOrEqual(0.6);
  }, 60_000);

  it('the first 10 trials are the quasi-random ones, then it leaves them', () => {
    const qr = simulate(
      createScheduler({ kind: 'quasi-random', budget: { trials: 12 } }, lrSpace, 4),
      logQuadratic,
    ).started;
    const t = simulate(createScheduler(tpe(12), lrSpace, 4), logQuadratic).started;
    expect(t.slice(0, 10).map((x) => x.params)).toEqual(qr.slice(0, 10).map((x) => x.params));
    expect(t[10].params).not.toEqual(qr[10].params);
  });
});

describe('TPE plans whole populations', () => {
  const mixed: SearchSpace = [
    row('learningRate', { kind: 'float', scale: 'log', low: 1e-5, high: 1 }, 1e-3),
    row('batchSize', { kind: 'power-of-two', low: 16, high: 256 }, 64),
    row('hiddenLayers', { kind: 'int', scale: 'linear', low: 1, high: 4 }, 2),
    row('decay', { kind: 'categorical', choices: ['none', 'cosine', 'step'] }, 'none'),
  ];
  const mixedObjective = (p: Params) =>
    logQuadratic(p) + 0.1 * Math.log2((p.batchSize as number) / 64) ** 2 + (p.decay === 'cosine' ? 0 : 0.3);
  const keyOf = (p: Params) => JSON.stringify(p);

  it('a population of 256 after 30 finished trials has no duplicate params, and none repeats a finished trial', () => {
    const history = sequentialHistory(tpe(30), mixed, 7, mixedObjective);
    const batch = planPopulation(tpe(1000), mixed, 7, history, 256);
    expect(batch).toHaveLength(256);
    const keys = new Set([...history.started, ...batch].map((t) => keyOf(t.params)));
    expect(keys.size).toBe(30 + 256);
  }, 60_000);

  it('a discrete space is used up without repeats, then it is done', () => {
    const discrete = mixed.slice(1); // 5 × 4 × 3 = 60 points
    const batch = planPopulation(tpe(1000), discrete, 3, { started: [], finished: [] }, 100);
    expect(batch).toHaveLength(60);
    expect(new Set(batch.map((t) => keyOf(t.params))).size).toBe(60);
  });

  it('constant liar: a population spreads wider than the same trials planned with the running ones ignored', () => {
    // Ignored = marked FAILED (TPE leaves failed trials out); with the liar they count as the worst.
    const sd = (xs: number[]) =>
      Math.sqrt(xs.reduce((s, x) => s + (x - xs.reduce((a, b) => a + b) / xs.length) ** 2, 0) / xs.length);
    const logLr = (ts: TrialPlan[]) => ts.map((t) => Math.log10(t.params.learningRate as number));
    const wider: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const history = sequentialHistory(tpe(20), lrSpace, seed, logQuadratic);
      const withLiar = planPopulation(tpe(1000), lrSpace, seed, history, 16);
      const ignored: TrialPlan[] = [];
      for (let i = 0; i < 16; i++) {
        const failed = ignored.map((t) => ({
          id: t.id,
          params: t.params,
          state: 'FAILED' as const,
          objective: Number.NaN,
        }));
        ignored.push(
          planPopulation(
            tpe(1000),
            lrSpace,
            seed,
            { started: [...history.started, ...ignored], finished: [...history.finished, ...failed] },
            1,
          )[0],
        );
      }
      wider.push(sd(logLr(withLiar)) - sd(logLr(ignored)));
    }
    console.log(
      `[tpe] liar: sd of log10(lr) over a population of 16 after 20 trials, with minus without, 10 seeds: ${wider.map((d) => d.toFixed(2)).join(' ')}`,
    );
    expect(wider.filter((d) => d > 0).length).toBeGreaterThanOrEqual(9);
  });

  it("reproducible with parallelism 1 and 5 when the history is the same: the runner's population equals one-at-a-time planning", () => {
    const history = sequentialHistory(tpe(25), mixed, 9, mixedObjective);
    const asPopulation = planPopulation(tpe(1000), mixed, 9, history, 5);
    const oneAtATime = Array.from(
      { length: 5 },
      (_, i) =>
        planPopulation(
          tpe(1000),
          mixed,
          9,
          { ...history, started: [...history.started, ...asPopulation.slice(0, i)] },
          1,
        )[0],
    );
    expect(oneAtATime).toEqual(asPopulation);
    // and the finished list's order does not matter
    const shuffled = planPopulation(tpe(1000), mixed, 9, { ...history, finished: [...history.finished].reverse() }, 5);
    expect(shuffled).toEqual(asPopulation);
  });

  it('ranks complete trials by objective, then pruned and stopped ones by how far they got, then diverged ones; failed ones are left out', () => {
    const t = (id: number, state: FinishedTrial['state'], objective: number, step?: number): FinishedTrial => ({
      id,
      params: {},
      state,
      objective,
      ...(step ? { curve: { steps: [step], values: [objective] } } : {}),
    });
    const order = rankForTpe([
      t(0, 'DIVERGED', Number.NaN, 5),
      t(1, 'PRUNED', 0.1, 10),
      t(2, 'COMPLETE', 0.9),
      t(3, 'FAILED', 0.01),
      t(4, 'STOPPED', 0.5, 30),
      t(5, 'COMPLETE', 0.3),
      t(6, 'PRUNED', 0.2, 30),
      t(7, 'COMPLETE', 0.3),
    ]);
    expect(order.map((x) => x.id)).toEqual([5, 7, 2, 6, 4, 1, 0]);
  });
});

describe('TPE on a conditional space (β2 only with Adam)', () => {
  const space = standardSpace().map((p) => ({
    ...p,
    enabled: ['learningRate', 'optimizer', 'beta2'].includes(p.name),
  }));
  /** Best with Adam, lr 1e-2 and β2 = 0.999; SGD costs 0.3 whatever β2 would have been. */
  const conditional = (p: Params) =>
    (Math.log10(p.learningRate as number) + 2) ** 2 +
    (p.optimizer === 'adam' ? 0.5 * (Math.log10(1 - (p.beta2 as number)) + 3) ** 2 : 0.3);
  const best = (config: SchedulerConfig, seed: number) =>
    Math.min(...simulate(createScheduler(config, space, seed), conditional).finished.map((t) => t.objective));

  it('records β2 only for Adam trials, repeats no trial in effect, and beats random search in most of 10 seeds', () => {
    const sim = simulate(createScheduler(tpe(60), space, 1), conditional);
    const optimizers = new Set(sim.started.map((t) => t.params.optimizer));
    expect(optimizers).toEqual(new Set(['sgd', 'momentum', 'rmsprop', 'adam']));
    for (const t of sim.started) expect('beta2' in t.params).toBe(t.params.optimizer === 'adam');
    const keys = sim.started.map((t) => JSON.stringify([t.params.learningRate, t.params.optimizer, t.params.beta2]));
    expect(new Set(keys).size).toBe(keys.length);
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const wins = seeds.filter((seed) => best(tpe(60), seed) < best({ kind: 'random', budget: { trials: 60 } }, seed));
    console.log(`[tpe] conditional space, 60 trials: TPE's best below random's in ${wins.length} of 10 seeds`);
    expect(wins.length).toBeGreaterThanOrEqual(7);
  });
});
