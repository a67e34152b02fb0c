// Which step kernel trains a population (the table): the fused whole-step kernel
// (fused-mlp.ts) where the model fits one workgroup, else the layered path's one dispatch per
// layer op. A pure function of the shape and the device's limits, so a link trains the same
// way, bit for bit, every time on the same adapter.

import type { PopulationShape } from '../types.ts';
import { FUSED_WORKGROUP_SIZE, type FusedLayout, fusedLayout } from './fused-mlp.ts';

export type StepKernel = 'fused' | 'layered';
/** 'auto' lets the table choose; the others force a path (tests, the bench). */
export type StepKernelChoice = 'auto' | StepKernel;

export type StepKernelDecision =
  | { kernel: 'fused'; layout: FusedLayout; reason: string }
  | { kernel: 'layered'; reason: string };

/**
 * Most vec4s of parameters one invocation of the fused kernel owns: it keeps their gradients
 * and both moments in private memory (12 floats each), which a GPU holds in registers only
 * while they are few.
 */
export const MAX_OWNED_VECTORS = 32;

/** The limits the table reads (a GPUDevice's `limits` has them). */
export type FusedLimits = Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>;

/** Whether `shape` (models `modelStride` floats apart) fits the fused kernel on a device with `limits`, and why not. */
export function fusedFit(shape: PopulationShape, modelStride: number, limits: FusedLimits): StepKernelDecision {
  const layout = fusedLayout(shape, modelStride);
  if (typeof layout === 'string') return { kernel: 'layered', reason: layout };
  if (layout.workgroupBytes > limits.maxComputeWorkgroupStorageSize)
    return {
      kernel: 'layered',
      reason: `its weights and batch activations take ${layout.workgroupBytes} bytes of workgroup memory; this device has ${limits.maxComputeWorkgroupStorageSize}`,
    };
  if (layout.owned > MAX_OWNED_VECTORS)
    return {
      kernel: 'layered',
      reason: `its ${layout.paramVectors * 4} parameters give each of ${FUSED_WORKGROUP_SIZE} invocations ${layout.owned} vec4s to keep (at most ${MAX_OWNED_VECTORS})`,
    };
  return { kernel: 'fused', layout, reason: `fits one workgroup in ${layout.workgroupBytes} bytes` };
}

/**
 * The most work one population step may hold for the table to choose the fused kernel: models
 * × batch rows × parameters per model (a step's forward multiply-adds, about). Measured on
 * SwiftShader in Chromium (bench/README.md, "Fused step kernel"; two runs, medians of 3, fused
 * ÷ layered speed): 2-16-16-2 batch 16 at 1 and 4 models (5,696 and 22,784) 2.2x-3.2x and
 * 2.6x-4.3x; 2-32-32-2 batch 32 at 1 model (39,040) 1.8x in one run, 0.87x in the other; from
 * 2-16-16-2 at 16 models (91,136: 0.6x-0.7x) and 2-32-32-2 at 4 (156,160: 0.5x) on slower, down
 * to 0.23x-0.35x at 64. One workgroup per model runs a model's step on 16 invocations, which
 * beats a dozen dispatches only while the population is small. No hardware GPU has been
 * measured: the limit is SwiftShader's.
 */
export const FUSED_MAX_STEP_WORK = 32_768;

/**
 * The step kernel for a population of `models` models of `shape`: 'layered' and 'fused'
 * force a path ('fused' only where it fits, else the layered one, with the reason); 'auto' is
 * the table: fused where it fits and the step's work is at most FUSED_MAX_STEP_WORK.
 */
export function chooseStepKernel(
  shape: PopulationShape,
  models: number,
  modelStride: number,
  limits: FusedLimits,
  choice: StepKernelChoice = 'auto',
): StepKernelDecision {
  if (choice === 'layered') return { kernel: 'layered', reason: 'forced' };
  const fit = fusedFit(shape, modelStride, limits);
  if (choice === 'fused' || fit.kernel === 'layered') return fit;
  const work = models * shape.batchSize * modelStride;
  if (work > FUSED_MAX_STEP_WORK)
    return {
      kernel: 'layered',
      reason: `a step's work (${models} models × ${shape.batchSize} rows × ${modelStride} parameters = ${work}) is above ${FUSED_MAX_STEP_WORK}, where the fused kernel was measured slower`,
    };
  return fit;
}
