// One suite run against every scheduler kind (Optuna's test_reproducible idea): same seed,
// same trials, whatever the number of workers and the order they finish in; other seed,
// other trials; every sample inside its bounds; unsearched ones at their defaults. TPE (and the
// hierarchy, TPE within each stage) reads whatever has finished when it is asked (it waits only
// between stages), so with more workers it sees less: for them, the same history gives the same
// trial, whichever worker count produced it.
import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { inEffect } from '../../src/search/hyperparameters.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import { contains, type SearchSpace } from '../../src/search/space.ts';
import type { History, Params, Scheduler, SchedulerConfig } from '../../src/search/types.ts';
import { simulate } from './simulate.ts';

function space(): SearchSpace {
  const s = standardSpace();
  for (const p of s) if (p.name === 'beta2' || p.name === 'optimizer') p.enabled = true; // unlocked 'fixed' ones too
  return s;
}

// A smooth fake objective over the standard names, so the adaptive schedulers have something to follow.
const objective = (p: Params): number =>
  (Math.log10(p.learningRate as number) + 2.2) ** 2 +
  0.1 * Math.log2((p.batchSize as number) / 64) ** 2 +
  0.05 * ((p.hiddenLayers as number) - 2) ** 2 +
  (p.decay === 'cosine' ? 0 : 0.02);

const configs: SchedulerConfig[] = [
  { kind: 'grid', budget: { trials: 40 }, pointsPerParam: 3 },
  { kind: 'random', budget: { trials: 40 } },
  { kind: 'quasi-random', budget: { trials: 40 } },
  { kind: 'coarse-to-fine', budget: { trials: 40 }, trialsPerRound: 8 },
  { kind: 'hierarchy', budget: { trials: 40 } },
  { kind: 'tpe', budget: { trials: 40 } },
  { kind: 'cmaes', budget: { trials: 40 } },
  { kind: 'cmaes', budget: { trials: 40 }, parallelism: 4 },
  { kind: 'auto', budget: { trials: 40 } },
  { kind: 'pbt', budget: { trials: 40 }, interval: 50 },
];

/** Trials issued without waiting for every earlier one: reproducible from the history, not from the worker count. */
const readsPartialHistory = (config: SchedulerConfig) =>
  config.kind === 'tpe' || config.kind === 'hierarchy' || config.kind === 'auto';

/** Wraps a scheduler, keeping a copy of the history each trial was issued from. */
function recording(scheduler: Scheduler): { scheduler: Scheduler; seen: Map<number, History> } {
  const seen = new Map<number, History>();
  return {
    seen,
    scheduler: {
      next(history) {
        const decision = scheduler.next(history);
        if (decision.kind === 'trial')
          seen.set(decision.trial.id, {
            started: [...history.started],
            finished: [...history.finished],
            elapsedSeconds: history.elapsedSeconds,
          });
        return decision;
      },
    },
  };
}

describe.each(configs)('$kind scheduler (%#)', (config) => {
  const run = (seed: number, workers = 1, ties: 'oldest-first' | 'newest-first' = 'oldest-first') =>
    simulate(createScheduler(config, space(), seed), objective, { workers, ties, duration: (t) => 1 + (t.id % 3) });

  it('same seed, same trials, whatever the workers and finishing order', () => {
    const a = run(11);
    expect(a.started).toHaveLength(40);
    expect(run(11).started).toEqual(a.started);
    const parallel = run(11, 5, 'newest-first');
    if (readsPartialHistory(config))
      expect(parallel.started.map((t) => t.params)).not.toEqual(a.started.map((t) => t.params)); // it did learn from what had finished
    else expect(parallel.started.map((t) => t.params)).toEqual(a.started.map((t) => t.params));
  });

  it('the same history gives the same trial, whatever order the finished ones are listed in and with a fresh scheduler', () => {
    const { scheduler, seen } = recording(createScheduler(config, space(), 11));
    const sim = simulate(scheduler, objective, { workers: 5, ties: 'newest-first', duration: (t) => 1 + (t.id % 3) });
    const fresh = createScheduler(config, space(), 11);
    for (const trial of sim.started) {
      const h = seen.get(trial.id)!;
      const decision = fresh.next({ ...h, finished: [...h.finished].reverse() });
      expect(decision).toEqual({ kind: 'trial', trial });
    }
  });

  it('other seed, other trials', () => {
    const a = run(11).started.map((t) => t.params);
    const b = run(12).started.map((t) => t.params);
    const same = a.filter((p, i) => JSON.stringify(p) === JSON.stringify(b[i])).length;
    expect(same).toBeLessThanOrEqual(config.kind === 'grid' ? 2 : 0);
  });

  it('ids count up from 0; every value lies inside its distribution; unsearched ones stay at their defaults; a value is recorded exactly when its condition holds', () => {
    const s = space();
    const { started } = run(3, 4);
    started.forEach((t, i) => expect(t.id).toBe(i));
    const conditional = new Set<string>();
    for (const t of started) {
      for (const p of s) {
        const v = t.params[p.name];
        expect(
          p.name in t.params,
          `${p.name} recorded for optimizer ${t.params.optimizer}, decay ${t.params.decay}`,
        ).toBe(inEffect(p.name, t.params));
        if (!inEffect(p.name, t.params)) conditional.add(p.name);
        else if (p.enabled) expect(contains(p.distribution, v), `${p.name}=${v}`).toBe(true);
        else expect(v).toBe(p.default);
      }
    }
    // The optimizer is searched, so some trials leave out β2 (it is Adam's only).
    expect(conditional.has('beta2')).toBe(true);
  });

  it('stops at a time budget: no trial issued at or after the deadline', () => {
    const timed = { ...config, budget: { seconds: 30 } } as SchedulerConfig;
    const sim = simulate(createScheduler(timed, space(), 5), objective, { workers: 2, duration: () => 2 });
    expect(sim.started.length).toBeGreaterThan(10);
    for (const t of sim.started) expect(t.issuedAtSeconds).toBeLessThan(30);
  });
});

describe('random draws are keyed by (seed, trial, name)', () => {
  it("enabling another hyperparameter leaves the others' draws unchanged", () => {
    const lrOnly = space().map((p) => ({ ...p, enabled: p.name === 'learningRate' }));
    const withBatch = space().map((p) => ({ ...p, enabled: p.name === 'learningRate' || p.name === 'batchSize' }));
    const rates = (s: SearchSpace) =>
      simulate(createScheduler({ kind: 'random', budget: { trials: 10 } }, s, 3), objective).started.map(
        (t) => t.params.learningRate,
      );
    expect(rates(withBatch)).toEqual(rates(lrOnly));
  });
});

describe('scheduler configuration errors', () => {
  it('reject bad seeds, budgets and options with a message saying what to fix', () => {
    const s = space();
    expect(() => createScheduler({ kind: 'random', budget: { trials: 0 } }, s, 1)).toThrow(
      'a trial budget needs a positive integer, got trials=0',
    );
    expect(() => createScheduler({ kind: 'random', budget: { seconds: -1 } }, s, 1)).toThrow(
      'a time budget needs a positive number of seconds',
    );
    expect(() => createScheduler({ kind: 'random', budget: { trials: 5 } }, s, -1)).toThrow(
      'seed must be an integer in [0, 2^32), got -1',
    );
    expect(() => createScheduler({ kind: 'coarse-to-fine', budget: { trials: 5 }, trialsPerRound: 0 }, s, 1)).toThrow(
      'coarse-to-fine trialsPerRound must be an integer > 0, got 0',
    );
    expect(() => createScheduler({ kind: 'hierarchy', budget: { trials: 5 }, shares: [0, 0, 0, 0] }, s, 1)).toThrow(
      'hierarchy shares must be 4 non-negative numbers',
    );
    expect(() =>
      createScheduler({ kind: 'random', budget: { seconds: 5 } }, s, 1).next({ started: [], finished: [] }),
    ).toThrow('a time budget needs history.elapsedSeconds >= 0');
  });
});
