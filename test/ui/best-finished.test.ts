// bestFinished picks what sorting every finished trial by objective and keeping the first k
// picked (the loss curves draw these when a study is past the curve cap), in one pass.
import { describe, expect, it } from 'vitest';
import { emptyCurve, type TrialRecord } from '../../src/study/record.ts';
import { bestFinished } from '../../src/ui/trial-display.ts';

const states = ['COMPLETE', 'PRUNED', 'RUNNING', 'DIVERGED'] as const;

describe('bestFinished', () => {
  it('equals a stable sort of the finished trials by objective, cut to k, for ties, NaNs and short lists', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 50; run++) {
      const trials = Array.from(
        { length: Math.floor(next() * 300) },
        (_, id) =>
          ({
            id,
            params: {},
            placement: {},
            state: states[Math.floor(next() * states.length)],
            // Few distinct values, so ties are common; some results are missing.
            objective: next() < 0.1 ? Number.NaN : Math.floor(next() * 20) / 10,
            steps: 1,
            curve: emptyCurve(),
          }) as TrialRecord,
      );
      for (const k of [1, 5, 64]) {
        const sorted = trials
          .filter((t) => t.state !== 'RUNNING' && Number.isFinite(t.objective))
          .sort((a, b) => a.objective - b.objective)
          .slice(0, k);
        expect(bestFinished(trials, k).map((t) => t.id)).toEqual(sorted.map((t) => t.id));
      }
    }
  });
});
