// The coordinator puts a population's reports back together from its slices, model by model,
// as one engine would have sent them; a slice whose models all diverged (and so stopped
// reporting) reads as diverged after its last report.
import { describe, expect, it } from 'vitest';
import type { SliceResult } from '../../src/cli/queue.ts';
import { mergeSlices } from '../../src/cli/remote-engine.ts';

function slice(models: number, steps: number[], first: number): SliceResult {
  const values = (step: number, offset: number) =>
    Float32Array.from({ length: models }, (_, i) => first + i + step / 1000 + offset);
  return {
    reports: steps.map((step) => ({
      step,
      trainLoss: values(step, 0.1),
      trainAccuracy: values(step, 0.2),
      validationLoss: values(step, 0.3),
      validationAccuracy: values(step, 0.4),
      diverged: new Uint8Array(models),
    })),
    parameters: Array.from({ length: models }, (_, i) => Float32Array.of(first + i)),
    statistics: Array.from({ length: models }, (_, i) => Float32Array.of(-(first + i))),
    stoppedAtStep: Int32Array.from({ length: models }, () => steps.at(-1) ?? 0),
    adapter: 'test',
  };
}

describe('mergeSlices', () => {
  it('lays each slice at its models’ places, step by step', () => {
    const merged = mergeSlices([slice(2, [10, 20], 0), slice(3, [10, 20], 2)], 5);
    expect(merged.reports.map((r) => r.step)).toEqual([10, 20]);
    expect(Array.from(merged.reports[1].validationLoss)).toEqual(
      [0, 1, 2, 3, 4].map((m) => Math.fround(m + 0.02 + 0.3)),
    );
    expect(Array.from(merged.reports[0].diverged)).toEqual([0, 0, 0, 0, 0]);
    expect(merged.parameters.map((p) => p[0])).toEqual([0, 1, 2, 3, 4]);
    expect(merged.statistics.map((s) => s[0])).toEqual([-0, -1, -2, -3, -4]);
    expect(Array.from(merged.stoppedAtStep)).toEqual([20, 20, 20, 20, 20]);
  });

  it('reads a slice that stopped reporting as diverged, NaN losses, after its last report', () => {
    const merged = mergeSlices([slice(1, [10], 0), slice(1, [10, 20], 1)], 2);
    expect(Array.from(merged.reports[1].diverged)).toEqual([1, 0]);
    expect(Number.isNaN(merged.reports[1].validationLoss[0])).toBe(true);
    expect(merged.reports[1].validationLoss[1]).toBe(Math.fround(1 + 0.02 + 0.3));
  });

  it('refuses slices that do not add up to the population', () => {
    expect(() => mergeSlices([slice(2, [10], 0)], 3)).toThrow('the workers sent 2 models for a population of 3');
  });
});
