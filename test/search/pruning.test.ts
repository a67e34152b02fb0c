import { describe, expect, it } from 'vitest';
import { createPruner } from '../../src/search/pruning.ts';
import type { Curve } from '../../src/search/types.ts';

/** A curve reported every 10 steps. */
const curve = (...values: number[]): Curve => ({ steps: values.map((_, i) => 10 * (i + 1)), values });

describe('divergence (always on)', () => {
  const pruner = createPruner({ kind: 'none' });

  it('stops a trial at once on NaN or Infinity, as DIVERGED', () => {
    expect(pruner.decide(curve(2, 1.5, NaN), [])).toEqual({
      state: 'DIVERGED',
      rule: 'divergence',
      step: 30,
      reason: 'value became NaN at step 30',
    });
    expect(pruner.decide(curve(Infinity), [])?.state).toBe('DIVERGED');
  });

  it('stops an explosion past divergenceFactor × the first value, and nothing below it', () => {
    expect(pruner.decide(curve(2, 150, 201), [])).toMatchObject({
      state: 'DIVERGED',
      reason: 'value 201 at step 30 exceeds 100 × the first value 2',
    });
    expect(pruner.decide(curve(2, 150, 199), [])).toBeNull();
    expect(createPruner({ kind: 'none', divergenceFactor: 3 }).decide(curve(1, 3.5), [])?.rule).toBe('divergence');
  });

  it('rejects a malformed curve and bad options with a message', () => {
    expect(() => pruner.decide({ steps: [10], values: [] }, [])).toThrow('a curve needs as many steps as values');
    expect(() => createPruner({ kind: 'asha', minSteps: 0 })).toThrow(
      'pruner minSteps must be a positive integer, got 0',
    );
    expect(() => createPruner({ kind: 'asha', minSteps: 10, eta: 1 })).toThrow(
      'pruner eta must be an integer >= 2, got 1',
    );
  });
});

describe('median stopping', () => {
  const pruner = createPruner({ kind: 'median', warmupSteps: 20, minTrials: 3 });
  const others = [curve(1.0, 0.8, 0.6), curve(1.1, 0.9, 0.7), curve(1.2, 1.0, 0.8), curve(0.9, 0.5)];

  it("prunes when the trial's best so far is worse than the median of the others' best at the same step", () => {
    // At step 20 the others' best values are 0.8, 0.9, 1.0, 0.5: median 0.85.
    expect(pruner.decide(curve(1.0, 0.86), others)).toEqual({
      state: 'PRUNED',
      rule: 'median',
      step: 20,
      reason: 'best value 0.86 by step 20 is worse than the median 0.85 of 4 other trials',
    });
    expect(pruner.decide(curve(1.0, 0.84), others)).toBeNull();
  });

  it('does nothing during warm-up or while too few others reached the step', () => {
    expect(pruner.decide(curve(5), others)).toBeNull(); // step 10 < warm-up 20
    // At step 30 only three others reported (0.6, 0.7, 0.8 → median 0.7); with minTrials 4 that is too few.
    expect(pruner.decide(curve(5, 5, 5), others)?.rule).toBe('median');
    expect(createPruner({ kind: 'median', minTrials: 4 }).decide(curve(5, 5, 5), others)).toBeNull();
  });

  it('counts a diverged competitor (NaN) as worst', () => {
    const withNaN = [curve(NaN, NaN), curve(NaN, NaN), curve(0.5, 0.4)];
    expect(pruner.decide(curve(1.0, 0.9), withNaN)).toBeNull(); // median of [0.4, ∞, ∞] is ∞
  });
});

describe('ASHA (η = 3)', () => {
  const pruner = createPruner({ kind: 'asha', minSteps: 10 });

  it('keeps only the best third at a rung; the first arrivals continue only if best so far', () => {
    // Rung 0 at step 10. Alone, a trial continues.
    expect(pruner.decide(curve(0.5), [])).toBeNull();
    // Second arrival, worse than the first: with fewer than η values only the best continues.
    expect(pruner.decide(curve(0.6), [curve(0.5)])?.rule).toBe('asha');
    // Nine values at the rung: the cutoff is the 3rd best.
    const eight = [0.1, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((v) => curve(v));
    expect(pruner.decide(curve(0.3), eight)).toBeNull();
    expect(pruner.decide(curve(0.45), eight)).toEqual({
      state: 'PRUNED',
      rule: 'asha',
      step: 10,
      reason: 'value 0.45 at rung 0 (step 10) is not in the best 1/3 of 9 trials (cutoff 0.4)',
    });
  });

  it('judges only when a report crosses a rung (10, 30, 90 steps), using values at the first report at or after the rung', () => {
    const leaders = [curve(0.1, 0.1, 0.1), curve(0.2, 0.2, 0.2)];
    // Step 20 is no rung: not judged even though it is the worst.
    expect(pruner.decide(curve(0.05, 0.9), leaders)).toBeNull();
    // Step 30 is rung 1: 0.9 against 0.1 and 0.2 with 3 values → only the best continues.
    expect(pruner.decide(curve(0.05, 0.9, 0.9), leaders)).toMatchObject({
      rule: 'asha',
      reason: expect.stringContaining('rung 1 (step 30)'),
    });
    // Reports every 25 steps: the rung at 30 is judged at step 50.
    const coarse: Curve = { steps: [25, 50], values: [0.05, 0.9] };
    expect(pruner.decide(coarse, leaders)).toMatchObject({
      step: 50,
      reason: expect.stringContaining('rung 1 (step 30)'),
    });
  });
});
