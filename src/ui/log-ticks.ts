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

/** Decades (every n-th over wide ranges), or the 1-2-5 steps inside [min, max] where fewer than two decades lie inside (none when none does). */
function decadeOr125Ticks(min: number, max: number, maxTicks: number): number[] {
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
  return ticks;
}

/** Whether [min, max] can be shown on a log axis. */
export const isLogRange = (min: number, max: number) => min > 0 && max >= min && Number.isFinite(max);

/** Ticks of a log axis over [min, max]: decades (every n-th over wide ranges), or 1-2-5 steps where fewer than two decades lie inside, else its ends. */
export function logTicks(min: number, max: number, maxTicks = MAX_TICKS): number[] {
  if (!isLogRange(min, max)) return [];
  const ticks = decadeOr125Ticks(min, max, maxTicks);
  return ticks.length > 0 ? ticks : [min, max];
}

/**
 * Ticks of a chart's log axis: logTicks, or where fewer than two 1-2-5 steps lie inside (a
 * loss that barely moves, 2.02–2.31), evenly spaced ones of 1, 2 or 5 × 10^k, at most maxTicks.
 */
export function chartLogTicks(min: number, max: number, maxTicks = MAX_TICKS): number[] {
  if (!isLogRange(min, max)) return [];
  const ticks = decadeOr125Ticks(min, max, maxTicks);
  if (ticks.length >= 2 || max === min) return ticks.length > 0 ? ticks : [min];
  const k = Math.floor(Math.log10((max - min) / maxTicks));
  for (const m of [1, 2, 5, 10]) {
    const step = power(k, m);
    const first = Math.ceil(min / step - 1e-9);
    const last = Math.floor(max / step + 1e-9);
    if (last - first + 1 > maxTicks) continue;
    const even: number[] = [];
    for (let i = first; i <= last; i++) even.push(Number((i * step).toPrecision(12)));
    return even;
  }
  return [min, max];
}

/**
 * A log scale's range about its data: the data's span in decades padded by 5% either side (at
 * least 0.02 decade, so a lone value gets a range), where uPlot's own rounds each end out to
 * the next power of 10 (a loss of 2.02–2.31 drawn on 2–10, every curve in the bottom tenth).
 */
export function logRange(min: number, max: number): [number, number] {
  const a = Math.log10(min);
  const b = Math.log10(max);
  const pad = Math.max(0.05 * (b - a), 0.02);
  return [10 ** (a - pad), 10 ** (b + pad)];
}

/** The parts of a uPlot axis on a log scale (distr 3) that keep uPlot's own log splits out of it. */
export function logAxis(format: (value: number) => string): Pick<uPlot.Axis, 'splits' | 'filter' | 'values'> {
  return {
    splits: (_u, _axis, min, max) => chartLogTicks(min, max),
    // uPlot's log filter blanks ticks it did not choose; these are all wanted.
    filter: (_u, splits) => splits,
    values: (_u, splits) => splits.map((s) => (s == null ? '' : format(s))),
  };
}
