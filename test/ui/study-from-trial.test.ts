import { describe, expect, it } from 'vitest';
import { toUnit } from '../../src/search/space.ts';
import { defaultStudy, parseStudy } from '../../src/study/spec.ts';
import { studyFromTrial } from '../../src/ui/study-from-trial.ts';

describe('studyFromTrial', () => {
  it('searches half of each scale centred on the trial, holds the rest at its values, and is a valid study', () => {
    const spec = defaultStudy();
    spec.space = spec.space.map((r) =>
      r.name === 'batchSize' || r.name === 'optimizer' ? { ...r, enabled: true } : r,
    );
    const params = {
      ...Object.fromEntries(spec.space.map((r) => [r.name, r.default])),
      learningRate: 0.01,
      beta1: 0.99,
      batchSize: 64,
      optimizer: 'sgd',
    };
    const next = studyFromTrial(spec, { id: 3, params });
    expect(parseStudy(next).ok).toBe(true);
    const row = (name: string) => next.space.find((r) => r.name === name)!;
    // learning rate: log over [1e-4, 1] (4 decades) → 2 decades centred on 1e-2.
    const lr = row('learningRate').distribution as { low: number; high: number };
    expect(lr.low).toBeCloseTo(1e-3, 12);
    expect(lr.high).toBeCloseTo(1e-1, 12);
    // β1 at 0.99 is mid-scale on one-minus-log [0.9, 0.999]: half a decade of 1-β either side.
    const b1 = row('beta1').distribution;
    expect(toUnit(b1, (b1 as { low: number }).low)).toBeCloseTo(0, 12);
    expect(1 - (b1 as { low: number }).low).toBeCloseTo(10 ** -1.5, 12);
    expect(1 - (b1 as { high: number }).high).toBeCloseTo(10 ** -2.5, 12);
    // power of two 16…512: six bins of one doubling, 64 centres the 3rd; the box [1/6, 2/3] rounds to 32…256.
    expect(row('batchSize').distribution).toEqual({ kind: 'power-of-two', low: 32, high: 256 });
    // A categorical keeps its choices; every default is the trial's value.
    expect(row('optimizer').distribution).toEqual(spec.space.find((r) => r.name === 'optimizer')!.distribution);
    for (const r of next.space) expect(r.default).toBe(params[r.name as keyof typeof params]);
    expect(next.space.map((r) => r.enabled)).toEqual(spec.space.map((r) => r.enabled));
  });
});
