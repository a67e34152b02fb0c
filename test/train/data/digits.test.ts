import { inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { digitsTrainingData } from '../../../src/train/data/digits.ts';
import { decodeDigitsPack, encodeDigitsPack } from '../../../src/train/data/digitsFormat.ts';
import { digitsAssetBytes } from '../../../src/train/data/digitsPack.ts';

describe('packed digits', () => {
  const asset = digitsAssetBytes();
  const pack = decodeDigitsPack(inflateSync(asset));

  it('packs all 10,000 mnist digits at 14×14 into well under 1 MB', () => {
    console.log(`[digits] asset ${asset.length} bytes for ${pack.count} digits of ${pack.side}×${pack.side}`);
    expect(pack).toMatchObject({ count: 10_000, side: 14 });
    expect(asset.length).toBeLessThan(800_000);
    const perClass = Array<number>(10).fill(0);
    for (const label of pack.labels) perClass[label]++;
    for (const n of perClass) expect(n).toBeGreaterThan(800); // MNIST classes are near, not exactly, balanced
    // Ink is bright on a dark background: the corners are empty, the centre is not.
    const inkAt = (r: number, c: number) =>
      pack.pixels.reduce((s, _, i) => (i % 196 === r * 14 + c ? s + pack.pixels[i] : s), 0) / pack.count;
    expect(inkAt(0, 0)).toBe(0);
    expect(inkAt(7, 7)).toBeGreaterThan(50);
  });

  it('round-trips a pack and refuses bytes that are not one', () => {
    const small = {
      count: 2,
      side: 2,
      labels: Uint8Array.of(3, 7),
      pixels: Uint8Array.of(0, 1, 2, 3, 250, 251, 252, 253),
    };
    expect(decodeDigitsPack(encodeDigitsPack(small))).toEqual(small);
    expect(() => decodeDigitsPack(new TextEncoder().encode('<html>not found</html>'))).toThrow(
      'digits asset is not a DIG1 pack (starts with "<htm"); rebuild the lab',
    );
    expect(() => decodeDigitsPack(encodeDigitsPack(small).subarray(0, 15))).toThrow(
      'holds 15 bytes, its header promises 22',
    );
  });

  it('gives a seeded subsample as classification data in [0, 1]', () => {
    const a = digitsTrainingData(pack, { count: 500, validationFraction: 0.2, seed: 9 });
    expect(a).toMatchObject({ task: 'classification', inputs: 196, outputs: 10 });
    expect([a.train.count, a.validation.count]).toEqual([400, 100]);
    expect(Math.max(...a.train.x)).toBeLessThanOrEqual(1);
    expect(Math.min(...a.train.x)).toBe(0);
    expect(new Set(a.train.y).size).toBe(10);
    const b = digitsTrainingData(pack, { count: 500, validationFraction: 0.2, seed: 9 });
    expect(b.train.x).toEqual(a.train.x);
    const c = digitsTrainingData(pack, { count: 500, validationFraction: 0.2, seed: 10 });
    expect(c.train.y).not.toEqual(a.train.y);
    expect(() => digitsTrainingData(pack, { count: 20_000, validationFraction: 0.2, seed: 1 })).toThrow(
      'digits count must be an integer in [2, 10000], got 20000',
    );
  });
});
