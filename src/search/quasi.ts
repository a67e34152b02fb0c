// Scrambled Halton points: a low-discrepancy sequence that covers the unit cube more evenly
// than independent draws, and is still counter-based (point n is a function of seed, n and
// dimension only).
// Dimension d uses the d-th prime b as its base. The radical inverse writes n in base b,
// n = Σ a_k b^k, and mirrors it: x = Σ a_k b^-(k+1). Plain Halton points in neighbouring
// high bases are strongly correlated, so each digit position k is scrambled by its own
// seeded permutation σ_{d,k} of {0..b-1} (random digit permutation scrambling, Mascagni &
// Chi): x = Σ σ_{d,k}(a_k) b^-(k+1), over enough digits for a double (b^-K < 2^-53). Since σ
// also moves the infinite run of leading zeros, point 0 is not the corner 0. Each σ is
// `permuteIndex` keyed by hash32(seed, d, k), so the GPU could reproduce it.

import { hash32, permuteIndex } from './random.ts';

const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
  113, 127, 131,
];
export const MAX_QUASI_DIMENSIONS = PRIMES.length;

const QUASI_TAG = 0x4a17;

/** Coordinate `dimension` of scrambled Halton point `index` (index >= 0), in [0, 1). */
export function scrambledHalton(index: number, dimension: number, seed: number): number {
  if (!(dimension >= 0 && dimension < PRIMES.length)) {
    throw new Error(
      `quasi-random search supports up to ${PRIMES.length} searched hyperparameters, got dimension ${dimension}; search fewer or use random search`,
    );
  }
  const b = PRIMES[dimension];
  const digits = Math.ceil(53 / Math.log2(b));
  let n = index;
  let x = 0;
  let scale = 1 / b;
  for (let k = 0; k < digits; k++, scale /= b) {
    const a = n % b;
    n = Math.floor(n / b);
    x += permuteIndex(a, b, hash32(QUASI_TAG, seed, dimension, k)) * scale;
  }
  return Math.min(x, 1 - Number.EPSILON / 2);
}
