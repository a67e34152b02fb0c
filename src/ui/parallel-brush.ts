// Brushes of the parallel coordinates: a range per axis; a trial is inside when it lies in
// every brushed range. Hyperparameter axes are brushed in unit coordinates (their scale is
// fixed by the study); the objective axis in loss values (its range grows as trials finish).
// A trial without a value on a hyperparameter's axis (its condition failed) sits at
// NOT_APPLICABLE below the axis: a brush on the axis' values leaves it out, a brush that
// reaches below the axis takes it in.

import { type Distribution, fromUnit } from '../search/space.ts';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { hasResult } from '../study/state.ts';
import { formatValue } from './styles.ts';
import { axisPosition, NOT_APPLICABLE } from './unit-axis.ts';

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
      const v = objective ? (hasResult(t) ? t.objective : Number.NaN) : row ? axisPosition(row, t) : Number.NaN;
      return v >= lo && v <= hi;
    });
    if (ok) inside.add(t.id);
  }
  return inside;
}

/** A hyperparameter axis' brush from a drag's unit positions: an end below the axis (in the n/a slot or the gap above it) becomes the n/a slot. */
export function paramBrush(lo: number, hi: number): [number, number] {
  const snap = (u: number) => (u < 0 ? NOT_APPLICABLE : u);
  return [snap(lo), snap(hi)];
}

/** A brush in the user's terms: the values at its ends ("n/a" for the slot below a hyperparameter's axis). */
export function brushLabel(row: SpaceRow | undefined, [lo, hi]: readonly [number, number]): string {
  if (!row) return `${formatValue(lo)} – ${formatValue(hi)}`;
  const value = (u: number) => formatValue(fromUnit(row.distribution as Distribution, u));
  if (hi < 0) return 'n/a';
  return `${lo < 0 ? 'n/a, ' : ''}${value(Math.max(0, lo))} – ${value(hi)}`;
}
