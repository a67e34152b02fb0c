// Axes on a hyperparameter's own scale, for the canvas views (parallel coordinates, contour):
// positions are the search library's unit coordinates (toUnit: log, 1-β log, power-of-two
// and int bins, categorical choices), labels are the values there.
import { type Distribution, fromUnit, toUnit } from '../search/space.ts';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import { formatValue } from './styles.ts';

export interface Tick {
  /** Position in [0, 1] on the hyperparameter's unit axis. */
  u: number;
  label: string;
}

/** Candidate tick values of a scale: decades on log scales, 0.9/0.99/… on one-minus-log, each power of two. */
function candidates(d: Exclude<Distribution, { kind: 'categorical' }>): number[] {
  const values: number[] = [];
  if (d.kind === 'power-of-two') {
    for (let v = d.low; v <= d.high; v *= 2) values.push(v);
    return values.length > 7 ? values.filter((_, i) => i % 2 === 0) : values;
  }
  if (d.scale === 'log')
    for (let e = Math.ceil(Math.log10(d.low)); e <= Math.floor(Math.log10(d.high)); e++) {
      const v = Number(`1e${e}`); // 10 ** -4 is 0.00009999…, below a range that starts at 1e-4
      if (v >= d.low && v <= d.high) values.push(v);
    }
  if (d.kind === 'float' && d.scale === 'one-minus-log')
    for (let e = 1; e <= 12; e++) {
      const v = Number((1 - 10 ** -e).toPrecision(12));
      if (v >= d.low && v <= d.high) values.push(v);
    }
  return values;
}

/** Ticks of a hyperparameter's axis: at least its two ends. */
export function unitTicks(d: Distribution): Tick[] {
  if (d.kind === 'categorical') return d.choices.map((c, i) => ({ u: (i + 0.5) / d.choices.length, label: String(c) }));
  const values = candidates(d);
  const ticks =
    values.length >= 2
      ? values.map((v) => ({ u: toUnit(d, v), label: formatValue(v) }))
      : [0, 0.5, 1].map((u) => ({ u, label: formatValue(fromUnit(d, u) as number) }));
  return ticks;
}

/** A trial's position on a row's unit axis, or NaN when its value lies outside it (a range edited since). */
export function unitPosition(row: SpaceRow, trial: Pick<TrialRecord, 'params'>): number {
  try {
    return toUnit(row.distribution as Distribution, trial.params[row.name]);
  } catch {
    return Number.NaN;
  }
}

/**
 * Where the parallel coordinates draw and brush a trial that has no value on an axis (a
 * conditional hyperparameter its trial did not use, e.g. β1 with SGD): a slot labelled
 * "n/a" below the axis' low end, so it is not read as the lowest value.
 */
export const NOT_APPLICABLE = -0.15;

/** A trial's position on a row's parallel-coordinates axis: its unit position, NOT_APPLICABLE when it has no value there, NaN when its value lies outside the range. */
export function axisPosition(row: SpaceRow, trial: Pick<TrialRecord, 'params'>): number {
  return row.name in trial.params ? unitPosition(row, trial) : NOT_APPLICABLE;
}
