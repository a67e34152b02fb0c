// The contour's surface: log10 of the objective over two hyperparameters' unit axes, estimated
// at each grid cell by Nadaraya–Watson kernel regression over the trials (a Gaussian of
// BANDWIDTH unit lengths), with the kernel weight that backs it: cells far from every trial
// are drawn faint rather than guessed with confidence. Trials are first binned to the grid's
// cells (1/cells ≪ BANDWIDTH) and the Gaussian applied separably, so the cost is cells³
// whatever the number of trials (10,000 trials cost what 16 do).

/** Kernel width in unit-axis lengths: wide enough to join a 16-trial study's points, narrow enough to keep a valley. */
export const BANDWIDTH = 0.12;

export interface SurfacePoint {
  /** Positions in [0, 1] on the two unit axes. */
  x: number;
  y: number;
  /** log10 of the objective. */
  value: number;
}

/** Convolves a cells × cells grid with the Gaussian along rows, then along columns. */
function blur(grid: Float64Array, cells: number, kernel: Float64Array): Float64Array {
  const reach = kernel.length - 1;
  const rows = new Float64Array(grid.length);
  for (let r = 0; r < cells; r++)
    for (let c = 0; c < cells; c++) {
      let s = 0;
      for (let d = Math.max(-reach, -c); d <= Math.min(reach, cells - 1 - c); d++)
        s += kernel[Math.abs(d)] * grid[r * cells + c + d];
      rows[r * cells + c] = s;
    }
  const out = new Float64Array(grid.length);
  for (let c = 0; c < cells; c++)
    for (let r = 0; r < cells; r++) {
      let s = 0;
      for (let d = Math.max(-reach, -r); d <= Math.min(reach, cells - 1 - r); d++)
        s += kernel[Math.abs(d)] * rows[(r + d) * cells + c];
      out[r * cells + c] = s;
    }
  return out;
}

/** cells × cells estimates, row 0 at the top (y = 1); weight is the summed kernel weight. */
export function kernelSurface(
  points: readonly SurfacePoint[],
  cells: number,
): { value: Float64Array; weight: Float64Array } {
  const sum = new Float64Array(cells * cells);
  const count = new Float64Array(cells * cells);
  const cell = (u: number) => Math.min(cells - 1, Math.max(0, Math.floor(u * cells)));
  for (const p of points) {
    const i = (cells - 1 - cell(p.y)) * cells + cell(p.x);
    sum[i] += p.value;
    count[i] += 1;
  }
  const kernel = Float64Array.from({ length: Math.ceil(4 * BANDWIDTH * cells) + 1 }, (_, d) =>
    Math.exp(-((d / cells) ** 2) / (2 * BANDWIDTH * BANDWIDTH)),
  );
  const weight = blur(count, cells, kernel);
  const weighted = blur(sum, cells, kernel);
  const value = weighted.map((s, i) => (weight[i] > 1e-12 ? s / weight[i] : Number.NaN));
  return { value, weight };
}
