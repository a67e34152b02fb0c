import { describe, expect, it } from 'vitest';
import { scrambledHalton } from '../../src/search/quasi.ts';

describe('scrambled Halton', () => {
  const cells = (count: number, cell: (n: number) => string): number =>
    new Set(Array.from({ length: count }, (_, n) => cell(n))).size;

  it('stratifies: the first b^k points of a base-b dimension fall in b^k distinct bins', () => {
    for (const seed of [0, 1, 77]) {
      expect(cells(64, (n) => String(Math.floor(scrambledHalton(n, 0, seed) * 64)))).toBe(64);
      expect(cells(81, (n) => String(Math.floor(scrambledHalton(n, 1, seed) * 81)))).toBe(81);
    }
  });

  it('stratifies jointly: the first 36 points fill all 36 cells of a 4 × 9 grid in dimensions 0 and 1', () => {
    expect(
      cells(36, (n) => `${Math.floor(scrambledHalton(n, 0, 5) * 4)},${Math.floor(scrambledHalton(n, 1, 5) * 9)}`),
    ).toBe(36);
  });

  it('is scrambled by the seed, stays in [0, 1), and rejects too many dimensions', () => {
    const a = Array.from({ length: 16 }, (_, n) => scrambledHalton(n, 3, 1));
    const b = Array.from({ length: 16 }, (_, n) => scrambledHalton(n, 3, 2));
    expect(a).not.toEqual(b);
    for (let d = 0; d < 32; d++)
      for (let n = 0; n < 50; n++) {
        const x = scrambledHalton(n, d, 9);
        expect(x >= 0 && x < 1).toBe(true);
      }
    expect(() => scrambledHalton(0, 32, 1)).toThrow('quasi-random search supports up to 32 searched hyperparameters');
  });
});
