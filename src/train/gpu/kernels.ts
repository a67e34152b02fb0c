// Every WGSL kernel described as data: its source (the libraries it needs, then its own
// file), its bindings in order, its override constants and how a dispatch covers the
// work. Pipelines and bind group layouts are built from an entry once per device and
// cached by that entry.
import randomLibrary from '../../../shaders/random.wgsl?raw';
import modelLibrary from '../../../shaders/model.wgsl?raw';
import elementwiseLibrary from '../../../shaders/elementwise.wgsl?raw';
import layerLibrary from '../../../shaders/layer_common.wgsl?raw';
import lossLibrary from '../../../shaders/loss_common.wgsl?raw';
import matmulLibrary from '../../../shaders/matmul_common.wgsl?raw';
import matmulForwardSource from '../../../shaders/matmul_forward.wgsl?raw';
import matmulBackwardInputSource from '../../../shaders/matmul_backward_input.wgsl?raw';
import matmulBackwardWeightSource from '../../../shaders/matmul_backward_weight.wgsl?raw';
import biasActivationForwardSource from '../../../shaders/bias_activation_forward.wgsl?raw';
import activationBackwardSource from '../../../shaders/activation_backward.wgsl?raw';
import biasBackwardSource from '../../../shaders/bias_backward.wgsl?raw';
import softmaxCrossEntropySource from '../../../shaders/softmax_cross_entropy.wgsl?raw';
import meanSquaredErrorSource from '../../../shaders/mean_squared_error.wgsl?raw';
import metricsAccumulateSource from '../../../shaders/metrics_accumulate.wgsl?raw';
import optimizerStepSource from '../../../shaders/optimizer_step.wgsl?raw';
import parametersInitSource from '../../../shaders/parameters_init.wgsl?raw';
import batchGatherSource from '../../../shaders/batch_gather.wgsl?raw';

/** uniform | uniform chosen per dispatch by a dynamic offset (the step slot) | read-only storage | read-write storage. */
export type BindingKind = 'uniform' | 'step' | 'read' | 'write';

export interface KernelEntry {
  readonly name: string;
  readonly code: string;
  readonly bindings: readonly BindingKind[];
  readonly constants: Readonly<Record<string, number>>;
  /**
   * 'blocks': a matmul grid of 4×4 output blocks, x over columns, y over rows, z over models;
   * 'elements': one invocation per element of a flat count, on a 2-D grid.
   */
  readonly dispatch: 'blocks' | 'elements';
}

const MATMUL_CONSTANTS = { WORKGROUP_X: 8, WORKGROUP_Y: 8 };
const ELEMENTWISE_CONSTANTS = { WORKGROUP_SIZE: 64 };
const MATMUL_BINDINGS: readonly BindingKind[] = ['uniform', 'read', 'read', 'write'];
const LOSS_BINDINGS: readonly BindingKind[] = ['uniform', 'read', 'read', 'write', 'write', 'write'];

function matmul(name: string, source: string): KernelEntry {
  return { name, code: matmulLibrary + source, bindings: MATMUL_BINDINGS, constants: MATMUL_CONSTANTS, dispatch: 'blocks' };
}

function elementwise(name: string, libraries: readonly string[], source: string, bindings: readonly BindingKind[]): KernelEntry {
  return { name, code: [...libraries, elementwiseLibrary, source].join('\n'), bindings, constants: ELEMENTWISE_CONSTANTS, dispatch: 'elements' };
}

export const KERNELS = {
  matmulForward: matmul('matmul_forward', matmulForwardSource),
  matmulBackwardInput: matmul('matmul_backward_input', matmulBackwardInputSource),
  matmulBackwardWeight: matmul('matmul_backward_weight', matmulBackwardWeightSource),
  biasActivationForward: elementwise('bias_activation_forward', [modelLibrary, layerLibrary], biasActivationForwardSource, ['uniform', 'read', 'read', 'write', 'write']),
  activationBackward: elementwise('activation_backward', [modelLibrary, layerLibrary], activationBackwardSource, ['uniform', 'read', 'read', 'write']),
  biasBackward: elementwise('bias_backward', [modelLibrary, layerLibrary], biasBackwardSource, ['uniform', 'read', 'write']),
  softmaxCrossEntropy: elementwise('softmax_cross_entropy', [lossLibrary], softmaxCrossEntropySource, LOSS_BINDINGS),
  meanSquaredError: elementwise('mean_squared_error', [lossLibrary], meanSquaredErrorSource, LOSS_BINDINGS),
  metricsAccumulate: elementwise('metrics_accumulate', [modelLibrary], metricsAccumulateSource, ['uniform', 'step', 'read', 'read', 'write']),
  optimizerStep: elementwise('optimizer_step', [modelLibrary], optimizerStepSource, ['uniform', 'step', 'read', 'read', 'write', 'read', 'write', 'write']),
  parametersInit: elementwise('parameters_init', [randomLibrary, modelLibrary], parametersInitSource, ['uniform', 'read', 'write']),
  batchGather: elementwise('batch_gather', [randomLibrary, modelLibrary], batchGatherSource, ['uniform', 'step', 'read', 'read', 'read', 'write', 'write']),
} as const satisfies Record<string, KernelEntry>;

export interface CompiledKernel {
  readonly entry: KernelEntry;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

const compiled = new WeakMap<GPUDevice, Map<KernelEntry, CompiledKernel>>();

function bindingLayout(kind: BindingKind, binding: number): GPUBindGroupLayoutEntry {
  const visibility = GPUShaderStage.COMPUTE;
  switch (kind) {
    case 'uniform':
      return { binding, visibility, buffer: { type: 'uniform' } };
    case 'step':
      return { binding, visibility, buffer: { type: 'uniform', hasDynamicOffset: true } };
    case 'read':
      return { binding, visibility, buffer: { type: 'read-only-storage' } };
    case 'write':
      return { binding, visibility, buffer: { type: 'storage' } };
  }
}

/** The entry's pipeline on `device`, built on first use. */
export function compileKernel(device: GPUDevice, entry: KernelEntry): CompiledKernel {
  let cache = compiled.get(device);
  if (!cache) compiled.set(device, (cache = new Map()));
  let kernel = cache.get(entry);
  if (!kernel) {
    const layout = device.createBindGroupLayout({ label: entry.name, entries: entry.bindings.map(bindingLayout) });
    const module = device.createShaderModule({ label: entry.name, code: entry.code });
    const pipeline = device.createComputePipeline({
      label: entry.name,
      layout: device.createPipelineLayout({ label: entry.name, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants: { ...entry.constants } },
    });
    kernel = { entry, pipeline, layout };
    cache.set(entry, kernel);
  }
  return kernel;
}

/** Workgroup counts that cover the work: `blocks` takes [rows, cols, models], `elements` takes [count]. */
export function dispatchSize(entry: KernelEntry, size: readonly number[]): [number, number, number] {
  if (entry.dispatch === 'blocks') {
    const [rows, cols, models] = size;
    return [Math.ceil(cols / (4 * entry.constants.WORKGROUP_X)), Math.ceil(rows / (4 * entry.constants.WORKGROUP_Y)), models];
  }
  const groups = Math.ceil(size[0] / entry.constants.WORKGROUP_SIZE);
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x), 1];
}

/** One recorded dispatch: a kernel, its bound buffers and its grid; `step` marks a bind group with a step slot. */
export interface Dispatch {
  readonly kernel: CompiledKernel;
  readonly bindGroup: GPUBindGroup;
  readonly grid: readonly [number, number, number];
  readonly step: boolean;
}

/** Binds `buffers` (in the entry's binding order) and sizes the grid for `size` (see dispatchSize). */
export function prepareDispatch(device: GPUDevice, entry: KernelEntry, buffers: readonly GPUBuffer[], size: readonly number[], stepSlotBytes = 0): Dispatch {
  const kernel = compileKernel(device, entry);
  if (buffers.length !== entry.bindings.length) throw new Error(`${entry.name} takes ${entry.bindings.length} buffers, got ${buffers.length}`);
  const bindGroup = device.createBindGroup({
    label: entry.name,
    layout: kernel.layout,
    entries: buffers.map((buffer, binding) => ({
      binding,
      resource: entry.bindings[binding] === 'step' ? { buffer, size: stepSlotBytes } : { buffer },
    })),
  });
  return { kernel, bindGroup, grid: dispatchSize(entry, size), step: entry.bindings.includes('step') };
}

/** Records `dispatches` into `pass`; a step-slot bind group reads slot `slot`. */
export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[], slot = 0, stepSlotBytes = 0): void {
  for (const { kernel, bindGroup, grid, step } of dispatches) {
    if (grid.some((g) => g === 0)) continue;
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup, step ? [slot * stepSlotBytes] : []);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
  }
}
