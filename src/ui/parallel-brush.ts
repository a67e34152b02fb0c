// Brushes of the parallel coordinates: a range per axis; a trial is inside when it lies in
// every brushed range. Hyperparameter axes are brushed in unit coordinates (their scale is
// fixed by the study); the objective axis in loss values (its range grows as trials finish).
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { hasResult } from '../study/state.ts';
import { unitPosition } from './unit-axis.ts';

export const OBJECTIVE_AXIS = 'objective';

/** [low, high] per axis name; an axis without a brush is absent. */
export type Brushes = Readonly<Record<string, readonly [number, number]>>;

export function isBrushed(brushes: Brushes): boolean {
  return Object.keys(brushes).length > 0;
}

/** The ids of the trials inside every brush (a trial without a result is outside a brushed objective). */
export function trialsInBrushes(
  trials: Iterable<TrialRecord>,
  space: readonly SpaceRow[],
  brushes: Brushes,
): Set<number> {
  const axes = Object.entries(brushes).map(([name, range]) => ({
    range,
    row: space.find((r) => r.name === name),
    objective: name === OBJECTIVE_AXIS,
  }));
  const inside = new Set<number>();
  for (const t of trials) {
    const ok = axes.every(({ range: [lo, hi], row, objective }) => {
      const v = objective ? (hasResult(t) ? t.objective : Number.NaN) : row ? unitPosition(row, t) : Number.NaN;
      return v >= lo && v <= hi;
    });
    if (ok) inside.add(t.id);
  }
  return inside;
}
