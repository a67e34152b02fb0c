import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { activeParams, inEffect } from '../../src/search/hyperparameters.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import { type SearchSpace, toUnit } from '../../src/search/space.ts';
import type { FinishedTrial, Params, SchedulerConfig, TrialPlan } from '../../src/search/types.ts';
import { simulate } from './simulate.ts';

// Tiers 1-3 of the catalog searched; beta2, epsilon, optimizer, activation, weightDecay fixed.
const enabled = (names: string[]): SearchSpace =>
  standardSpace().map((p) => ({ ...p, enabled: names.includes(p.name) }));
const allTiers = enabled(['learningRate', 'beta1', 'batchSize', 'hiddenUnits', 'hiddenLayers', 'decay', 'decayRate']);

// A fake objective, separable so each stage's best is easy to reason about.
const fake = (p: Params): number =>
  (Math.log10(p.learningRate as number) + 2.5) ** 2 +
  0.3 * Math.log10(1 - (p.beta1 as number)) ** 2 +
  0.05 * Math.abs(Math.log2(p.batchSize as number) - 7) +
  0.05 * Math.abs(Math.log2(p.hiddenUnits as number) - 5) +
  0.02 * Math.abs((p.hiddenLayers as number) - 3) +
  (p.decay === 'cosine' ? 0 : 0.01);

const byStage = (started: TrialPlan[], stage: string): TrialPlan[] => started.filter((t) => t.stage === stage);
const bestOf = (finished: FinishedTrial[], ids: Set<number>): FinishedTrial =>
  finished
    .filter((t) => ids.has(t.id))
    .reduce((a, b) => (b.objective < a.objective || (b.objective === a.objective && b.id < a.id) ? b : a));
const TIER2 = ['beta1', 'batchSize', 'hiddenUnits'];
const TIER3 = ['hiddenLayers', 'decay', 'decayRate'];
const FIXED = { beta2: 0.999, epsilon: 1e-8, optimizer: 'adam', activation: 'relu', weightDecay: 0 };

describe('time-boxed hierarchy, trial budget', () => {
  const config: SchedulerConfig = { kind: 'hierarchy', budget: { trials: 40 } };
  const sim = simulate(createScheduler(config, allTiers, 21), fake, { workers: 4, duration: (t) => 1 + (t.id % 5) });
  const stages = ['tier-1', 'tier-2', 'tier-3', 'refine'].map((s) => byStage(sim.started, s));

  it('splits 40 trials 50/20/20/10 down the tiers, in order', () => {
    expect(stages.map((s) => s.length)).toEqual([20, 8, 8, 4]);
    expect(sim.started.map((t) => t.stage)).toEqual(stages.flatMap((s) => s.map((t) => t.stage)));
  });

  it('tier 1 searches only the learning rate; everything else stays at its default (the decay rate, with no decay, is not recorded)', () => {
    expect(new Set(stages[0].map((t) => t.params.learningRate)).size).toBe(20);
    const defaults = activeParams(Object.fromEntries(allTiers.map((p) => [p.name, p.default])));
    expect(defaults).not.toHaveProperty('decayRate');
    for (const t of stages[0]) expect({ ...t.params, learningRate: 0 }).toEqual({ ...defaults, learningRate: 0 });
  });

  it('each later stage fixes what earlier stages found best and searches its own tier', () => {
    const tier1Best = bestOf(sim.finished, new Set(stages[0].map((t) => t.id)));
    for (const t of stages[1]) {
      expect(t.params.learningRate).toBe(tier1Best.params.learningRate);
      for (const name of TIER3)
        if (inEffect(name, t.params)) expect(t.params[name]).toBe(allTiers.find((p) => p.name === name)!.default);
      expect(t.params).toMatchObject(FIXED);
    }
    expect(new Set(stages[1].map((t) => t.params.beta1)).size).toBe(8);
    const upToTier2 = bestOf(sim.finished, new Set([...stages[0], ...stages[1]].map((t) => t.id)));
    for (const t of stages[2]) {
      for (const name of ['learningRate', ...TIER2]) expect(t.params[name]).toBe(upToTier2.params[name]);
      expect(t.params).toMatchObject(FIXED);
    }
    // The decay rate is recorded exactly when the schedule uses it, and then each is new.
    const decaying = stages[2].filter((t) =>
      ['inverse_time', 'exponential', 'step'].includes(t.params.decay as string),
    );
    expect(decaying.length).toBeGreaterThan(0);
    for (const t of stages[2]) expect('decayRate' in t.params).toBe(decaying.includes(t));
    expect(new Set(decaying.map((t) => t.params.decayRate)).size).toBe(decaying.length);
  });

  it('refinement searches every tier within ±0.1 (unit) of the best so far, keeping its categorical choices', () => {
    const best = bestOf(sim.finished, new Set([...stages[0], ...stages[1], ...stages[2]].map((t) => t.id)));
    for (const t of stages[3]) {
      expect(t.params.decay).toBe(best.params.decay);
      expect(t.params).toMatchObject(FIXED);
      for (const name of ['learningRate', ...TIER2, 'hiddenLayers', 'decayRate']) {
        const p = allTiers.find((q) => q.name === name)!;
        const u = toUnit(p.distribution, t.params[name]);
        const centre = toUnit(p.distribution, best.params[name]);
        expect(t.box![name].unitLow).toBeCloseTo(Math.max(0, centre - 0.1), 12);
        expect(t.box![name].unitHigh).toBeCloseTo(Math.min(1, centre + 0.1), 12);
        // Discrete values snap to their bins, which may reach half a bin past the box.
        const halfBin = p.distribution.kind === 'int' ? 0.5 / (p.distribution.high - p.distribution.low + 1) : 0.1;
        expect(Math.abs(u - centre)).toBeLessThanOrEqual(0.1 + halfBin);
      }
    }
  });

  it('waits for a stage to finish before starting the next', () => {
    const scheduler = createScheduler(config, allTiers, 21);
    const started = sim.started.slice(0, 20);
    const finished = sim.finished.filter((t) => t.id < 19);
    expect(scheduler.next({ started, finished })).toEqual({ kind: 'wait' });
    const all = sim.finished.filter((t) => t.id < 20);
    expect(scheduler.next({ started, finished: all })).toMatchObject({
      kind: 'trial',
      trial: { id: 20, stage: 'tier-2' },
    });
  });

  it('passes the share of a stage with nothing to search to the next, and a discrete stage that runs out of values finishes early', () => {
    const noTier3 = simulate(createScheduler(config, enabled(['learningRate', 'beta1', 'batchSize']), 4), fake);
    expect(['tier-1', 'tier-2', 'tier-3', 'refine'].map((s) => byStage(noTier3.started, s).length)).toEqual([
      20, 8, 0, 12,
    ]);
    // Tier 3 = hiddenLayers alone: 4 values, of which the incumbent already ran the default 1, so
    // 2, 3 and 4 are tried once each; the other 17 of its 20 trials go on to refinement.
    const layers = simulate(
      createScheduler(
        { kind: 'hierarchy', budget: { trials: 100 } },
        enabled(['learningRate', 'beta1', 'hiddenLayers']),
        4,
      ),
      fake,
    );
    const tier3 = byStage(layers.started, 'tier-3');
    expect(tier3.map((t) => t.params.hiddenLayers).sort()).toEqual([2, 3, 4]);
    expect(['tier-1', 'tier-2', 'tier-3', 'refine'].map((s) => byStage(layers.started, s).length)).toEqual([
      50, 20, 3, 27,
    ]);
    const keys = layers.started.map((t) => JSON.stringify(t.params));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('searches an unlocked fixed hyperparameter only in refinement, over its whole range', () => {
    const space = enabled(['learningRate', 'optimizer']);
    const { started } = simulate(createScheduler({ kind: 'hierarchy', budget: { trials: 20 } }, space, 8), fake);
    expect(new Set(started.filter((t) => t.stage !== 'refine').map((t) => t.params.optimizer))).toEqual(
      new Set(['adam']),
    );
    const refine = byStage(started, 'refine');
    expect(refine.length).toBe(10);
    expect(new Set(refine.map((t) => t.params.optimizer)).size).toBeGreaterThan(1);
  });
});

describe('time-boxed hierarchy, time budget', () => {
  const space = enabled(['learningRate', 'beta1', 'hiddenLayers']);
  const run = (seconds: number) =>
    simulate(createScheduler({ kind: 'hierarchy', budget: { seconds } }, space, 2), fake, { duration: () => 1 });

  it('gives each stage its share of the time; a stage that finishes early passes its time on', () => {
    // 100 s, one trial per second: tier 1 until 50 s, tier 2 until 70 s; tier 3 has only 3 untried
    // values (hiddenLayers; the incumbent ran the default) so ends at 73 s, and refinement gets the remaining 27 s.
    const sim = run(100);
    const issued = (stage: string) => byStage(sim.started, stage).map((t) => t.issuedAtSeconds);
    expect(issued('tier-1')).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(issued('tier-2')).toEqual(Array.from({ length: 20 }, (_, i) => 50 + i));
    expect(issued('tier-3')).toEqual([70, 71, 72]);
    expect(issued('refine')).toEqual(Array.from({ length: 27 }, (_, i) => 73 + i));
    expect(sim.endSeconds).toBe(100);
  });
});

describe('the hierarchy samples each stage with TPE', () => {
  it('tier 1 (the learning rate, 50 of 100 trials): trials 26-50 lie within a decade of the optimum more often than the first 10 quasi-random ones, in each of 10 seeds; no trial repeats', () => {
    const space = enabled(['learningRate', 'beta1', 'batchSize', 'hiddenLayers']);
    const lrOnly = (p: Params) => (Math.log10(p.learningRate as number) + 2.5) ** 2;
    for (let seed = 1; seed <= 10; seed++) {
      const { started } = simulate(
        createScheduler({ kind: 'hierarchy', budget: { trials: 100 } }, space, seed),
        lrOnly,
      );
      const near = (ts: TrialPlan[]) =>
        ts.filter((t) => Math.abs(Math.log10(t.params.learningRate as number) + 2.5) <= 1).length / ts.length;
      const tier1 = byStage(started, 'tier-1');
      expect(near(tier1.slice(25)), `seed ${seed}`).toBeGreaterThan(near(tier1.slice(0, 10)));
      expect(near(tier1.slice(25)), `seed ${seed}`).toBeGreaterThanOrEqual(0.6);
      const keys = started.map((t) => JSON.stringify(t.params));
      expect(new Set(keys).size).toBe(100);
    }
  });
});
