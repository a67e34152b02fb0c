// Ticks of log axes, computed here and never by uPlot: uPlot's own log splits step through
// each decade in increments from a table that ends near 1e-16, so a range reaching below it
// (a learning rate searched down to 1e-40, a loss of 1e-20) loops until its array overflows
// ("RangeError: Invalid array length" after a minute and gigabytes). These are bounded: at
// most `maxTicks` whatever the range.
import type uPlot from 'uplot';

const MAX_TICKS = 8;

/** 10^k or m·10^k exactly as written (10 ** -5 is not always the double nearest 1e-5). */
const power = (k: number, m = 1) => Number(`${m}e${k}`);

/** Whole exponents from `low` to `high` (inclusive, with slack for rounding), every n-th so that at most maxTicks remain. */
export function decadeExponents(low: number, high: number, maxTicks = MAX_TICKS): number[] {
  const first = Math.ceil(low - 1e-9);
  const last = Math.floor(high + 1e-9);
  if (!Number.isFinite(first) || !Number.isFinite(last) || last < first) return [];
  const step = Math.ceil((last - first + 1) / maxTicks);
  const exponents: number[] = [];
  for (let k = first; k <= last; k += step) exponents.push(k);
  return exponents;
}

/** Ticks of a log axis over [min, max]: decades (every n-th over wide ranges), or 1-2-5 steps where fewer than two decades lie inside. */
export function logTicks(min: number, max: number, maxTicks = MAX_TICKS): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const a = Math.log10(min);
  const b = Math.log10(max);
  const decades = decadeExponents(a, b, maxTicks);
  if (decades.length >= 2) return decades.map((k) => power(k));
  const ticks: number[] = [];
  for (let k = Math.floor(a); k <= Math.ceil(b); k++) {
    for (const m of [1, 2, 5]) {
      const v = power(k, m);
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks.length > 0 ? ticks : [min, max];
}

/** The parts of a uPlot axis on a log scale (distr 3) that keep uPlot's own log splits out of it. */
export function logAxis(format: (value: number) => string): Pick<uPlot.Axis, 'splits' | 'filter' | 'values'> {
  return {
    splits: (_u, _axis, min, max) => logTicks(min, max),
    // uPlot's log filter blanks ticks it did not choose; these are all wanted.
    filter: (_u, splits) => splits,
    values: (_u, splits) => splits.map((s) => (s == null ? '' : format(s))),
  };
}
