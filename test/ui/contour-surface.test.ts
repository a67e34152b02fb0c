import { describe, expect, it } from 'vitest';
import { BANDWIDTH, kernelSurface } from '../../src/ui/contour-surface.ts';

describe('kernelSurface', () => {
  const CELLS = 40;
  const at = (grid: Float64Array, x: number, y: number) =>
    grid[(CELLS - 1 - Math.floor(y * CELLS)) * CELLS + Math.floor(x * CELLS)];

  it('one trial: its value everywhere it reaches, weight 1 at its cell falling as a Gaussian', () => {
    const { value, weight } = kernelSurface([{ x: 0.2125, y: 0.7125, value: -1.5 }], CELLS);
    expect(at(value, 0.2125, 0.7125)).toBeCloseTo(-1.5, 12);
    expect(at(value, 0.5, 0.5)).toBeCloseTo(-1.5, 12);
    expect(at(weight, 0.2125, 0.7125)).toBeCloseTo(1, 12);
    // Ten cells away along x (0.25 unit): exp(-0.25² / 2h²).
    expect(at(weight, 0.4625, 0.7125)).toBeCloseTo(Math.exp(-(0.25 ** 2) / (2 * BANDWIDTH ** 2)), 12);
    // Beyond 4 bandwidths the kernel is cut: no support, no estimate.
    expect(Number.isNaN(at(value, 0.9875, 0.0125))).toBe(true);
  });

  it("two trials: the mean half-way, each one's value near it; 10,000 trials stay in range", () => {
    const { value } = kernelSurface(
      [
        { x: 0.2625, y: 0.5125, value: -2 },
        { x: 0.7625, y: 0.5125, value: 0 },
      ],
      CELLS,
    );
    expect(at(value, 0.5125, 0.5125)).toBeCloseTo(-1, 12);
    expect(at(value, 0.2625, 0.5125)).toBeLessThan(-1.9);
    expect(at(value, 0.7625, 0.5125)).toBeGreaterThan(-0.1);
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      x: (i % 100) / 100,
      y: Math.floor(i / 100) / 100,
      value: (i % 100) / 100,
    }));
    const big = kernelSurface(many, CELLS).value;
    for (const v of big) expect(v >= 0 && v <= 0.99).toBe(true);
    // The value rises along x as the trials' do.
    expect(at(big, 0.1, 0.5)).toBeLessThan(at(big, 0.9, 0.5));
  });
});
