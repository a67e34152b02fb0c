import { createHash } from 'node:crypto';
import { inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { digitsTrainingData } from '../../../src/train/data/digits.ts';
import { decodeDigitsPack, digitsAsset, encodeDigitsPack } from '../../../src/train/data/digitsFormat.ts';
import { digitsAssetBytes, packMnist } from '../../../src/train/data/digitsPack.ts';

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

  describe('at 28×28', () => {
    const asset28 = digitsAssetBytes(28);
    const pack28 = decodeDigitsPack(inflateSync(asset28));

    it('packs the same 10,000 digits in the same order at full size, beside an unchanged 14×14 pack', () => {
      console.log(`[digits] asset ${asset28.length} bytes for ${pack28.count} digits of 28×28 (${digitsAsset(28)})`);
      expect(pack28).toMatchObject({ count: 10_000, side: 28 });
      expect(pack28.pixels.length).toBe(10_000 * 784);
      expect(asset28.length).toBeLessThan(4_000_000);
      expect(pack28.labels).toEqual(pack.labels);
      expect([digitsAsset(14), digitsAsset(28)]).toEqual(['digits.bin', 'digits-28.bin']);
      // The 14×14 pack is byte for byte the one links made before 28×28 trained on.
      expect(
        createHash('sha256')
          .update(encodeDigitsPack(packMnist(14)))
          .digest('hex'),
      ).toBe('e8fca8689d17d70c290bca8e7d5bd561dc476bb32c59107d98bbd88ba925962e');
      // Each 14×14 pixel is the mean of its 2×2 block of the source, so within 1 grey level of the 28×28 pack's block mean.
      let worst = 0;
      for (let i = 0; i < pack.count; i++)
        for (let r = 0; r < 14; r++)
          for (let c = 0; c < 14; c++) {
            const at = (rr: number, cc: number) => pack28.pixels[i * 784 + rr * 28 + cc];
            const mean =
              (at(2 * r, 2 * c) + at(2 * r, 2 * c + 1) + at(2 * r + 1, 2 * c) + at(2 * r + 1, 2 * c + 1)) / 4;
            worst = Math.max(worst, Math.abs(pack.pixels[i * 196 + r * 14 + c] - mean));
          }
      expect(worst).toBeLessThanOrEqual(1);
    });

    it('draws the same digits for a seed at either size, 784 inputs in [0, 1]', () => {
      const small = digitsTrainingData(pack, { count: 300, validationFraction: 0.2, seed: 4 });
      const full = digitsTrainingData(pack28, { count: 300, validationFraction: 0.2, seed: 4 });
      expect(full).toMatchObject({ task: 'classification', inputs: 784, outputs: 10 });
      expect([full.train.count, full.validation.count]).toEqual([240, 60]);
      expect(full.train.y).toEqual(small.train.y);
      expect(full.validation.y).toEqual(small.validation.y);
      expect(full.train.x.reduce((a, b) => Math.max(a, b))).toBe(1);
      expect(full.train.x.reduce((a, b) => Math.min(a, b))).toBe(0);
    });
  });
});
