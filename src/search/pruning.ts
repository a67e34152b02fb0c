// Pruners: stop a trial early from the curve it has reported so far. A runner calls
// `decide(curve, others)` after each report of a trial; `others` are the curves of the
// study's other trials (running or finished, in any state), so a pruner is a pure function
// of those curves. A non-null verdict says which state to finish the trial in and why; the
// runner keeps the curve and the reason in the FinishedTrial.
//  divergence  always on: the latest value is NaN/±Inf, or above `divergenceFactor` × the
//              first reported value (an explosion). State DIVERGED.
//  median      (Google Vizier's median stopping rule, Optuna's MedianPruner) after
//              `warmupSteps`, once at least `minTrials` others reached this step: prune when
//              this trial's best value so far is worse than the median of the others' best
//              values up to the same step.
//  asha        asynchronous successive halving (Li et al. 2020) with rungs at
//              minSteps·η^k steps: when a trial reaches a rung it must be in the best 1/η of
//              all values recorded at that rung so far (itself included), else it is pruned.
//              While fewer than η trials reached the rung, only the best so far continues
//              (Optuna's rule, since trials are never paused and resumed).
// Curves are compared at equal training steps; a curve's value "at" step s is its value at
// its first report at or after s (so rungs need not fall on report steps). NaN counts as +Inf.

import type { Curve } from './types.ts';

export type PrunerConfig = { divergenceFactor?: number } & (
  | { kind: 'none' }
  | { kind: 'median'; warmupSteps?: number; minTrials?: number }
  | { kind: 'asha'; minSteps: number; eta?: number }
);

export interface PruneVerdict {
  state: 'DIVERGED' | 'PRUNED';
  rule: 'divergence' | 'median' | 'asha';
  /** The step of the report that triggered it. */
  step: number;
  reason: string;
}

export interface Pruner {
  /** Judge a trial after its latest report (the last point of `curve`); null: keep training. */
  decide(curve: Curve, others: readonly Curve[]): PruneVerdict | null;
}

const DEFAULT_DIVERGENCE_FACTOR = 100; // the engine's default divergenceFactor
const DEFAULT_MIN_TRIALS = 5;
const DEFAULT_ETA = 3;

const finiteOr = (v: number): number => (Number.isNaN(v) ? Infinity : v);

/** Index of the first report at or after `step`, or -1 when the curve has not reached it. */
function firstIndexAtOrAfter(curve: Curve, step: number): number {
  return curve.steps.findIndex((s) => s >= step);
}

function bestUpTo(curve: Curve, lastIndex: number): number {
  let best = Infinity;
  for (let i = 0; i <= lastIndex; i++) best = Math.min(best, finiteOr(curve.values[i]));
  return best;
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));

function divergence(curve: Curve, factor: number): PruneVerdict | null {
  const last = curve.values.length - 1;
  const v = curve.values[last];
  const step = curve.steps[last];
  if (!Number.isFinite(v))
    return { state: 'DIVERGED', rule: 'divergence', step, reason: `value became ${v} at step ${step}` };
  const first = curve.values[0];
  if (first > 0 && v > factor * first) {
    return {
      state: 'DIVERGED',
      rule: 'divergence',
      step,
      reason: `value ${fmt(v)} at step ${step} exceeds ${factor} × the first value ${fmt(first)}`,
    };
  }
  return null;
}

function medianRule(
  curve: Curve,
  others: readonly Curve[],
  warmupSteps: number,
  minTrials: number,
): PruneVerdict | null {
  const last = curve.steps.length - 1;
  const step = curve.steps[last];
  if (step < warmupSteps) return null;
  const othersBest: number[] = [];
  for (const o of others) {
    const i = firstIndexAtOrAfter(o, step);
    if (i >= 0) othersBest.push(bestUpTo(o, i));
  }
  if (othersBest.length < minTrials) return null;
  const mid = median(othersBest.sort((a, b) => a - b));
  const mine = bestUpTo(curve, last);
  if (!(mine > mid)) return null;
  return {
    state: 'PRUNED',
    rule: 'median',
    step,
    reason: `best value ${fmt(mine)} by step ${step} is worse than the median ${fmt(mid)} of ${othersBest.length} other trials`,
  };
}

function ashaRule(curve: Curve, others: readonly Curve[], minSteps: number, eta: number): PruneVerdict | null {
  const last = curve.steps.length - 1;
  const step = curve.steps[last];
  const previous = last > 0 ? curve.steps[last - 1] : -Infinity;
  // Rungs crossed by this report (normally at most one): previous < rung <= step.
  for (let rung = 0, rungStep = minSteps; rungStep <= step; rung++, rungStep *= eta) {
    if (rungStep <= previous) continue;
    const mine = finiteOr(curve.values[last]);
    const values = [mine];
    for (const o of others) {
      const i = firstIndexAtOrAfter(o, rungStep);
      if (i >= 0) values.push(finiteOr(o.values[i]));
    }
    values.sort((a, b) => a - b);
    const cutoff = values[Math.max(0, Math.floor(values.length / eta) - 1)];
    if (mine > cutoff) {
      return {
        state: 'PRUNED',
        rule: 'asha',
        step,
        reason: `value ${fmt(mine)} at rung ${rung} (step ${rungStep}) is not in the best 1/${eta} of ${values.length} trials (cutoff ${fmt(cutoff)})`,
      };
    }
  }
  return null;
}

function checkPositive(name: string, v: number, integer: boolean): void {
  if (!(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new Error(`pruner ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
}

export function createPruner(config: PrunerConfig): Pruner {
  const factor = config.divergenceFactor ?? DEFAULT_DIVERGENCE_FACTOR;
  checkPositive('divergenceFactor', factor, false);
  let rule: (curve: Curve, others: readonly Curve[]) => PruneVerdict | null;
  if (config.kind === 'none') rule = () => null;
  else if (config.kind === 'median') {
    const warmup = config.warmupSteps ?? 0;
    const minTrials = config.minTrials ?? DEFAULT_MIN_TRIALS;
    if (!(warmup >= 0)) throw new Error(`pruner warmupSteps must be >= 0, got ${warmup}`);
    checkPositive('minTrials', minTrials, true);
    rule = (c, o) => medianRule(c, o, warmup, minTrials);
  } else if (config.kind === 'asha') {
    const eta = config.eta ?? DEFAULT_ETA;
    checkPositive('minSteps', config.minSteps, true);
    if (!(Number.isInteger(eta) && eta >= 2)) throw new Error(`pruner eta must be an integer >= 2, got ${eta}`);
    rule = (c, o) => ashaRule(c, o, config.minSteps, eta);
  } else {
    throw new Error(`unknown pruner kind ${String((config as { kind: unknown }).kind)}; use none, median or asha`);
  }
  return {
    decide(curve, others) {
      if (curve.steps.length === 0 || curve.steps.length !== curve.values.length) {
        throw new Error(
          `a curve needs as many steps as values and at least one report, got ${curve.steps.length} steps and ${curve.values.length} values`,
        );
      }
      return divergence(curve, factor) ?? rule(curve, others);
    },
  };
}
