// Counter-based randomness: every draw is a pure function of the words that name it
// (a seed, a trial number, a dimension, ...), never of a stream's position. So trial n
// gets the same numbers whichever worker runs it and in whatever order trials finish,
// and the GPU kernels (shaders/random.wgsl) reproduce the same u32 words bit for bit.
//
// Algorithm: the words are folded through `mix32`, the "lowbias32" integer finaliser of
// C. Wellons' hash-prospector (a bijection on u32 with very low avalanche bias):
//   h0 = 0x811c9dc5;  h(i+1) = mix32((h(i) xor word(i)) + 0x9e3779b9  mod 2^32)
// A double in [0, 1) takes 53 bits: 27 from h and 26 from mix32(h xor 0x68e31da4).

import { cos, log } from './math.ts';

/** lowbias32: a bijective u32 -> u32 mixer. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** A u32 hash of any number of u32 words (each taken modulo 2^32). */
export function hash32(...words: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const w of words) h = mix32((((h ^ w) >>> 0) + 0x9e3779b9) >>> 0);
  return h;
}

/** A uniform double in [0, 1) named by `words`. */
export function uniform(...words: readonly number[]): number {
  const h = hash32(...words);
  const hi = h >>> 5; // 27 bits
  const lo = mix32((h ^ 0x68e31da4) >>> 0) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** A uniform f32-exact value in [0, 1) from one u32 (the GPU's rule: top 24 bits). */
export function unitFloat24(h: number): number {
  return (h >>> 8) / 16777216;
}

/** A standard normal (Box-Muller) named by `words`, built as the GPU builds it. */
export function normal(...words: readonly number[]): number {
  const u1 = 1 - unitFloat24(hash32(...words, 0)); // (0, 1]: log is finite
  const u2 = unitFloat24(hash32(...words, 1));
  return Math.sqrt(-2 * log(u1)) * cos(2 * Math.PI * u2); // math.ts: the same bits in every engine
}

/**
 * Position `index` of a seeded permutation of 0..n-1, without building it: a 4-round
 * balanced Feistel network over the smallest even-bit power-of-two domain >= n, with
 * cycle-walking back into [0, n). O(1) memory, identical on CPU and GPU.
 */
export function permuteIndex(index: number, n: number, key: number): number {
  if (!(n >= 1) || index < 0 || index >= n) throw new RangeError(`permuteIndex: index ${index} outside 0..${n - 1}`);
  let halfBits = 1;
  while (1 << (2 * halfBits) < n) halfBits++;
  const mask = (1 << halfBits) - 1;
  let x = index;
  do {
    let left = x >>> halfBits;
    let right = x & mask;
    for (let round = 0; round < 4; round++) {
      const next = (left ^ (hash32(key, round, right) & mask)) >>> 0;
      left = right;
      right = next;
    }
    x = ((left << halfBits) | right) >>> 0;
  } while (x >= n);
  return x;
}

/** A u32 key for a string (its UTF-16 code units hashed as words), e.g. a hyperparameter's name. */
export function stringKey(s: string): number {
  const words = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) words[i] = s.charCodeAt(i);
  return hash32(s.length, ...words);
}
