// Every WGSL kernel described as data: its source (the declarations generated from the
// table of hyperparameters, GENERATED_WGSL: the ModelHyper struct and the choices' codes;
// the libraries it needs; then its own file; `#shaders` gives the files, inlined by Vite or
// read from disk in Node), its bindings in
// order and its override constants (workgroup size, work per invocation); the functions
// after the table say how many invocations a dispatch needs. Pipelines and bind group
// layouts are built from an entry once per device and cached by that entry.
import { SHADER_SOURCES } from '#shaders';
import type { Activation, ModelHyper } from '../types.ts';
import { DECAYS, OPTIMIZERS } from '../types.ts';
import { GENERATED_WGSL, type MATMUL_PARAMS, type StructValues } from './structs.ts';

const {
  random: randomLibrary,
  model: modelLibrary,
  elementwise: elementwiseLibrary,
  activation: activationLibrary,
  loss_common: lossLibrary,
  matmul_common: matmulLibrary,
  matmul_forward: matmulForwardSource,
  matmul_backward_input: matmulBackwardInputSource,
  matmul_backward_weight: matmulBackwardWeightSource,
  softmax_cross_entropy: softmaxCrossEntropySource,
  mean_squared_error: meanSquaredErrorSource,
  optimizer_common: optimizerLibrary,
  optimizer_step: optimizerStepSource,
  parameters_init: parametersInitSource,
  batch_gather: batchGatherSource,
  conv_common: convLibrary,
  conv2d_forward: conv2dForwardSource,
  conv2d_backward_input: conv2dBackwardInputSource,
  conv2d_backward_weight: conv2dBackwardWeightSource,
  pool_common: poolLibrary,
  pool2d_forward: pool2dForwardSource,
  pool2d_backward: pool2dBackwardSource,
  dropout_common: dropoutLibrary,
  dropout_forward: dropoutForwardSource,
  dropout_backward: dropoutBackwardSource,
  reduce_common: reduceLibrary,
  batchnorm_common: batchNormLibrary,
  batchnorm_statistics: batchNormStatisticsSource,
  batchnorm_forward: batchNormForwardSource,
  batchnorm_backward_parameters: batchNormBackwardParametersSource,
  batchnorm_backward_input: batchNormBackwardInputSource,
} = SHADER_SOURCES;

/** uniform | uniform chosen per dispatch by a dynamic offset (the step slot) | read-only storage | read-write storage. */
export type BindingKind = 'uniform' | 'step' | 'read' | 'write';

export interface KernelEntry {
  readonly name: string;
  readonly code: string;
  readonly bindings: readonly BindingKind[];
  readonly constants: Readonly<Record<string, number>>;
}

const ELEMENTWISE_CONSTANTS = { WORKGROUP_SIZE: 256 };
/** One workgroup per (model, channel) summing over the batch (reduce_common.wgsl); a power of two. */
const REDUCTION_CONSTANTS = { WORKGROUP_SIZE: 64 };
const BATCH_NORM_LIBRARIES = [modelLibrary, activationLibrary];
const MATMUL_CONSTANTS = { WORKGROUP_SIZE: 64 };
const MATMUL_BINDINGS: readonly BindingKind[] = ['uniform', 'read', 'read', 'write'];
/** …, outputs, labels, gradient, model states, then the batch's training rows (a training step's labels). */
const LOSS_BINDINGS: readonly BindingKind[] = ['uniform', 'step', 'read', 'read', 'write', 'write', 'read'];

/** A matmul kernel: its operands a, b, c, then a and b again as vec4 views, then `extra` (its epilogue's and GATHER's). */
function matmul(name: string, source: string, extra: readonly BindingKind[], vectorLoads: boolean): KernelEntry {
  return {
    name: vectorLoads ? `${name}_vec4` : name,
    code: [GENERATED_WGSL, activationLibrary, modelLibrary, elementwiseLibrary, matmulLibrary, source].join('\n'),
    bindings: [...MATMUL_BINDINGS, 'read', 'read', ...extra],
    constants: { ...MATMUL_CONSTANTS, VECTOR_LOADS: vectorLoads ? 1 : 0 },
  };
}

function elementwise(
  name: string,
  libraries: readonly string[],
  source: string,
  bindings: readonly BindingKind[],
  constants: Record<string, number> = {},
): KernelEntry {
  return {
    name,
    code: [GENERATED_WGSL, ...libraries, elementwiseLibrary, source].join('\n'),
    bindings,
    constants: { ...ELEMENTWISE_CONSTANTS, ...constants },
  };
}

function loss(name: string, source: string): KernelEntry {
  return elementwise(name, [modelLibrary], [lossLibrary, source].join('\n'), LOSS_BINDINGS);
}

export const KERNELS = {
  // The forward and input-gradient epilogues also read the model rows, and write the activations / read what the
  // forward kept; the forward and weight gradient then read the batch's rows (GATHER's).
  matmulForward: matmul('matmul_forward', matmulForwardSource, ['read', 'write', 'read'], false),
  matmulForwardVec4: matmul('matmul_forward', matmulForwardSource, ['read', 'write', 'read'], true),
  matmulBackwardInput: matmul('matmul_backward_input', matmulBackwardInputSource, ['read', 'read'], false),
  matmulBackwardInputVec4: matmul('matmul_backward_input', matmulBackwardInputSource, ['read', 'read'], true),
  matmulBackwardWeight: matmul('matmul_backward_weight', matmulBackwardWeightSource, ['read'], false),
  matmulBackwardWeightVec4: matmul('matmul_backward_weight', matmulBackwardWeightSource, ['read'], true),
  // The loss of every row and its gradient, folded into each model's metrics (one thread per model, loss_common.wgsl).
  softmaxCrossEntropy: loss('softmax_cross_entropy', softmaxCrossEntropySource),
  meanSquaredError: loss('mean_squared_error', meanSquaredErrorSource),
  optimizerStep: elementwise(
    'optimizer_step',
    [modelLibrary, optimizerLibrary],
    optimizerStepSource,
    ['uniform', 'step', 'read', 'read', 'write', 'read', 'write', 'write'],
    {
      // Fewer invocations share each model's per-step constants (measured on the 64-model
      // workload: 8 vec4s 0.75 ms, 4 vec4s 0.92 ms, 12 no better than 8).
      VECTORS_PER_INVOCATION: 8,
    },
  ),
  parametersInit: elementwise('parameters_init', [randomLibrary, modelLibrary], parametersInitSource, [
    'uniform',
    'read',
    'write',
  ]),
  batchGather: elementwise('batch_gather', [randomLibrary, modelLibrary], batchGatherSource, [
    'uniform',
    'step',
    'read',
    'read',
    'write',
    'write',
  ]),
  // Image layers: one invocation per output element; the conv kernels' epilogue applies an activation (forward) or
  // the previous layer's derivative (input gradient), as the matmuls' do.
  conv2dForward: elementwise('conv2d_forward', [activationLibrary, convLibrary], conv2dForwardSource, [
    'uniform',
    'read',
    'read',
    'write',
    'write',
  ]),
  conv2dBackwardInput: elementwise(
    'conv2d_backward_input',
    [activationLibrary, convLibrary],
    conv2dBackwardInputSource,
    ['uniform', 'read', 'read', 'write', 'read'],
  ),
  conv2dBackwardWeight: elementwise(
    'conv2d_backward_weight',
    [activationLibrary, convLibrary],
    conv2dBackwardWeightSource,
    ['uniform', 'read', 'read', 'write'],
  ),
  pool2dForward: elementwise('pool2d_forward', [activationLibrary, poolLibrary], pool2dForwardSource, [
    'uniform',
    'read',
    'write',
  ]),
  pool2dBackward: elementwise('pool2d_backward', [activationLibrary, poolLibrary], pool2dBackwardSource, [
    'uniform',
    'read',
    'read',
    'write',
    'read',
  ]),
  // Dropout reads its step's index (the step slot) and the models' data seeds.
  dropoutForward: elementwise(
    'dropout_forward',
    [randomLibrary, modelLibrary, activationLibrary, dropoutLibrary],
    dropoutForwardSource,
    ['uniform', 'step', 'read', 'read', 'write'],
  ),
  dropoutBackward: elementwise(
    'dropout_backward',
    [randomLibrary, modelLibrary, activationLibrary, dropoutLibrary],
    dropoutBackwardSource,
    ['uniform', 'step', 'read', 'read', 'write', 'read'],
  ),
  // Batch norm: the statistics and the parameter gradients sum per (model, channel) in one workgroup each
  // (reductionInvocations); the forward and the input gradient run one invocation per element.
  batchNormStatistics: elementwise(
    'batchnorm_statistics',
    BATCH_NORM_LIBRARIES,
    [batchNormLibrary, reduceLibrary, batchNormStatisticsSource].join('\n'),
    ['uniform', 'read', 'read', 'read', 'write', 'write'],
    REDUCTION_CONSTANTS,
  ),
  batchNormForward: elementwise(
    'batchnorm_forward',
    BATCH_NORM_LIBRARIES,
    [batchNormLibrary, batchNormForwardSource].join('\n'),
    ['uniform', 'read', 'read', 'read', 'read', 'read', 'write', 'write'],
  ),
  batchNormBackwardParameters: elementwise(
    'batchnorm_backward_parameters',
    BATCH_NORM_LIBRARIES,
    [batchNormLibrary, reduceLibrary, batchNormBackwardParametersSource].join('\n'),
    ['uniform', 'read', 'read', 'read', 'read', 'write'],
    REDUCTION_CONSTANTS,
  ),
  batchNormBackwardInput: elementwise(
    'batchnorm_backward_input',
    BATCH_NORM_LIBRARIES,
    [batchNormLibrary, batchNormBackwardInputSource].join('\n'),
    ['uniform', 'read', 'read', 'read', 'read', 'read', 'read', 'write', 'read'],
  ),
} as const satisfies Record<string, KernelEntry>;

/** Invocations of a reduction kernel (batchNormStatistics, batchNormBackwardParameters): a workgroup per (model, channel). */
export function reductionInvocations(entry: KernelEntry, models: number, channels: number): number {
  return models * channels * entry.constants.WORKGROUP_SIZE;
}

export type MatmulKind = 'forward' | 'backwardInput' | 'backwardWeight';

/**
 * The layer step a matmul does as it stores (matmul_common.wgsl): a hidden layer's or the
 * output layer's, with the hidden layers' activation (its index in ACTIVATIONS).
 */
export interface MatmulEpilogue {
  readonly layer: 'hidden' | 'output';
  readonly activation: number;
}

/**
 * Whether a hidden layer's forward keeps z for the derivative (keeps_pre_activation in
 * activation.wgsl): the gelus' z cannot be recovered from their activations; every other
 * activation's derivative is read from a.
 */
export function keepsPreActivation(activation: Activation): boolean {
  return activation === 'gelu' || activation === 'gelu_tanh';
}

/** EPILOGUE in matmul_common.wgsl. */
const EPILOGUE_CODES = { hidden: 1, output: 2 } as const;

/** Entries with more override constants set than the table's, one object per variant so their compiled pipelines are shared. */
const specialised = new Map<string, KernelEntry>();

export function specialise(entry: KernelEntry, constants: Record<string, number>): KernelEntry {
  const all = { ...entry.constants, ...constants };
  const key = `${entry.name}|${JSON.stringify(all)}`;
  let variant = specialised.get(key);
  if (!variant) specialised.set(key, (variant = { ...entry, constants: all }));
  return variant;
}

/** `entry` with `operands`' constants, vec4 stores when c's rows are aligned, and compiled for `epilogue`. */
function forProduct(
  entry: KernelEntry,
  p: StructValues<typeof MATMUL_PARAMS>,
  outputCols: number,
  epilogue: MatmulEpilogue | undefined,
  gather: boolean,
  operands: Record<string, number> = {},
): KernelEntry {
  const constants = { ...operands };
  if (gather) constants.GATHER = 1;
  if ([outputCols, p.c_offset, p.c_model_stride, p.bias_offset].every((v) => v % 4 === 0)) constants.VECTOR_STORES = 1;
  if (epilogue) Object.assign(constants, { EPILOGUE: EPILOGUE_CODES[epilogue.layer], ACTIVATION: epilogue.activation });
  return Object.keys(constants).length ? specialise(entry, constants) : entry;
}

/** optimizer_step compiled for the optimizers and decay schedules that `models` use (the OPTIMIZERS and DECAYS bit sets). */
export function optimizerKernel(models: readonly ModelHyper[]): KernelEntry {
  const bits = (codes: number[]) => codes.reduce((set, code) => set | (1 << code), 0) >>> 0;
  return specialise(KERNELS.optimizerStep, {
    OPTIMIZERS: bits(models.map((m) => OPTIMIZERS.indexOf(m.optimizer))),
    DECAYS: bits(models.map((m) => DECAYS.indexOf(m.decay))),
  });
}

/**
 * The kernel for one product: the vec4 variant when all it reads 16 bytes at a time is
 * aligned (see each kernel's VECTOR_LOADS branch), else the scalar one, which forward and
 * weight-gradient products still compile to read whichever operand is aligned as vec4s
 * (A_VECTORS, B_VECTORS in matmul_common.wgsl); storing vec4s when c's rows are aligned
 * (VECTOR_STORES); with `epilogue`, compiled for that layer step; with `gather`, reading a's
 * rows through the step's batch (GATHER: forward and weight-gradient products only).
 */
export function matmulKernel(
  kind: MatmulKind,
  p: StructValues<typeof MATMUL_PARAMS>,
  epilogue?: MatmulEpilogue,
  gather = false,
): KernelEntry {
  const aligned = (...values: number[]) => values.every((v) => v % 4 === 0);
  if (kind === 'backwardInput') {
    if (gather)
      throw new Error('an input gradient has no batch to gather: only the first layer reads the training set');
    const vec4 = aligned(p.n, p.a_offset, p.a_model_stride, p.b_offset, p.b_model_stride);
    return forProduct(vec4 ? KERNELS.matmulBackwardInputVec4 : KERNELS.matmulBackwardInput, p, p.k, epilogue, false);
  }
  const [vec4, scalar] =
    kind === 'forward'
      ? [KERNELS.matmulForwardVec4, KERNELS.matmulForward]
      : [KERNELS.matmulBackwardWeightVec4, KERNELS.matmulBackwardWeight];
  const aRows = aligned(p.k, p.a_offset, p.a_model_stride);
  const bRows = aligned(p.n, p.b_offset, p.b_model_stride);
  if (aRows && bRows) return forProduct(vec4, p, p.n, epilogue, gather);
  const operands: Record<string, number> = {};
  if (aRows) operands.A_VECTORS = 1;
  if (bRows) operands.B_VECTORS = 1;
  return forProduct(scalar, p, p.n, epilogue, gather, operands);
}

/** A matmul's buffers in binding order: a, b, c, a and b again (the vec4 views), then the epilogue's. */
export function matmulBuffers(a: GPUBuffer, b: GPUBuffer, c: GPUBuffer, ...epilogue: GPUBuffer[]): GPUBuffer[] {
  return [a, b, c, a, b, ...epilogue];
}

/** Invocations of a matmul kernel with a [rows×cols] output per model: one per 4×4 block (block_of in matmul_common.wgsl). */
export function matmulInvocations(models: number, rows: number, cols: number): number {
  return models * Math.ceil(rows / 4) * Math.ceil(cols / 4);
}

/** Invocations of optimizer_step for `models` models whose parameters lie `modelStride` floats apart (a multiple of 4). */
export function optimizerInvocations(models: number, modelStride: number): number {
  if (modelStride % 4 !== 0)
    throw new RangeError(`optimizer_step reads vec4s: the model stride must be a multiple of 4, got ${modelStride}`);
  return models * Math.ceil(modelStride / 4 / KERNELS.optimizerStep.constants.VECTORS_PER_INVOCATION);
}

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

/** Workgroups that cover `invocations` on a 2-D grid (so more than 65535 workgroups fit one dispatch). */
export function dispatchSize(entry: KernelEntry, invocations: number): [number, number, number] {
  const groups = Math.ceil(invocations / entry.constants.WORKGROUP_SIZE);
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

/** Binds `buffers` (in the entry's binding order) and sizes the grid for `invocations`. */
export function prepareDispatch(
  device: GPUDevice,
  entry: KernelEntry,
  buffers: readonly GPUBuffer[],
  invocations: number,
  stepSlotBytes = 0,
): Dispatch {
  const kernel = compileKernel(device, entry);
  if (buffers.length !== entry.bindings.length)
    throw new Error(`${entry.name} takes ${entry.bindings.length} buffers, got ${buffers.length}`);
  const bindGroup = device.createBindGroup({
    label: entry.name,
    layout: kernel.layout,
    entries: buffers.map((buffer, binding) => ({
      binding,
      resource: entry.bindings[binding] === 'step' ? { buffer, size: stepSlotBytes } : { buffer },
    })),
  });
  return { kernel, bindGroup, grid: dispatchSize(entry, invocations), step: entry.bindings.includes('step') };
}

/** Records `dispatches` into `pass`; a step-slot bind group reads slot `slot`. */
export function encodeDispatches(
  pass: GPUComputePassEncoder,
  dispatches: readonly Dispatch[],
  slot = 0,
  stepSlotBytes = 0,
): void {
  for (const { kernel, bindGroup, grid, step } of dispatches) {
    if (grid.some((g) => g === 0)) continue;
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup, step ? [slot * stepSlotBytes] : []);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
  }
}
