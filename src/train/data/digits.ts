// Handwritten digits (the mnist package's 10,000 MNIST samples, MIT) as TrainingData. At
// build time digitsPack.ts packs them into one small binary asset per size (see
// vite.config.ts): 28×28 pixels, or 14×14 (2×2 means), as uint8, so the page fetches
// ~0.7 MB (14×14) or ~2 MB (28×28) instead of ~40 MB of JSON (layout in digitsFormat.ts).
import { inflateSync } from 'fflate';
import { hash32, permuteIndex } from '../../search/random.ts';
import type { TrainingData } from '../types.ts';
import { type DigitsPack, type DigitsSide, decodeDigitsPack, digitsAsset } from './digitsFormat.ts';
import { splitRows } from './split.ts';

/** Stream tag keeping the digit subsample apart from other draws on the same seed. */
const DIGITS_STREAM = 0xd161;

export interface DigitsOptions {
  count: number;
  validationFraction: number;
  seed: number;
}

/** A seeded subsample of `count` digits, pixels scaled to [0, 1], split by splitRows. */
export function digitsTrainingData(pack: DigitsPack, { count, validationFraction, seed }: DigitsOptions): TrainingData {
  if (!(Number.isInteger(count) && count >= 2 && count <= pack.count))
    throw new RangeError(`digits count must be an integer in [2, ${pack.count}], got ${count}`);
  const inputs = pack.side * pack.side;
  const x = new Float32Array(count * inputs);
  const y = new Float32Array(count);
  const key = hash32(seed, DIGITS_STREAM);
  for (let i = 0; i < count; i++) {
    const sample = permuteIndex(i, pack.count, key);
    for (let p = 0; p < inputs; p++) x[i * inputs + p] = pack.pixels[sample * inputs + p] / 255;
    y[i] = pack.labels[sample];
  }
  return {
    ...splitRows({ task: 'classification', inputs, outputs: 10, x, y, count }, validationFraction, seed),
    image: { channels: 1, height: pack.side, width: pack.side },
  };
}

/** Fetches and inflates the packed digits of one size (works in the page and in the worker). */
export async function loadDigitsPack(baseUrl: string, side: DigitsSide): Promise<DigitsPack> {
  const url = new URL(digitsAsset(side), baseUrl);
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(
      `could not load the digits (${url.href}: HTTP ${response.status}); reload the lab while online once`,
    );
  return decodeDigitsPack(inflateSync(new Uint8Array(await response.arrayBuffer())));
}
