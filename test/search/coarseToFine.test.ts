import { describe, expect, it } from 'vitest';
import { shrinkBox } from '../../src/search/coarseToFine.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import type { Decision, FinishedTrial, Params, SchedulerConfig, TrialPlan } from '../../src/search/types.ts';
import { simulate } from './simulate.ts';

// The seed's example: learning rate searched over [1e-4, 10], optimum near 0.03.
const space: SearchSpace = [
  {
    name: 'learningRate',
    distribution: { kind: 'float', scale: 'log', low: 1e-4, high: 10 },
    default: 0.01,
    tier: 1,
    enabled: true,
  },
];
// A loss bowl on the log axis, steeper on the high side (too large a rate hurts more).
const loss = (p: Params): number => {
  const t = Math.log10(p.learningRate as number) - Math.log10(0.03);
  return t > 0 ? 3 * t * t : t * t;
};
const bestRate = (finished: FinishedTrial[]): number =>
  finished.reduce((a, b) => (b.objective < a.objective ? b : a)).params.learningRate as number;
const within10pct = (lr: number): boolean => Math.abs(lr - 0.03) <= 0.003;

describe('coarse-to-fine', () => {
  const seeds = Array.from({ length: 100 }, (_, i) => i);
  const c2f: SchedulerConfig = { kind: 'coarse-to-fine', budget: { trials: 50 }, trialsPerRound: 10 };
  const runs = seeds.map((s) => simulate(createScheduler(c2f, space, s), loss, { workers: 3 }));
  const randomRuns = seeds.map((s) =>
    simulate(createScheduler({ kind: 'random', budget: { trials: 50 } }, space, s), loss),
  );

  it('gets within 10% of 0.03 in at most 50 trials for at least 95 of 100 seeds, and beats random search at the same budget', () => {
    for (const r of runs) expect(r.started.length).toBeLessThanOrEqual(50);
    const hits = runs.filter((r) => within10pct(bestRate(r.finished))).length;
    const randomHits = randomRuns.filter((r) => within10pct(bestRate(r.finished))).length;
    expect(hits).toBeGreaterThanOrEqual(95);
    expect(hits).toBeGreaterThan(randomHits);
    const meanBest = (rs: typeof runs): number =>
      rs.reduce((a, r) => a + Math.min(...r.finished.map((t) => t.objective)), 0) / rs.length;
    expect(meanBest(runs)).toBeLessThan(meanBest(randomRuns) / 10);
  });

  it('records rounds and boxes; each box lies in the original range, contains its trials, and narrows round by round', () => {
    const { started } = runs[7];
    expect(started.map((t) => t.round)).toEqual(Array.from({ length: 50 }, (_, i) => Math.floor(i / 10)));
    const widths: number[] = [];
    for (let r = 0; r < 5; r++) {
      const box = started[r * 10].box!.learningRate;
      widths.push(box.unitHigh - box.unitLow);
      expect(box.low).toBeGreaterThanOrEqual(1e-4);
      expect(box.high).toBeLessThanOrEqual(10);
      for (const t of started.slice(r * 10, r * 10 + 10)) {
        expect(t.box).toEqual(started[r * 10].box);
        expect(t.params.learningRate).toBeGreaterThanOrEqual(box.low);
        expect(t.params.learningRate).toBeLessThanOrEqual(box.high);
      }
    }
    expect(widths[0]).toBe(1);
    for (let r = 1; r < 5; r++) expect(widths[r]).toBeLessThan(widths[r - 1]);
  });

  it('waits for a round to finish before drawing the next', () => {
    const scheduler = createScheduler({ ...c2f, trialsPerRound: 2 }, space, 1);
    const trialOf = (d: Decision): TrialPlan =>
      d.kind === 'trial' ? d.trial : expect.fail(`expected a trial, got ${d.kind}`);
    const t0 = trialOf(scheduler.next({ started: [], finished: [] }));
    const t1 = trialOf(scheduler.next({ started: [t0], finished: [] }));
    expect(scheduler.next({ started: [t0, t1], finished: [{ ...t0, state: 'COMPLETE', objective: 1 }] })).toEqual({
      kind: 'wait',
    });
    const next = scheduler.next({
      started: [t0, t1],
      finished: [
        { ...t0, state: 'COMPLETE', objective: 1 },
        { ...t1, state: 'FAILED', objective: NaN },
      ],
    });
    expect(next.kind).toBe('trial');
  });

  it('shrink rule: half the width, centred on the best trial, slid back inside [0, 1]', () => {
    const at = (id: number, u: number, objective: number): FinishedTrial => ({
      id,
      params: { learningRate: 1e-4 * 10 ** (5 * u) },
      state: 'COMPLETE',
      objective,
    });
    const finished = [at(0, 0.4, 2), at(1, 0.55, 1), at(2, 0.6, 3), at(3, 0.1, NaN)];
    const [lo, hi] = shrinkBox(space, { learningRate: [0.2, 1] }, finished, 0.5).learningRate;
    expect(lo).toBeCloseTo(0.35, 9);
    expect(hi).toBeCloseTo(0.75, 9);
    // Best at the edge: the box keeps its new width and slides inside.
    const [elo, ehi] = shrinkBox(space, { learningRate: [0, 1] }, [at(0, 0.99, 1)], 0.5).learningRate;
    expect(ehi).toBe(1);
    expect(elo).toBeCloseTo(0.5, 9);
    // No COMPLETE trial: the box stays.
    expect(shrinkBox(space, { learningRate: [0.2, 0.4] }, [at(3, 0.1, NaN)], 0.5)).toEqual({
      learningRate: [0.2, 0.4],
    });
  });
});
