// How cost grows: the workload's MLP (2-w-w-2, relu, softmax-CE, Adam, batch 32, the spiral)
// at populations of 1 to 1024 trials and widths 32 to 256, on every engine. Each cell trains
// about SCALING_WORK_FLOPS of matmul work per timed run (steps clamped to [2, 200]). The rate
// is the steady state: (median time of `steps` − time of 2 steps) per (steps − 2), so the
// per-job costs (upload, init, the final validation) cancel, as they are outside JAX's timed
// call; the JAX anchor (bench/jax_scaling.py, run by bench/run.mjs) trains the same cells.
import type { PopulationJob, TrainingData, TrainingEngine } from '../src/train/types.ts';
import { layerDims } from '../src/train/types.ts';
import { median, progress, round } from './stats.ts';
import { SHAPE, trialHyper } from './workload.ts';

export const SCALING_POPULATIONS = [1, 16, 64, 256, 1024] as const;
export const SCALING_WIDTHS = [32, 128, 256] as const;
/** Matmul flops per timed run of a cell. */
const SCALING_WORK_FLOPS = 1.5e9;
/** An engine stops repeating a cell after this long (it keeps the runs it has, at least one). */
const CELL_SECONDS = 6;
/** An engine skips a cell whose timed run would take longer than this at its best rate so far. */
const MAX_RUN_SECONDS = 15;

export interface ScalingCell {
  trials: number;
  width: number;
  steps: number;
}

export interface CellFigures {
  /** Whether the rate is the steady state (else the whole run's, per-job costs included). */
  steady: boolean;
  trial_steps_per_s: number;
  gflops: number;
  /** The 2-step run's seconds, then the timed runs'. */
  s_per_run: number[];
}

/** Matmul flops of one trial-step at `width` (forward, weight and input gradients, as workload.ts counts). */
export function flopsPerTrialStep(width: number): number {
  return layerDims({ ...SHAPE, maxHidden: width }).reduce(
    (sum, { rows, cols }, l) => sum + (l === 0 ? 2 : 3) * 2 * SHAPE.batchSize * rows * cols,
    0,
  );
}

export function scalingCells(quick: boolean): ScalingCell[] {
  return SCALING_POPULATIONS.flatMap((trials) =>
    SCALING_WIDTHS.map((width) => {
      const steps = Math.round(SCALING_WORK_FLOPS / (trials * flopsPerTrialStep(width)));
      return { trials, width, steps: Math.max(6, Math.min(quick ? 20 : 200, steps)) };
    }),
  );
}

function cellJob(data: TrainingData, { trials, width, steps }: ScalingCell): PopulationJob {
  return {
    shape: { ...SHAPE, maxHidden: width },
    models: Array.from({ length: trials }, (_, t) => ({ ...trialHyper(t), hiddenUnits: width })),
    data,
    steps,
    reportEvery: steps,
  };
}

async function timeRun(engine: TrainingEngine, job: PopulationJob): Promise<number> {
  const started = performance.now();
  await engine.train(job);
  return (performance.now() - started) / 1000;
}

/** One engine on one cell: a warm-up, a 2-step run, then up to 3 timed runs; the error's message if it cannot. */
async function timeCell(
  engine: TrainingEngine,
  data: TrainingData,
  cell: ScalingCell,
): Promise<CellFigures | { error: string }> {
  try {
    await engine.train(cellJob(data, { ...cell, steps: 2 }));
    const short = await timeRun(engine, cellJob(data, { ...cell, steps: 2 }));
    const seconds: number[] = [];
    const started = performance.now();
    while (seconds.length < 3 && (seconds.length === 0 || performance.now() - started < CELL_SECONDS * 1000))
      seconds.push(await timeRun(engine, cellJob(data, cell)));
    // The difference is trusted only when it is a good part of the run (a busy machine's noise
    // can make the long run barely slower than the short one); else the whole run's rate.
    const steady = median(seconds) - short > 0.25 * median(seconds);
    const rate = steady
      ? (cell.trials * (cell.steps - 2)) / (median(seconds) - short)
      : (cell.trials * cell.steps) / median(seconds);
    return {
      steady,
      trial_steps_per_s: round(rate),
      gflops: round((rate * flopsPerTrialStep(cell.width)) / 1e9),
      s_per_run: [short, ...seconds].map((s) => round(s)),
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Every cell on every engine, one engine at a time (never sharing the cores). */
export async function benchScaling(
  engines: Record<string, TrainingEngine>,
  data: TrainingData,
  quick: boolean,
): Promise<Array<ScalingCell & Record<string, CellFigures | { error: string } | number>>> {
  const cells = scalingCells(quick);
  const rows = cells.map(
    (cell) => ({ ...cell }) as ScalingCell & Record<string, CellFigures | { error: string } | number>,
  );
  for (const [name, engine] of Object.entries(engines)) {
    let bestGflops = 0;
    for (const [i, cell] of cells.entries()) {
      const runSeconds = (cell.trials * cell.steps * flopsPerTrialStep(cell.width)) / (bestGflops * 1e9);
      const figures =
        bestGflops > 0 && runSeconds > MAX_RUN_SECONDS
          ? { error: `skipped: about ${Math.round(runSeconds)} s per run at this engine's best rate so far` }
          : await timeCell(engine, data, cell);
      rows[i][name] = figures;
      if ('gflops' in figures) bestGflops = Math.max(bestGflops, figures.gflops);
      progress(
        `scaling ${name} P=${cell.trials} w=${cell.width} ×${cell.steps} steps: ${'error' in figures ? figures.error : `${figures.trial_steps_per_s} trial-steps/s, ${figures.gflops} GFLOP/s`}`,
      );
    }
  }
  return rows;
}
