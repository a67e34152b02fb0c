import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { uniform } from '../../src/search/random.ts';
import {
  contains,
  type Distribution,
  fromUnit,
  toUnit,
  validateDistribution,
  validateSpace,
} from '../../src/search/space.ts';

const N = 20000;
const draws = (d: Distribution, seed: number): number[] =>
  Array.from({ length: N }, (_, n) => fromUnit(d, uniform(seed, n)) as number);
const fraction = (xs: number[], lo: number, hi: number): number =>
  xs.filter((x) => x >= lo && x <= hi).length / xs.length;

describe('scales: where the draws land', () => {
  it('log-uniform learning rate in [1e-4, 1]: each decade gets 25% ± 2% of 20,000 draws', () => {
    const xs = draws({ kind: 'float', scale: 'log', low: 1e-4, high: 1 }, 1);
    for (const lo of [1e-4, 1e-3, 1e-2, 1e-1]) expect(Math.abs(fraction(xs, lo, lo * 10) - 0.25)).toBeLessThan(0.02);
  });

  it('linear on the same range puts 90% ± 1% in [0.1, 1]', () => {
    const xs = draws({ kind: 'float', scale: 'linear', low: 1e-4, high: 1 }, 2);
    expect(Math.abs(fraction(xs, 0.1, 1) - 0.9)).toBeLessThan(0.01);
  });

  it('one-minus-log β in [0.9, 0.999]: 50% ± 2% of draws in [0.99, 0.999]', () => {
    const xs = draws({ kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 }, 3);
    expect(Math.abs(fraction(xs, 0.99, 0.999) - 0.5)).toBeLessThan(0.02);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...xs)).toBeLessThanOrEqual(0.999);
  });

  it('power of two 16..512: each of the 6 sizes gets 1/6 ± 1.5% of draws', () => {
    const xs = draws({ kind: 'power-of-two', low: 16, high: 512 }, 4);
    for (const b of [16, 32, 64, 128, 256, 512])
      expect(Math.abs(xs.filter((x) => x === b).length / N - 1 / 6)).toBeLessThan(0.015);
  });

  it('int log 1..100: values 1-9 and 10-99 get equal mass on the log axis (±2%)', () => {
    const xs = draws({ kind: 'int', scale: 'log', low: 1, high: 100 }, 5);
    // Bins are [v-½, v+½]: 1..9 covers ln(9.5/0.5), 10..99 covers ln(99.5/9.5), of ln(100.5/0.5) in all.
    const total = Math.log(100.5 / 0.5);
    expect(Math.abs(fraction(xs, 1, 9) - Math.log(9.5 / 0.5) / total)).toBeLessThan(0.02);
    expect(Math.abs(fraction(xs, 10, 99) - Math.log(99.5 / 9.5) / total)).toBeLessThan(0.02);
    expect(xs.every(Number.isInteger)).toBe(true);
  });

  it('int linear and categorical give every value an equal share (±1.5%)', () => {
    const ints = draws({ kind: 'int', scale: 'linear', low: 1, high: 4 }, 6);
    for (const v of [1, 2, 3, 4]) expect(Math.abs(ints.filter((x) => x === v).length / N - 0.25)).toBeLessThan(0.015);
    const cats = Array.from({ length: N }, (_, n) =>
      fromUnit({ kind: 'categorical', choices: ['a', 'b', 'c'] }, uniform(7, n)),
    );
    for (const c of ['a', 'b', 'c'])
      expect(Math.abs(cats.filter((x) => x === c).length / N - 1 / 3)).toBeLessThan(0.015);
  });
});

describe('validation names the broken rule', () => {
  const cases: Array<[Distribution, string]> = [
    [{ kind: 'float', scale: 'log', low: 0, high: 1 }, 'log scale needs low > 0, got low=0'],
    [{ kind: 'float', scale: 'linear', low: 2, high: 1 }, 'float range needs low < high, got low=2, high=1'],
    [{ kind: 'float', scale: 'one-minus-log', low: 0.9, high: 1 }, 'one-minus-log scale needs high < 1'],
    [{ kind: 'float', scale: 'linear', low: 0, high: Infinity }, 'bounds must be finite numbers'],
    [{ kind: 'int', scale: 'linear', low: 1.5, high: 4 }, 'int range needs integer bounds'],
    [{ kind: 'int', scale: 'log', low: 0, high: 4 }, 'log scale needs low >= 1 for integers, got low=0'],
    [{ kind: 'power-of-two', low: 16, high: 500 }, 'power-of-two range needs powers of two >= 1, got high=500'],
    [{ kind: 'categorical', choices: [] }, 'categorical needs at least one choice'],
    [{ kind: 'categorical', choices: ['a', 'a'] }, 'categorical choices must be distinct, got "a" twice'],
  ];
  it.each(cases)('%j', (d, message) => {
    expect(() => validateDistribution(d)).toThrow(message);
  });

  it('accepts the standard catalog and rejects a duplicate name or a non-numeric default, naming the hyperparameter', () => {
    expect(() => validateSpace(standardSpace())).not.toThrow();
    const lr = standardSpace()[0];
    expect(() => validateSpace([lr, lr])).toThrow('hyperparameter names must be distinct, got learningRate twice');
    expect(() => validateSpace([{ ...lr, default: 'fast' }])).toThrow('learningRate: default must be a finite number');
    expect(() => validateSpace([{ ...lr, distribution: { kind: 'float', scale: 'log', low: 0, high: 1 } }])).toThrow(
      'learningRate: log scale needs low > 0, got low=0',
    );
  });

  it('toUnit rejects values outside the distribution, saying which', () => {
    expect(() => toUnit({ kind: 'float', scale: 'log', low: 1e-4, high: 1 }, 2)).toThrow(
      'value 2 is not in float log [0.0001, 1]',
    );
    expect(() => toUnit({ kind: 'power-of-two', low: 16, high: 512 }, 48)).toThrow('is not in power-of-two [16, 512]');
  });
});

// Arbitrary valid distributions, for the property tests.
const floatDist = fc.oneof(
  fc
    .tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }))
    .map(([low, w]): Distribution => ({ kind: 'float', scale: 'linear', low, high: low + w })),
  fc
    .tuple(fc.double({ min: 1e-12, max: 1e3, noNaN: true }), fc.double({ min: 1.001, max: 1e8, noNaN: true }))
    .map(([low, r]): Distribution => ({ kind: 'float', scale: 'log', low, high: low * r })),
  fc
    .tuple(fc.double({ min: -10, max: 0.99, noNaN: true }), fc.double({ min: 0.01, max: 0.999999, noNaN: true }))
    .filter(([a, b]) => a < b)
    .map(([low, high]): Distribution => ({ kind: 'float', scale: 'one-minus-log', low, high })),
);
const discreteDist = fc.oneof(
  fc
    .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }))
    .map(([low, w]): Distribution => ({ kind: 'int', scale: 'linear', low, high: low + w })),
  fc
    .tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 100000 }))
    .map(([low, w]): Distribution => ({ kind: 'int', scale: 'log', low, high: low + w })),
  fc
    .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }))
    .map(([a, w]): Distribution => ({ kind: 'power-of-two', low: 2 ** a, high: 2 ** (a + w) })),
  fc
    .uniqueArray(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 12 })
    .map((choices): Distribution => ({ kind: 'categorical', choices })),
);
const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe('transforms (property tests)', () => {
  it('fromUnit always lands inside the distribution, and toUnit maps it back into [0, 1]', () => {
    fc.assert(
      fc.property(fc.oneof(floatDist, discreteDist), unit, (d, u) => {
        validateDistribution(d);
        const v = fromUnit(d, u);
        expect(contains(d, v)).toBe(true);
        const back = toUnit(d, v);
        expect(back).toBeGreaterThanOrEqual(0);
        expect(back).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });

  it('discrete values round-trip exactly: fromUnit(toUnit(v)) === v', () => {
    fc.assert(
      fc.property(discreteDist, unit, (d, u) => {
        const v = fromUnit(d, u);
        expect(fromUnit(d, toUnit(d, v))).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('floats round-trip to 1e-9 relative (value) and toUnit(fromUnit(u)) ≈ u to 1e-6', () => {
    fc.assert(
      fc.property(floatDist, unit, (d, u) => {
        const v = fromUnit(d, u) as number;
        const again = fromUnit(d, toUnit(d, v)) as number;
        expect(Math.abs(again - v)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
        expect(Math.abs(toUnit(d, v) - u)).toBeLessThan(1e-6);
      }),
      { numRuns: 2000 },
    );
  });

  it('toUnit is monotone on numeric scales', () => {
    fc.assert(
      fc.property(floatDist, unit, unit, (d, a, b) => {
        const [x, y] = [fromUnit(d, Math.min(a, b)) as number, fromUnit(d, Math.max(a, b)) as number];
        expect(x).toBeLessThanOrEqual(y);
      }),
      { numRuns: 1000 },
    );
  });
});
