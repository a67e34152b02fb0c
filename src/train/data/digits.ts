// Handwritten digits (the mnist package's 10,000 MNIST samples, MIT) as TrainingData. At
// build time digitsPack.ts packs them into one small binary asset (see vite.config.ts):
// 14×14 pixels (2×2 means of the 28×28 originals) as uint8, so the page fetches ~0.6 MB
// instead of ~40 MB of JSON. Layout, then deflated as a whole (fflate):
//   "DIG1" | count u32 LE | side u8 | pad u8×3 | labels u8×count | pixels u8×count×side²
import { inflateSync } from 'fflate';
import { hash32, permuteIndex } from '../../search/random.ts';
import type { TrainingData } from '../types.ts';
import { splitRows } from './split.ts';

const MAGIC = 'DIG1';
const HEADER_BYTES = 12;
/** Where the lab serves the packed digits, relative to the app's base URL. */
export const DIGITS_ASSET = 'digits.bin';
/** Stream tag keeping the digit subsample apart from other draws on the same seed. */
const DIGITS_STREAM = 0xd161;

export interface DigitsPack {
  count: number;
  side: number;
  labels: Uint8Array;
  /** count × side² grey levels, 0 = background, 255 = ink. */
  pixels: Uint8Array;
}

export function encodeDigitsPack(pack: DigitsPack): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + pack.count * (1 + pack.side * pack.side));
  bytes.set([...MAGIC].map((c) => c.charCodeAt(0)));
  new DataView(bytes.buffer).setUint32(4, pack.count, true);
  bytes[8] = pack.side;
  bytes.set(pack.labels, HEADER_BYTES);
  bytes.set(pack.pixels, HEADER_BYTES + pack.count);
  return bytes;
}

/** Reads an inflated pack; throws saying what is wrong when the bytes are not one. */
export function decodeDigitsPack(bytes: Uint8Array): DigitsPack {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER_BYTES || magic !== MAGIC) throw new Error(`digits asset is not a ${MAGIC} pack (starts with "${magic}"); rebuild the lab`);
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const side = bytes[8];
  const expected = HEADER_BYTES + count * (1 + side * side);
  if (bytes.length !== expected) throw new Error(`digits asset holds ${bytes.length} bytes, its header promises ${expected}; rebuild the lab`);
  return {
    count,
    side,
    labels: bytes.subarray(HEADER_BYTES, HEADER_BYTES + count),
    pixels: bytes.subarray(HEADER_BYTES + count),
  };
}

export interface DigitsOptions {
  count: number;
  validationFraction: number;
  seed: number;
}

/** A seeded subsample of `count` digits, pixels scaled to [0, 1], split by splitRows. */
export function digitsTrainingData(pack: DigitsPack, { count, validationFraction, seed }: DigitsOptions): TrainingData {
  if (!(Number.isInteger(count) && count >= 2 && count <= pack.count)) throw new RangeError(`digits count must be an integer in [2, ${pack.count}], got ${count}`);
  const inputs = pack.side * pack.side;
  const x = new Float32Array(count * inputs);
  const y = new Float32Array(count);
  const key = hash32(seed, DIGITS_STREAM);
  for (let i = 0; i < count; i++) {
    const sample = permuteIndex(i, pack.count, key);
    for (let p = 0; p < inputs; p++) x[i * inputs + p] = pack.pixels[sample * inputs + p] / 255;
    y[i] = pack.labels[sample];
  }
  return splitRows({ task: 'classification', inputs, outputs: 10, x, y, count }, validationFraction, seed);
}

/** Fetches and inflates the packed digits (works in the page and in the worker). */
export async function loadDigitsPack(baseUrl: string): Promise<DigitsPack> {
  const url = new URL(DIGITS_ASSET, baseUrl);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load the digits (${url.href}: HTTP ${response.status}); reload the lab while online once`);
  return decodeDigitsPack(inflateSync(new Uint8Array(await response.arrayBuffer())));
}
