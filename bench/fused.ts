// The fused whole-step kernel against the layered path (issue 13): the same population trained
// both ways, alternating, on dense MLPs of the lab's sizes at 1 to 64 models; median ms per
// step and trial-steps per second of whole runs (reports and validation included), and WebGPU
// calls per step (dispatches, submits) of one run each.
import { createGpuEngine } from '../src/train/gpu/engine.ts';
import type { StepKernel } from '../src/train/gpu/fused-fit.ts';
import type { PopulationJob, PopulationShape, TrainingData } from '../src/train/types.ts';
import { countCalls } from './kernel-profile.ts';
import { median, progress, round } from './stats.ts';
import { populationJob, SHAPE } from './workload.ts';

export interface FusedPlan {
  models: readonly number[];
  steps: number;
  /** Timed runs of each kernel, alternating (after one warm-up run each). */
  runs: number;
}

export const FUSED_FULL: FusedPlan = { models: [1, 4, 16, 64], steps: 64, runs: 3 };
export const FUSED_QUICK: FusedPlan = { models: [1, 8, 64], steps: 32, runs: 1 };

/** The S64 workload's MLP (2-32-32-2, batch 32) and the lab's spiral default (2-16-16-2, batch 16). */
const SHAPES: Array<[string, PopulationShape]> = [
  ['2-32-32-2 b32', SHAPE],
  ['2-16-16-2 b16', { ...SHAPE, maxHidden: 16, batchSize: 16 }],
];

async function secondsPerRun(device: GPUDevice, kernel: StepKernel, job: PopulationJob): Promise<number> {
  const engine = await createGpuEngine({ device, stepKernel: kernel });
  const started = performance.now();
  await engine.train(job);
  engine.dispose();
  return (performance.now() - started) / 1000;
}

export async function benchFused(device: GPUDevice, data: TrainingData, plan: FusedPlan) {
  const rows = [];
  for (const [name, shape] of SHAPES) {
    for (const P of plan.models) {
      const base = populationJob(data, plan.steps);
      const job: PopulationJob = {
        ...base,
        shape,
        models: base.models.slice(0, P).map((m) => ({ ...m, hiddenUnits: shape.maxHidden })),
      };
      const seconds: Record<StepKernel, number[]> = { layered: [], fused: [] };
      const calls: Record<StepKernel, { dispatches: number; submits: number }> = {
        layered: { dispatches: 0, submits: 0 },
        fused: { dispatches: 0, submits: 0 },
      };
      for (const kernel of ['layered', 'fused'] as const) {
        calls[kernel] = await countCalls(() => secondsPerRun(device, kernel, job));
      }
      for (let r = 0; r < plan.runs; r++)
        for (const kernel of ['layered', 'fused'] as const)
          seconds[kernel].push(await secondsPerRun(device, kernel, job));
      const msPerStep = (kernel: StepKernel) => (1000 * median(seconds[kernel])) / plan.steps;
      const row = {
        shape: name,
        models: P,
        layered_ms_per_step: round(msPerStep('layered')),
        fused_ms_per_step: round(msPerStep('fused')),
        layered_trial_steps_per_s: round((1000 * P) / msPerStep('layered')),
        fused_trial_steps_per_s: round((1000 * P) / msPerStep('fused')),
        fused_speedup: round(msPerStep('layered') / msPerStep('fused'), 3),
        layered_dispatches_per_step: round(calls.layered.dispatches / plan.steps, 3),
        fused_dispatches_per_step: round(calls.fused.dispatches / plan.steps, 3),
        layered_submits_per_step: round(calls.layered.submits / plan.steps, 3),
        fused_submits_per_step: round(calls.fused.submits / plan.steps, 3),
      };
      progress(`fused step: ${JSON.stringify(row)}`);
      rows.push(row);
    }
  }
  return rows;
}
