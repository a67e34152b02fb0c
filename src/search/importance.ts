// Hyperparameter importance, fANOVA-style (Hutter, Hoos & Leyton-Brown 2014).
// 1. Each searched hyperparameter of every COMPLETE trial with a finite objective is mapped to
//    the unit space (toUnit), where the search distribution is uniform: a log-scaled learning
//    rate counts by decades, β by 1-β decades.
// 2. A random forest of regression trees (bootstrap samples drawn through random.ts, splits
//    chosen by variance reduction) predicts the objective from those coordinates.
// 3. A tree is piecewise constant on axis-aligned leaf boxes that tile the unit cube, so its
//    functional ANOVA is exact: with leaf volumes w_l and values v_l, the mean is
//    μ = Σ w_l v_l and the total variance V = Σ w_l v_l² − μ². The marginal of dimension j,
//    m_j(x) = the tree averaged over all other dimensions, is constant between the leaves'
//    boundaries on axis j; its variance V_j = ∫ (m_j − μ)² is the main effect of j.
// 4. A hyperparameter's importance is its main effect V_j / V averaged over the trees, then
//    renormalised so that the searched hyperparameters' importances sum to 1 (a share of the
//    variance that single hyperparameters explain; interactions are left out of the total).
// With fewer than 2 usable trials, or an objective that never varies, every importance is 0.

import { stringKey, uniform } from './random.ts';
import { rankedComplete } from './sampling.ts';
import { contains, type Distribution, type ParamValue, type SearchSpace, searchedParams, toUnit } from './space.ts';
import type { FinishedTrial } from './types.ts';

export interface ImportanceOptions {
  /** Trees in the forest (default 32). */
  trees?: number;
  /** Fewest samples in a leaf (default 2). */
  minLeaf?: number;
  /** Seeds the bootstrap samples (default 0). */
  seed?: number;
}

const BOOTSTRAP_TAG = 0xb007;
const ABSENT_TAG = 0xab5e;
const MAX_DEPTH = 16;

interface Leaf {
  lower: Float64Array;
  upper: Float64Array;
  value: number;
}

/** Unit coordinate of a value; values outside the distribution (an off-range default) clamp to its nearest end. */
function encode(d: Distribution, v: ParamValue): number {
  if (contains(d, v)) return toUnit(d, v);
  if (d.kind === 'categorical' || typeof v !== 'number') return 0;
  return v < d.low ? 0 : 1;
}

function buildTree(x: readonly Float64Array[], y: Float64Array, rows: number[], dims: number, minLeaf: number): Leaf[] {
  const leaves: Leaf[] = [];
  const grow = (idx: number[], lower: Float64Array, upper: Float64Array, depth: number): void => {
    let sum = 0;
    for (const i of idx) sum += y[i];
    const mean = sum / idx.length;
    const best = depth < MAX_DEPTH && idx.length >= 2 * minLeaf ? bestSplit(x, y, idx, dims, minLeaf) : null;
    if (!best) {
      leaves.push({ lower, upper, value: mean });
      return;
    }
    const left = idx.filter((i) => x[i][best.dim] <= best.threshold);
    const right = idx.filter((i) => x[i][best.dim] > best.threshold);
    const leftUpper = upper.slice();
    leftUpper[best.dim] = best.threshold;
    const rightLower = lower.slice();
    rightLower[best.dim] = best.threshold;
    grow(left, lower, leftUpper, depth + 1);
    grow(right, rightLower, upper, depth + 1);
  };
  grow(rows, new Float64Array(dims).fill(0), new Float64Array(dims).fill(1), 0);
  return leaves;
}

/** The split with the largest drop in squared error, threshold halfway between neighbouring values. */
function bestSplit(
  x: readonly Float64Array[],
  y: Float64Array,
  idx: number[],
  dims: number,
  minLeaf: number,
): { dim: number; threshold: number } | null {
  const n = idx.length;
  let total = 0;
  let totalSq = 0;
  for (const i of idx) {
    total += y[i];
    totalSq += y[i] * y[i];
  }
  const parentError = totalSq - (total * total) / n;
  let best: { dim: number; threshold: number } | null = null;
  let bestError = parentError - 1e-12 * Math.abs(parentError);
  for (let d = 0; d < dims; d++) {
    const sorted = [...idx].sort((a, b) => x[a][d] - x[b][d]);
    let leftSum = 0;
    let leftSq = 0;
    for (let k = 0; k < n - 1; k++) {
      const yi = y[sorted[k]];
      leftSum += yi;
      leftSq += yi * yi;
      const here = x[sorted[k]][d];
      const next = x[sorted[k + 1]][d];
      if (k + 1 < minLeaf || n - k - 1 < minLeaf || here === next) continue;
      const rightSum = total - leftSum;
      const error = leftSq - (leftSum * leftSum) / (k + 1) + (totalSq - leftSq) - (rightSum * rightSum) / (n - k - 1);
      if (error < bestError) {
        bestError = error;
        best = { dim: d, threshold: (here + next) / 2 };
      }
    }
  }
  return best;
}

/** Main-effect variance fraction V_j / V of each dimension for one tree (null when V = 0). */
function mainEffects(leaves: readonly Leaf[], dims: number): number[] | null {
  const volume = (l: Leaf): number => l.upper.reduce((v, u, j) => v * (u - l.lower[j]), 1);
  let mean = 0;
  let meanSq = 0;
  for (const l of leaves) {
    const w = volume(l);
    mean += w * l.value;
    meanSq += w * l.value * l.value;
  }
  const variance = meanSq - mean * mean;
  if (!(variance > 1e-12 * Math.max(1, meanSq))) return null;
  const effects: number[] = [];
  for (let j = 0; j < dims; j++) {
    const cuts = [...new Set(leaves.flatMap((l) => [l.lower[j], l.upper[j]]))].sort((a, b) => a - b);
    let vj = 0;
    for (let c = 0; c + 1 < cuts.length; c++) {
      const [a, b] = [cuts[c], cuts[c + 1]];
      let marginal = 0;
      for (const l of leaves)
        if (l.lower[j] <= a && l.upper[j] >= b) marginal += (l.value * volume(l)) / (l.upper[j] - l.lower[j]);
      vj += (b - a) * (marginal - mean) ** 2;
    }
    effects.push(vj / variance);
  }
  return effects;
}

/** How much each searched (enabled) hyperparameter explains the objective; the values sum to 1 (or are all 0). */
export function importance(
  trials: readonly FinishedTrial[],
  space: SearchSpace,
  options: ImportanceOptions = {},
): Record<string, number> {
  const { trees = 32, minLeaf = 2, seed = 0 } = options;
  const params = searchedParams(space);
  const result: Record<string, number> = Object.fromEntries(params.map((p) => [p.name, 0]));
  const usable = rankedComplete(trials);
  if (usable.length < 2 || params.length === 0) return result;
  // A value a trial lacks (its condition failed: it had no effect) is a seeded uniform draw,
  // as the samplers drew it before trials recorded only what is in effect: no information.
  const x = usable.map((t) =>
    Float64Array.from(params, (p) =>
      p.name in t.params
        ? encode(p.distribution, t.params[p.name])
        : uniform(ABSENT_TAG, seed, t.id, stringKey(p.name)),
    ),
  );
  const y = Float64Array.from(usable, (t) => t.objective);
  const n = usable.length;
  const sums = new Array<number>(params.length).fill(0);
  for (let t = 0; t < trees; t++) {
    const rows = Array.from({ length: n }, (_, i) => Math.floor(uniform(BOOTSTRAP_TAG, seed, t, i) * n));
    const effects = mainEffects(buildTree(x, y, rows, params.length, minLeaf), params.length);
    if (effects) effects.forEach((e, j) => (sums[j] += e));
  }
  const total = sums.reduce((a, b) => a + b, 0);
  if (total > 0) params.forEach((p, j) => (result[p.name] = sums[j] / total));
  return result;
}
