// Population-based training's decisions (src/search/pbt.ts): who copies whom and the
// perturbed hyperparameters, a pure function of (seed, step, members).
import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { type createPbt, type PopulationMember, perturb } from '../../src/search/pbt.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import type { SearchSpace } from '../../src/search/space.ts';

function space(): SearchSpace {
  const s = standardSpace();
  for (const p of s) p.enabled = ['learningRate', 'beta1', 'hiddenUnits', 'batchSize'].includes(p.name);
  return s;
}

const pbt = (seed: number, interval = 100) =>
  createScheduler({ kind: 'pbt', budget: { trials: 16 }, interval }, space(), seed) as ReturnType<typeof createPbt>;

/** 16 members with the scheduler's own first trials and losses that rank them by id (0 best). */
function members(seed: number): PopulationMember[] {
  const scheduler = pbt(seed);
  const started: Array<{ id: number; params: Record<string, number | string> }> = [];
  for (let id = 0; id < 16; id++) {
    const decision = scheduler.next({ started, finished: [] });
    if (decision.kind !== 'trial') throw new Error('expected a trial');
    started.push(decision.trial);
  }
  return started.map((t) => ({ id: t.id, params: t.params, validationLoss: 0.1 + t.id / 100 }));
}

describe('population-based training', () => {
  it('starts from the quasi-random points, so a study without PBT trains the same population', () => {
    const quasi = createScheduler({ kind: 'quasi-random', budget: { trials: 16 } }, space(), 7);
    const first = pbt(7).next({ started: [], finished: [] });
    expect(first).toEqual(quasi.next({ started: [], finished: [] }));
  });

  it('at each interval the worst quarter copies one of the best quarter, reproducibly from the seed', () => {
    const population = members(3);
    const exploits = pbt(3).exploit(200, population);
    expect(exploits.map((e) => e.id)).toEqual([12, 13, 14, 15]);
    for (const e of exploits) expect([0, 1, 2, 3]).toContain(e.from);
    expect(pbt(3).exploit(200, [...population].reverse())).toEqual(exploits);
    expect(pbt(3).exploit(150, population)).toEqual([]);
    // Other seeds choose other donors and directions (over a few steps, not all alike).
    const lineage = (seed: number) => [100, 200, 300].flatMap((step) => pbt(seed).exploit(step, population));
    expect(lineage(4)).not.toEqual(lineage(3));
    expect(lineage(3)).toEqual(lineage(3));
  });

  it('ranks NaN losses last and leaves populations under four alone', () => {
    const population = members(5);
    population[0].validationLoss = Number.NaN;
    expect(
      pbt(5)
        .exploit(100, population)
        .map((e) => e.id),
    ).toContain(0);
    expect(pbt(5).exploit(100, population.slice(0, 3))).toEqual([]);
  });

  it("perturbs the donor's learning rate ×0.8 or ×1.25, 1-β1 likewise, and keeps its integers and powers of two", () => {
    const population = members(9);
    for (const e of pbt(9).exploit(100, population)) {
      const donor = population[e.from].params;
      const lr = (e.params.learningRate as number) / (donor.learningRate as number);
      expect([0.8, 1.25].some((f) => Math.abs(lr - f) < 1e-12)).toBe(true);
      const oneMinusBeta = (1 - (e.params.beta1 as number)) / (1 - (donor.beta1 as number));
      expect([0.8, 1.25].some((f) => Math.abs(oneMinusBeta - f) < 1e-9)).toBe(true);
      expect(e.params.hiddenUnits).toBe(donor.hiddenUnits);
      expect(e.params.batchSize).toBe(donor.batchSize);
    }
  });

  it('clamps a perturbation to the range and moves a linear one a tenth of its range', () => {
    expect(perturb({ kind: 'float', scale: 'log', low: 1e-4, high: 1 }, 0.9, true)).toBe(1);
    expect(perturb({ kind: 'float', scale: 'one-minus-log', low: 0.5, high: 0.999 }, 0.9989, false)).toBe(0.999);
    expect(perturb({ kind: 'float', scale: 'linear', low: 0, high: 0.5 }, 0.2, true)).toBeCloseTo(0.25, 12);
  });

  it('refuses an interval that is not a positive integer', () => {
    expect(() => pbt(1, 0)).toThrow(/PBT interval/);
  });
});
