// Log-axis ticks are bounded whatever the range: uPlot's own log splits loop without end
// below ~1e-16 (a 1e-40 learning-rate range froze the tab for a minute, then threw).
import { describe, expect, it } from 'vitest';
import { decadeExponents, logTicks } from '../../src/ui/log-ticks.ts';

describe('log ticks', () => {
  it('decades inside the range, exactly as written', () => {
    expect(logTicks(1e-4, 1)).toEqual([1e-4, 1e-3, 1e-2, 0.1, 1]);
    expect(logTicks(3e-5, 0.2)).toEqual([1e-4, 1e-3, 1e-2, 0.1]);
  });

  it('1-2-5 steps where fewer than two decades lie inside', () => {
    expect(logTicks(0.15, 0.9)).toEqual([0.2, 0.5]);
    expect(logTicks(0.05, 0.7)).toEqual([0.05, 0.1, 0.2, 0.5]);
    expect(logTicks(0.31, 0.32)).toEqual([0.31, 0.32]);
  });

  it('at most 8 ticks over any range, down to the smallest double', () => {
    for (const [low, high] of [
      [1e-40, 1],
      [1e-300, 1e9],
      [5e-324, 1.7e308],
      [1e-12, 1],
    ]) {
      const ticks = logTicks(low, high);
      expect(ticks.length, `${low}…${high}`).toBeGreaterThanOrEqual(2);
      expect(ticks.length, `${low}…${high}`).toBeLessThanOrEqual(8);
      for (const t of ticks) expect(t >= low && t <= high && t > 0, `${t} in ${low}…${high}`).toBe(true);
    }
    expect(decadeExponents(0, 1000)).toHaveLength(8);
  });

  it('nothing for a range a log axis cannot show', () => {
    expect(logTicks(0, 1)).toEqual([]);
    expect(logTicks(-1, 1)).toEqual([]);
    expect(logTicks(1, NaN)).toEqual([]);
    expect(logTicks(1, Infinity)).toEqual([]);
  });
});
