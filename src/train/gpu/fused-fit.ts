// Which step kernel trains a population (the table): the layered path's one dispatch per layer
// op, or, where forced and the model fits one workgroup, the fused whole-step kernel
// (fused-mlp.ts); see chooseStepKernel for why the table does not choose it yet.

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
 * The step kernel for a population of `shape`: 'fused' forces the fused kernel where it fits
 * (else the layered one, with the reason); 'auto' and 'layered' train layered. The table does
 * not choose the fused kernel: it was faster only for populations of 1-4 small models on
 * SwiftShader (bench/README.md, "Fused step kernel"), so choosing it would depend on the
 * population's size, and its sums run in another order than the layered kernels', so its last
 * bits can differ (1e-7 on the default study in CI). A study must train bit-identical trials
 * whatever its parallelism, i.e. whatever the size of its populations; the fused kernel can
 * be chosen once it sums as the layered path does.
 */
export function chooseStepKernel(
  shape: PopulationShape,
  modelStride: number,
  limits: FusedLimits,
  choice: StepKernelChoice = 'auto',
): StepKernelDecision {
  if (choice === 'fused') return fusedFit(shape, modelStride, limits);
  return {
    kernel: 'layered',
    reason: choice === 'layered' ? 'forced' : 'the table trains every population layered (see chooseStepKernel)',
  };
}
