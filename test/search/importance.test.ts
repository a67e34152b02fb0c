import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { importance } from '../../src/search/importance.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import type { FinishedTrial, Params } from '../../src/search/types.ts';

const unitParam = (name: string, enabled = true): SearchSpace[number] => ({
  name,
  distribution: { kind: 'float', scale: 'linear', low: 0, high: 1 },
  default: 0.5,
  tier: 1,
  enabled,
});

/** `count` random-search trials of `space`, scored by `objective`. */
function trials(space: SearchSpace, objective: (p: Params) => number, count: number, seed = 1): FinishedTrial[] {
  const scheduler = createScheduler({ kind: 'random', budget: { trials: count } }, space, seed);
  const out: FinishedTrial[] = [];
  for (
    let d = scheduler.next({ started: out, finished: out });
    d.kind === 'trial';
    d = scheduler.next({ started: out, finished: out })
  ) {
    out.push({ id: d.trial.id, params: d.trial.params, state: 'COMPLETE', objective: objective(d.trial.params) });
  }
  return out;
}
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

describe('importance (fANOVA on a random forest)', () => {
  it('gives a dominant parameter at least 0.8, and the shares sum to 1', () => {
    const space = ['x', 'y', 'z'].map((n) => unitParam(n));
    const f = (p: Params): number =>
      10 * ((p.x as number) - 0.3) ** 2 + 0.3 * (p.y as number) + 0.1 * Math.sin(6 * (p.z as number));
    const r = importance(trials(space, f, 150), space);
    expect(r.x).toBeGreaterThanOrEqual(0.8);
    // Analytic main-effect variances: x 1.89, y 0.0075, z 0.0048, so x's share is 0.9934.
    expect(Math.abs(r.x - 0.9934)).toBeLessThan(0.01);
    expect(sum(r)).toBeCloseTo(1, 9);
  });

  it("ranks the seed's hierarchy: learning rate ≫ tier 2 ≫ tier 3, on the catalog's scales", () => {
    const space = standardSpace().map((p) => ({
      ...p,
      enabled: ['learningRate', 'beta1', 'batchSize', 'hiddenUnits', 'hiddenLayers', 'decay'].includes(p.name),
    }));
    const f = (p: Params): number =>
      (Math.log10(p.learningRate as number) + 2) ** 2 +
      (0.3 * Math.abs(Math.log2(p.batchSize as number) - 6)) / 3 +
      (0.2 * Math.log10(1 - (p.beta1 as number)) ** 2) / 4 +
      0.02 * (p.hiddenLayers as number) +
      (p.decay === 'none' ? 0.01 : 0);
    const r = importance(trials(space, f, 300), space);
    expect(r.learningRate).toBeGreaterThanOrEqual(0.8);
    expect(r.batchSize).toBeGreaterThan(r.hiddenLayers);
    expect(r.batchSize).toBeGreaterThan(r.hiddenUnits);
    expect(r.hiddenUnits + r.decay).toBeLessThan(0.03); // irrelevant and nearly irrelevant
  });

  it('splits evenly between two equal additive effects (0.5 ± 0.05 each)', () => {
    const space = ['x', 'y', 'z'].map((n) => unitParam(n));
    const r = importance(
      trials(space, (p) => (p.x as number) + (p.y as number), 200),
      space,
    );
    expect(Math.abs(r.x - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(r.y - 0.5)).toBeLessThan(0.05);
    expect(r.z).toBeLessThan(0.05);
  });

  it('only counts COMPLETE trials with finite objectives and only enabled hyperparameters; no signal gives zeros', () => {
    const space = [unitParam('x'), unitParam('y', false)];
    const ts = trials(space, (p) => p.x as number, 40);
    const noisy = [
      ...ts,
      { id: 99, params: { x: 0.1, y: 0.5 }, state: 'DIVERGED' as const, objective: NaN },
      { id: 100, params: { x: 0.9, y: 0.5 }, state: 'PRUNED' as const, objective: 1e9 },
    ];
    expect(importance(noisy, space)).toEqual({ x: 1 });
    expect(
      importance(
        trials(space, () => 3, 20),
        space,
      ),
    ).toEqual({ x: 0 });
    expect(importance(ts.slice(0, 1), space)).toEqual({ x: 0 });
  });

  it('is deterministic for a seed', () => {
    const space = ['x', 'y'].map((n) => unitParam(n));
    const ts = trials(space, (p) => (p.x as number) * (p.y as number), 60);
    expect(importance(ts, space, { seed: 4 })).toEqual(importance(ts, space, { seed: 4 }));
  });
});
