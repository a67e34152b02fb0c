import { describe, expect, it } from 'vitest';
import { nextLength, roundSize, shrinkBox } from '../../src/search/coarseToFine.ts';
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

  it('records rounds and boxes; each box lies in the original range and contains its trials; the last 2 of each later round of 10 search the whole range', () => {
    const { started } = runs[7];
    expect(started.map((t) => t.round)).toEqual(Array.from({ length: 50 }, (_, i) => Math.floor(i / 10)));
    for (const t of started) {
      const box = t.box!.learningRate;
      expect(box.low).toBeGreaterThanOrEqual(1e-4);
      expect(box.high).toBeLessThanOrEqual(10);
      expect(t.params.learningRate).toBeGreaterThanOrEqual(box.low);
      expect(t.params.learningRate).toBeLessThanOrEqual(box.high);
      const whole = box.unitLow === 0 && box.unitHigh === 1;
      expect(whole, `trial ${t.id}`).toBe(t.id < 10 || t.id % 10 >= 8);
    }
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

describe('coarse-to-fine trust region', () => {
  const unit = (name: string): SearchSpace[number] => ({
    name,
    distribution: { kind: 'float', scale: 'linear', low: 0, high: 1 },
    default: 0.5,
    tier: 1,
    enabled: true,
  });
  const widthOf = (t: TrialPlan, name: string) => t.box![name].unitHigh - t.box![name].unitLow;
  /** The box of each later round (its first trial's), by round. */
  const roundBoxes = (started: TrialPlan[], size: number) => started.filter((t) => t.id >= size && t.id % size === 0);

  it('length rule: an edge success doubles L (at most 1); an inside success or a failure multiplies it by zoom', () => {
    expect(nextLength(0.25, 'edge', 0.5)).toBe(0.5);
    expect(nextLength(0.75, 'edge', 0.5)).toBe(1);
    expect(nextLength(0.25, 'inside', 0.5)).toBe(0.125);
    expect(nextLength(0.25, 'failure', 0.5)).toBe(0.125);
  });

  it('a round whose best moved far (to the box edge) doubles the box; one whose best stayed near the centre halves it', () => {
    const space = [unit('x')];
    const scheduler = createScheduler({ kind: 'coarse-to-fine', budget: { trials: 30 } }, space, 9);
    const plan = (started: TrialPlan[], finished: FinishedTrial[], n: number): TrialPlan[] => {
      const out: TrialPlan[] = [];
      for (let i = 0; i < n; i++) {
        const d = scheduler.next({ started: [...started, ...out], finished });
        out.push(d.kind === 'trial' ? d.trial : expect.fail(`expected a trial, got ${d.kind}`));
      }
      return out;
    };
    const x = (t: TrialPlan) => t.params.x as number;
    const done = (ts: TrialPlan[], value: (t: TrialPlan) => number): FinishedTrial[] =>
      ts.map((t) => ({ id: t.id, params: t.params, state: 'COMPLETE', objective: value(t) }));
    const round0 = plan([], [], 10);
    const finished0 = done(round0, (t) => Math.abs(x(t) - 0.5));
    const centre = x(round0.reduce((a, b) => (Math.abs(x(b) - 0.5) < Math.abs(x(a) - 0.5) ? b : a)));
    const round1 = plan(round0, finished0, 10);
    expect(widthOf(round1[0], 'x')).toBe(0.5);
    const local = round1.slice(0, 8);
    const far = local.reduce((a, b) => (Math.abs(x(b) - centre) > Math.abs(x(a) - centre) ? b : a));
    const near = local.reduce((a, b) => (Math.abs(x(b) - centre) < Math.abs(x(a) - centre) ? b : a));
    expect(Math.abs(x(far) - centre)).toBeGreaterThan(0.125); // beyond a quarter of the 0.5-wide box: the edge
    expect(Math.abs(x(near) - centre)).toBeLessThan(0.125);
    const boxAfter = (winner: TrialPlan) =>
      plan([...round0, ...round1], [...finished0, ...done(round1, (t) => (t === winner ? -1 : 10))], 1)[0];
    expect(widthOf(boxAfter(far), 'x')).toBe(1);
    expect(widthOf(boxAfter(near), 'x')).toBeCloseTo(0.25, 12);
    // A round that finds nothing better halves it too.
    const failed = plan([...round0, ...round1], [...finished0, ...done(round1, () => 10)], 1)[0];
    expect(widthOf(failed, 'x')).toBeCloseTo(0.25, 12);
  });

  it('per axis by importance: from round 2 (20 trials), an axis that does not matter keeps a box at least twice as wide as one that does (or the whole axis)', () => {
    const space = [unit('x'), unit('y')];
    const f = (p: Params) => 100 * ((p.x as number) - 0.3) ** 2 + 0.01 * (p.y as number);
    for (let seed = 1; seed <= 5; seed++) {
      const { started } = simulate(createScheduler({ kind: 'coarse-to-fine', budget: { trials: 50 } }, space, seed), f);
      for (const b of roundBoxes(started, 10).slice(1)) {
        const [wx, wy] = [widthOf(b, 'x'), widthOf(b, 'y')];
        expect(wy, `seed ${seed}, round ${b.round}: x ${wx}`).toBeGreaterThanOrEqual(Math.min(1, 2 * wx) - 1e-12);
      }
    }
  });

  it('rounds are whole populations: 10 per round at parallelism 8 becomes 16, and no round is split', () => {
    expect(roundSize(10, 8)).toBe(16);
    expect(roundSize(10, 1)).toBe(10);
    expect(roundSize(4, 16)).toBe(16);
    const { started } = simulate(
      createScheduler({ kind: 'coarse-to-fine', budget: { trials: 48 }, parallelism: 8 }, [unit('x')], 3),
      (p) => p.x as number,
      { workers: 8 },
    );
    expect(started.map((t) => t.round)).toEqual(Array.from({ length: 48 }, (_, i) => Math.floor(i / 16)));
  });
});
