// Central-difference gradient checks in float64, shared by the CPU op tests: the error of a
// central difference with step H is O(H²·f''') + O(ε/H), so 1e-6 relative is tight yet safe.
import { uniform } from '../../../src/search/random.ts';

export const H = 1e-5;
export const GRADIENT_TOLERANCE = 1e-6;

export function randomArray(length: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from({ length }, (_, i) => (2 * uniform(seed, i) - 1) * scale);
}

/** Max over i of |analytic - numeric| / max(1, |numeric|). */
export function maxRelativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < numeric.length; i++)
    worst = Math.max(worst, Math.abs(analytic[i] - numeric[i]) / Math.max(1, Math.abs(numeric[i])));
  return worst;
}

/** Central-difference gradient of scalar f with respect to every entry of x (x is perturbed in place and restored). */
export function numericGradient(x: Float64Array, f: () => number): Float64Array {
  return Float64Array.from(x, (value, i) => {
    x[i] = value + H;
    const plus = f();
    x[i] = value - H;
    const minus = f();
    x[i] = value;
    return (plus - minus) / (2 * H);
  });
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
