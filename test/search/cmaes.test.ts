import { describe, expect, it } from 'vitest';
import { populationSize, symmetricEigen, upperQuantile } from '../../src/search/cmaes.ts';
import { uniform } from '../../src/search/random.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import type { HyperparameterSpec, SearchSpace } from '../../src/search/space.ts';
import type { Params, SchedulerConfig } from '../../src/search/types.ts';
import { simulate } from './simulate.ts';

const row = (name: string, distribution: HyperparameterSpec['distribution']): HyperparameterSpec => ({
  name,
  distribution,
  default: distribution.kind === 'categorical' ? distribution.choices[0] : distribution.low,
  tier: 1,
  enabled: true,
});
const unitRow = (name: string) => row(name, { kind: 'float', scale: 'linear', low: 0, high: 1 });
const cmaes = (trials: number, parallelism = 1): SchedulerConfig => ({
  kind: 'cmaes',
  budget: { trials },
  parallelism,
});
const bestAfter = (finished: { id: number; objective: number }[], n: number) =>
  Math.min(...finished.filter((t) => t.id < n).map((t) => t.objective));

describe('CMA-ES pieces', () => {
  it('symmetricEigen: B diag(values) Bᵀ rebuilds a 6×6 covariance within 1e-12, B orthonormal', () => {
    const n = 6;
    const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => uniform(9, i, j) - 0.5));
    const C = G.map((_, i) => G.map((_, j) => G[i].reduce((s, g, k) => s + g * G[j][k], 0) + (i === j ? 0.1 : 0)));
    const { values, B } = symmetricEigen(C);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const rebuilt = values.reduce((s, v, k) => s + B[i][k] * v * B[j][k], 0);
        expect(Math.abs(rebuilt - C[i][j])).toBeLessThan(1e-12);
        const dot = B.reduce((s, r) => s + r[i] * r[j], 0);
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });

  it('upperQuantile is the normal quantile (1.959964 at 0.025, 3.090232 at 0.001)', () => {
    expect(upperQuantile(0.025)).toBeCloseTo(1.959963985, 8);
    expect(upperQuantile(0.001)).toBeCloseTo(3.090232306, 8);
    expect(upperQuantile(0.5)).toBeCloseTo(0, 8);
  });

  it('λ is the smallest multiple of the parallelism at least 4 + ⌊3 ln n⌋', () => {
    expect(populationSize(2, 1)).toBe(6);
    expect(populationSize(4, 1)).toBe(8);
    expect(populationSize(4, 5)).toBe(10);
    expect(populationSize(2, 16)).toBe(16);
    expect(populationSize(10, 3)).toBe(12);
  });
});

describe('CMA-ES searches', () => {
  const names = ['a', 'b', 'c', 'd'];
  const sphereSpace: SearchSpace = names.map(unitRow);
  const sphere = (p: Params) => names.reduce((s, k) => s + ((p[k] as number) - 0.3) ** 2, 0);

  it('on a 4-D sphere off-centre, the best of 200 trials is below 1e-3 in each of 10 seeds (random search: ~3e-2)', () => {
    const bests: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const { finished } = simulate(createScheduler(cmaes(200), sphereSpace, seed), sphere);
      bests.push(bestAfter(finished, 200));
    }
    console.log(`[cmaes] 4-D sphere, best of 200 trials, 10 seeds: ${bests.map((b) => b.toExponential(1)).join(' ')}`);
    for (const b of bests) expect(b).toBeLessThan(1e-3);
  }, 60_000);

  it('generations are λ trials, recorded as rounds; it waits for a whole generation before the next', () => {
    const { started } = simulate(createScheduler(cmaes(40, 4), sphereSpace, 2), sphere, {
      workers: 3,
      duration: (t) => 1 + (t.id % 4),
    });
    expect(started.map((t) => t.round)).toEqual(Array.from({ length: 40 }, (_, i) => Math.floor(i / 8)));
  });

  it('IPOP: on a flat objective every generation stagnates, and each restart doubles λ', () => {
    const { started } = simulate(createScheduler(cmaes(6 + 12 + 24 + 48), [unitRow('a'), unitRow('b')], 4), () => 1);
    const sizes = [0, 1, 2, 3].map((r) => started.filter((t) => t.round === r).length);
    expect(sizes).toEqual([6, 12, 24, 48]);
  });

  it('margin: an integer axis never freezes; 1 to 8 with the optimum at 6 is found, and trials 201-300 still try other values', () => {
    const space: SearchSpace = [unitRow('x'), row('k', { kind: 'int', scale: 'linear', low: 1, high: 8 })];
    const f = (p: Params) => ((p.x as number) - 0.3) ** 2 + 0.01 * ((p.k as number) - 6) ** 2;
    for (let seed = 1; seed <= 5; seed++) {
      const { started, finished } = simulate(createScheduler(cmaes(300), space, seed), f);
      const best = finished.reduce((a, b) => (b.objective < a.objective ? b : a));
      expect(best.params.k).toBe(6);
      const late = started.slice(200).map((t) => t.params.k);
      const off = late.filter((k) => k !== 6).length;
      expect(off, `seed ${seed}: trials 201-300 off k = 6`).toBeGreaterThanOrEqual(2);
    }
  }, 60_000);

  it('categoricals are chosen by TPE: with a 0.3 penalty off "b", most of trials 51-100 pick "b"', () => {
    const space: SearchSpace = [
      ...sphereSpace.slice(0, 2),
      row('c', { kind: 'categorical', choices: ['a', 'b', 'c'] }),
    ];
    const f = (p: Params) => sphere({ ...p, c: 0.3, d: 0.3 }) + (p.c === 'b' ? 0 : 0.3);
    for (let seed = 1; seed <= 5; seed++) {
      const { started } = simulate(createScheduler(cmaes(100), space, seed), f);
      const share = started.slice(50).filter((t) => t.params.c === 'b').length / 50;
      expect(share, `seed ${seed}`).toBeGreaterThan(0.6);
    }
  });

  it('a finite space is used up without repeats, then it is done', () => {
    const space: SearchSpace = [
      row('batch', { kind: 'power-of-two', low: 16, high: 256 }),
      row('layers', { kind: 'int', scale: 'linear', low: 1, high: 4 }),
      row('decay', { kind: 'categorical', choices: ['none', 'cosine', 'step'] }),
    ];
    const { started } = simulate(createScheduler(cmaes(1000, 4), space, 3), (p) => (p.layers as number) / 10);
    expect(started).toHaveLength(60);
    expect(new Set(started.map((t) => JSON.stringify(t.params))).size).toBe(60);
  });
});
