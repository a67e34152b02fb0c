// Log-axis ticks are bounded whatever the range: uPlot's own log splits loop without end
// below ~1e-16 (a 1e-40 learning-rate range froze the tab for a minute, then threw).
import { describe, expect, it } from 'vitest';
import { chartLogTicks, decadeExponents, logRange, logTicks } from '../../src/ui/log-ticks.ts';

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

  it('on a chart, evenly spaced 1-2-5 steps where fewer than two 1-2-5 ticks lie inside', () => {
    expect(chartLogTicks(1.93, 2.42)).toEqual([2, 2.1, 2.2, 2.3, 2.4]);
    expect(chartLogTicks(0.31, 0.32)).toEqual([0.31, 0.312, 0.314, 0.316, 0.318, 0.32]);
    expect(chartLogTicks(0.15, 0.9)).toEqual([0.2, 0.5]);
    expect(chartLogTicks(1e-4, 1)).toEqual([1e-4, 1e-3, 1e-2, 0.1, 1]);
    expect(chartLogTicks(3, 3)).toEqual([3]);
  });
});

describe('log range', () => {
  it("pads the data's span in decades by 5% either side, at least 0.02 decade", () => {
    const [low, high] = logRange(0.01, 100);
    expect(Math.log10(low)).toBeCloseTo(-2.2, 12);
    expect(Math.log10(high)).toBeCloseTo(2.2, 12);
    const [a, b] = logRange(2, 2);
    expect(Math.log10(a)).toBeCloseTo(Math.log10(2) - 0.02, 12);
    expect(Math.log10(b)).toBeCloseTo(Math.log10(2) + 0.02, 12);
  });
});
