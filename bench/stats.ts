// Small timing helpers shared by the benchmark sections.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds to `digits` significant digits, so the JSON line stays readable. */
export function round(value: number, digits = 4): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(digits)) : value;
}

/** Progress line (the runner forwards the page's console to stderr). */
export function progress(message: string): void {
  console.log(`[bench] ${message}`);
}
