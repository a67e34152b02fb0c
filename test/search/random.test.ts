import { describe, expect, it } from 'vitest';
import { hash32, mix32, normal, permuteIndex, uniform } from '../../src/search/random.ts';

describe('counter-based random', () => {
  it('mix32 matches the published lowbias32 values', () => {
    // Reference values from the C definition in exact uint32 arithmetic.
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x688990c0);
    expect(mix32(0xdeadbeef)).toBe(0xe628c683);
  });

  it('is a pure function of its words', () => {
    expect(hash32(7, 3, 1)).toBe(hash32(7, 3, 1));
    expect(hash32(7, 3, 1)).not.toBe(hash32(7, 1, 3));
    expect(uniform(42, 0)).toBe(uniform(42, 0));
  });

  it('uniform draws are uniform: each tenth of [0,1) gets 10% ± 1% of 20,000', () => {
    const bins = new Array(10).fill(0);
    for (let n = 0; n < 20000; n++) bins[Math.floor(uniform(123, n) * 10)]++;
    for (const b of bins) expect(Math.abs(b / 20000 - 0.1)).toBeLessThan(0.01);
  });

  it('normal draws have mean 0 ± 0.03 and variance 1 ± 0.05 over 10,000', () => {
    let s = 0,
      s2 = 0;
    const n = 10000;
    for (let i = 0; i < n; i++) {
      const z = normal(9, i);
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });

  it('permuteIndex is a permutation for awkward sizes, and differs by key', () => {
    for (const n of [1, 2, 3, 17, 65, 130, 512, 1000]) {
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) seen.add(permuteIndex(i, n, 5));
      expect(seen.size).toBe(n);
      expect(Math.min(...seen)).toBe(0);
      expect(Math.max(...seen)).toBe(n - 1);
    }
    const a = Array.from({ length: 64 }, (_, i) => permuteIndex(i, 64, 1));
    const b = Array.from({ length: 64 }, (_, i) => permuteIndex(i, 64, 2));
    expect(a).not.toEqual(b);
  });
});
