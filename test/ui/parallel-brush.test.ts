import { describe, expect, it } from 'vitest';
import { emptyCurve, type TrialRecord } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { brushLabel, OBJECTIVE_AXIS, paramBrush, trialsInBrushes } from '../../src/ui/parallel-brush.ts';
import { axisPosition, NOT_APPLICABLE, unitTicks } from '../../src/ui/unit-axis.ts';

const space = defaultStudy().space;
const trial = (id: number, learningRate: number, objective: number, state: TrialRecord['state'] = 'COMPLETE') =>
  ({
    id,
    params: { learningRate, beta1: 0.9 },
    placement: {},
    state,
    objective,
    steps: 1,
    curve: emptyCurve(),
  }) as TrialRecord;

describe('trialsInBrushes', () => {
  const trials = [trial(0, 1e-4, 0.5), trial(1, 1e-2, 0.2), trial(2, 0.5, 2), trial(3, 1e-2, Number.NaN, 'DIVERGED')];
  it('keeps every trial without brushes, and those inside every brushed range with them', () => {
    expect(trialsInBrushes(trials, space, {})).toEqual(new Set([0, 1, 2, 3]));
    // learning rate on its log axis [1e-4, 1]: 1e-2 sits at 0.5.
    expect(trialsInBrushes(trials, space, { learningRate: [0.4, 0.6] })).toEqual(new Set([1, 3]));
    // The objective is brushed in loss values; a trial without a result is outside.
    expect(trialsInBrushes(trials, space, { learningRate: [0.4, 0.6], [OBJECTIVE_AXIS]: [0, 1] })).toEqual(
      new Set([1]),
    );
    expect(trialsInBrushes(trials, space, { [OBJECTIVE_AXIS]: [0.3, 3] })).toEqual(new Set([0, 2]));
  });
});

describe('a hyperparameter a trial did not use (its condition failed)', () => {
  const row = (name: string) => space.find((r) => r.name === name)!;
  // β1 applies to momentum and Adam only: an SGD trial records none.
  const sgd = { ...trial(4, 1e-2, 0.3), params: { learningRate: 1e-2, optimizer: 'sgd' } };
  const adam = { ...trial(5, 1e-2, 0.3), params: { learningRate: 1e-2, optimizer: 'adam', beta1: 0.9 } };
  const outside = { ...trial(6, 1e-2, 0.3), params: { learningRate: 1e-2, beta1: 0.5 } };

  it('sits in the n/a slot below the axis, apart from the low end; a value off the axis has no position', () => {
    expect(NOT_APPLICABLE).toBeLessThan(0);
    expect(axisPosition(row('beta1'), sgd)).toBe(NOT_APPLICABLE);
    expect(axisPosition(row('beta1'), adam)).toBe(0); // 0.9, the low end of [0.9, 0.999]
    expect(axisPosition(row('beta1'), outside)).toBeNaN();
    expect(axisPosition(row('learningRate'), sgd)).toBeCloseTo(0.5, 12);
  });

  it('is left out by a brush on the axis’ values and kept by one that reaches below the axis', () => {
    const trials = [sgd, adam, outside];
    expect(trialsInBrushes(trials, space, { beta1: [0, 1] })).toEqual(new Set([5]));
    // A drag ending in the gap under the axis snaps to the n/a slot.
    expect(paramBrush(-0.05, 0.5)).toEqual([NOT_APPLICABLE, 0.5]);
    expect(trialsInBrushes(trials, space, { beta1: paramBrush(-0.05, 0.5) })).toEqual(new Set([4, 5]));
    expect(paramBrush(NOT_APPLICABLE, -0.02)).toEqual([NOT_APPLICABLE, NOT_APPLICABLE]);
    expect(trialsInBrushes(trials, space, { beta1: [NOT_APPLICABLE, NOT_APPLICABLE] })).toEqual(new Set([4]));
    expect(paramBrush(0.2, 0.6)).toEqual([0.2, 0.6]);
  });

  it('is named "n/a" in the brush’s label', () => {
    expect(brushLabel(row('beta1'), [NOT_APPLICABLE, NOT_APPLICABLE])).toBe('n/a');
    expect(brushLabel(row('beta1'), [NOT_APPLICABLE, 0.5])).toBe('n/a, 0.9 – 0.99');
    expect(brushLabel(row('learningRate'), [0.25, 0.5])).toBe('0.001 – 0.01');
    expect(brushLabel(undefined, [0.25, 0.5])).toBe('0.25 – 0.5');
  });
});

describe('unitTicks', () => {
  it('puts decades, 1-β decades, powers of two and choices where the unit axis has them', () => {
    const at = (name: string) => unitTicks(space.find((r) => r.name === name)!.distribution);
    expect(at('learningRate').map((t) => [t.label, Number(t.u.toFixed(6))])).toEqual([
      ['1e-4', 0],
      ['0.001', 0.25],
      ['0.01', 0.5],
      ['0.1', 0.75],
      ['1', 1],
    ]);
    expect(at('beta1').map((t) => [t.label, Number(t.u.toFixed(6))])).toEqual([
      ['0.9', 0],
      ['0.99', 0.5],
      ['0.999', 1],
    ]);
    expect(at('batchSize').map((t) => t.label)).toEqual(['16', '32', '64', '128', '256', '512']);
    expect(at('optimizer').map((t) => [t.label, t.u])).toEqual([
      ['sgd', 0.125],
      ['momentum', 0.375],
      ['rmsprop', 0.625],
      ['adam', 0.875],
    ]);
  });
});
