// What a study costs before it runs, for its largest population: `parallelism` trials (fewer
// if the budget has fewer) each as deep, as wide and with as large a batch as any trial of
// the study can be. The GPU figure adds up the buffers src/train/gpu/population.ts and
// engine.ts allocate for that population, buffer by buffer with the same sizes (checked
// against a real Population's createBuffer calls in test/study/cost.browser.test.ts); the
// CPU figure adds up what src/train/cpu/engine.ts and network.ts allocate; the work counts
// the matmuls' multiply-adds. Pure: no DOM, no GPU.
import { cardinality, type Distribution } from '../search/space.ts';
import { MODEL_HYPER, MODEL_STATE, structSize } from '../train/gpu/structs.ts';
import {
  type Dims,
  dimsSize,
  type HiddenLayerSpec,
  type LayerKindName,
  MAX_FILTERS,
  modelLayout,
  statisticsCount,
} from '../train/layers.ts';
import { type PopulationShape, parameterCount, type TrainingData } from '../train/types.ts';
import { largestValue, mayBatchNorm, mayBeCnn, trialLayers } from './cnn.ts';
import type { SpaceRow, StudySpec } from './spec.ts';

/** The sizes of the data a study trains on. */
export interface DataShape {
  task: 'classification' | 'regression';
  inputs: number;
  /** Classes (classification) or target columns (regression). */
  outputs: number;
  trainCount: number;
  validationCount: number;
  /** Each row as an image (digits), which a CNN needs. */
  image?: Dims;
}

export function dataShapeOfTrainingData(data: TrainingData): DataShape {
  return {
    task: data.task,
    inputs: data.inputs,
    outputs: data.outputs,
    trainCount: data.train.count,
    validationCount: data.validation.count,
    ...(data.image ? { image: data.image } : {}),
  };
}

/** Limits a study must keep to, and when to ask before running it. */
export interface StudyLimits {
  /** Largest GPU buffer. 128 MiB is WebGPU's default maxStorageBufferBindingSize, which every adapter offers; the engine asks for no more (engine.ts requestDevice()). */
  gpuBufferBytes: number;
  /** All GPU buffers of one population: 2 GiB leaves room for the browser on a laptop GPU with 4 GiB or more. */
  gpuBytes: number;
  /** The CPU engine's arrays for one population (the fallback must be able to take over): 1 GiB, well inside a tab's heap. */
  cpuBytes: number;
  /** Above this estimated time the user is asked first: 10 minutes. */
  confirmAboveSeconds: number;
}

const MiB = 2 ** 20;
export const STUDY_LIMITS: StudyLimits = {
  gpuBufferBytes: 128 * MiB,
  gpuBytes: 2048 * MiB,
  cpuBytes: 1024 * MiB,
  confirmAboveSeconds: 600,
};

/**
 * A laptop GPU as the time estimate assumes it (assumed, not measured: the estimate is
 * only meant to tell seconds from hours). Effective matmul throughput of the hand-written
 * kernels on an integrated or entry-level laptop GPU; the fixed cost of one compute dispatch
 * (small models are bound by it); one read-back round trip per report.
 */
export const LAPTOP_GPU = { flopsPerSecond: 5e11, secondsPerDispatch: 1e-5, secondsPerReadBack: 2e-3 };

// The GPU engine's constants (src/train/gpu/population.ts; the browser test checks the sizes they give).
const MAX_STEPS_PER_SUBMIT = 64;
const VALIDATION_CHUNK_ROWS = 256;
/** Validation rows per pass shrink so one layer's activations stay within this (population.ts). */
const ACTIVATION_BUDGET_BYTES = 64 * 2 ** 20;
/** WebGPU's default minUniformBufferOffsetAlignment: the size of one step slot. */
const STEP_SLOT_BYTES = 256;
/** Floating-point operations per parameter of one optimizer update (Adam, the costliest, with weight decay). */
const OPTIMIZER_FLOPS_PER_PARAMETER = 16;
/** Bytes the engines keep per model and report: four float32 metrics and a diverged flag. */
const REPORT_BYTES_PER_MODEL = 17;

export interface GpuBuffer {
  what: string;
  bytes: number;
  /** The fields that make it this large, in the editor's words. */
  grownBy: string;
}

export interface StudyCost {
  /** The largest population the study can produce. */
  population: {
    models: number;
    hiddenLayers: number;
    hiddenUnits: number;
    batchSize: number;
    inputs: number;
    outputs: number;
    /** A CNN's conv blocks and each block's filters. */
    convBlocks?: number;
    convFilters?: number[];
  };
  /** That population's shape, layers and image included (its loss is a placeholder): what the engine probe trains. */
  shape: PopulationShape;
  /** Every GPU buffer of that population (the small per-dispatch uniforms aside). */
  gpuBuffers: GpuBuffer[];
  gpuBytes: number;
  /** The CPU engine's memory for that population, its data and the reports it keeps. */
  cpuBytes: number;
  /** Trials the budget allows; undefined for a time budget. */
  trials?: number;
  /** Floating-point operations of one trial of the largest model. */
  flopsPerTrial: number;
  /** Estimated seconds of the whole study on a laptop GPU (LAPTOP_GPU); undefined for a time budget. */
  seconds?: number;
}

/** The largest value a row gives any trial: its default while off, else the top of its range or its largest choice. */
function largest(row: SpaceRow): number {
  if (!row.enabled) return Number(row.default);
  const d = row.distribution;
  return d.kind === 'categorical' ? Math.max(...d.choices.map(Number)) : d.high;
}

function row(spec: StudySpec, name: SpaceRow['name']): SpaceRow {
  const found = spec.space.find((r) => r.name === name);
  if (!found) throw new Error(`study has no "${name}" row in its search space`);
  return found;
}

/** Storage buffers are whole vec4s, at least one (population.ts storage()). */
const storageBytes = (bytes: number) => Math.max(16, Math.ceil(bytes / 16) * 16);

/** The GPU engine's activation buffers per layer kind (gpu/layers.ts): flatten reuses its input's. */
const ACTIVATION_BUFFERS: { readonly [K in LayerKindName]: readonly string[] } = {
  dense: ['z', 'a', 'delta'],
  conv2d: ['z', 'a', 'delta'],
  pool2d: ['a', 'delta'],
  dropout: ['a', 'delta'],
  flatten: [],
  // Plus its batch statistics, 2 floats per channel and model: not per row, so left out.
  batchnorm: ['z', 'a', 'delta'],
};

/**
 * The study's largest CNN (cnn.ts): the most blocks the image takes, the most filters (clamped
 * to what a conv layer takes: cnnProblems refuses more), the larger kernel, dropout if any.
 */
function largestCnnLayers(spec: StudySpec, image: Dims, hiddenLayers: number): HiddenLayerSpec[] {
  const blocks = Math.min(
    largestValue(spec.space, 'convBlocks'),
    Math.floor(Math.log2(Math.min(image.height, image.width))),
  );
  const filters = Math.min(largestValue(spec.space, 'convFilters'), MAX_FILTERS / 2 ** (blocks - 1));
  return (
    trialLayers(
      {
        architecture: 'cnn',
        convBlocks: blocks,
        convFilters: filters,
        kernelSize: String(largestValue(spec.space, 'kernelSize')),
        poolMode: 'max',
        dropout: largestValue(spec.space, 'dropout') > 0 ? 0.5 : 0,
        batchNorm: mayBatchNorm(spec.space) ? 'on' : 'off',
      },
      { hiddenLayers, activation: 'relu' },
      image,
    ) ?? []
  );
}

/**
 * Estimates the study's largest population on both engines and the study's work; see the
 * module comment. A study that can give both architectures is costed as the larger.
 */
export function studyCost(spec: StudySpec, data: DataShape): StudyCost {
  const L = largest(row(spec, 'hiddenLayers'));
  const U = largest(row(spec, 'hiddenUnits'));
  const B = largest(row(spec, 'batchSize'));
  const mlp: PopulationShape = {
    inputs: data.inputs,
    outputs: data.outputs,
    hiddenLayers: L,
    maxHidden: U,
    batchSize: B,
    activation: 'relu',
    loss: 'mse',
    init: 'he',
  };
  // With batch norm an MLP lists its layers: a batch norm after each hidden layer, with its own buffers.
  if (mayBatchNorm(spec.space))
    mlp.layers = trialLayers(
      { architecture: 'mlp', batchNorm: 'on' },
      { hiddenLayers: L, activation: 'relu' },
      undefined,
    );
  const architecture = row(spec, 'architecture');
  const cnn =
    data.image && mayBeCnn(spec.space)
      ? populationCost(spec, data, { ...mlp, layers: largestCnnLayers(spec, data.image, L), image: data.image })
      : undefined;
  if (cnn && !architecture.enabled) return cnn;
  const dense = populationCost(spec, data, mlp);
  return cnn && cnn.gpuBytes > dense.gpuBytes ? cnn : dense;
}

function populationCost(spec: StudySpec, data: DataShape, shape: PopulationShape): StudyCost {
  const P =
    spec.scheduler.budget.kind === 'trials'
      ? Math.min(spec.parallelism, spec.scheduler.budget.trials)
      : spec.parallelism;
  const { hiddenLayers: L, maxHidden: U, batchSize: B } = shape;
  const units = row(spec, 'hiddenUnits');
  const widths = Math.min(P, units.enabled ? cardinality(units.distribution as Distribution) : 1);
  const { inputs, outputs, trainCount, validationCount: V } = data;
  const layout = modelLayout(shape);
  const PC = parameterCount(shape);
  const stride = Math.ceil(PC / 4) * 4;
  const labelWidth = data.task === 'classification' ? 1 : outputs;
  const sizes = layout.map(({ output }) => dimsSize(output));
  const widest = Math.max(...sizes);
  const chunkRows = Math.min(VALIDATION_CHUNK_ROWS, Math.floor(ACTIVATION_BUDGET_BYTES / (4 * P * widest)));
  const R = Math.max(B, Math.min(V, chunkRows));
  const { steps, reportEvery } = spec.training;
  const reports = Math.ceil(steps / reportEvery);

  const model = shape.layers
    ? 'trials at once, conv filters, conv blocks, hidden units, hidden layers'
    : 'trials at once, hidden units, hidden layers';
  const rows = shape.layers ? 'trials at once, batch size, conv filters' : 'trials at once, batch size, hidden units';
  const gpuBuffers: GpuBuffer[] = [
    { what: 'model hyperparameters', bytes: storageBytes(P * structSize(MODEL_HYPER)), grownBy: 'trials at once' },
    ...['parameters', 'gradients', 'first moment', 'second moment'].map((what) => ({
      what,
      bytes: storageBytes(P * stride * 4),
      grownBy: model,
    })),
    { what: 'model states', bytes: storageBytes(P * structSize(MODEL_STATE)), grownBy: 'trials at once' },
    {
      what: 'running statistics',
      bytes: storageBytes(P * statisticsCount(shape) * 4),
      grownBy: 'trials at once, batch norm',
    },
    { what: 'step slots', bytes: Math.min(MAX_STEPS_PER_SUBMIT, steps) * STEP_SLOT_BYTES, grownBy: 'steps per trial' },
    { what: 'training features', bytes: storageBytes(trainCount * inputs * 4), grownBy: 'examples' },
    { what: 'training targets', bytes: storageBytes(trainCount * labelWidth * 4), grownBy: 'examples' },
    { what: 'validation features', bytes: storageBytes(V * inputs * 4), grownBy: 'examples, validation share' },
    { what: 'validation targets', bytes: storageBytes(V * labelWidth * 4), grownBy: 'examples, validation share' },
    { what: 'batch rows', bytes: storageBytes(P * B * 4), grownBy: 'trials at once, batch size' },
    // A dense first layer reads its batch in place through the batch rows; any other a copy.
    {
      what: 'batch features',
      bytes: storageBytes(layout[0].spec.kind === 'dense' ? 0 : P * B * inputs * 4),
      grownBy: 'trials at once, batch size',
    },
    ...layout.flatMap(({ spec: layer }, l) =>
      ACTIVATION_BUFFERS[layer.kind].map((kind) => ({
        what: `layer ${l + 1} activations (${kind})`,
        bytes: storageBytes(P * R * sizes[l] * 4),
        grownBy: rows,
      })),
    ),
    { what: 'state read-back', bytes: P * structSize(MODEL_STATE), grownBy: 'trials at once' },
    { what: 'parameter read-back', bytes: P * (stride + statisticsCount(shape)) * 4, grownBy: model },
  ];
  const gpuBytes = gpuBuffers.reduce((sum, b) => sum + b.bytes, 0);

  // CPU engine: per model its parameters and two optimizer moments (unpadded: at the largest width
  // they are PC long) and its padded parameters on return; one workspace per distinct width.
  const colsSum = sizes.reduce((sum, size) => sum + size, 0);
  const workspaceFloats = 2 * B * widest + 3 * B * colsSum + PC;
  const dataFloats = (trainCount + V) * (inputs + labelWidth);
  const cpuBytes =
    4 * (P * 4 * PC + widths * workspaceFloats + B * (inputs + labelWidth) + dataFloats) +
    reports * P * REPORT_BYTES_PER_MODEL;

  // Work: forward, weight gradients and input gradients (not for the first layer) are each one
  // multiply-add per weight, row and output position (a convolution's weights act at every pixel);
  // validation runs the forward pass over the split per report.
  const layerMacs = layout.map(({ blocks, output }) => {
    const weights = blocks.find((b) => b.name === 'weights');
    return weights ? weights.rows * weights.cols * output.height * output.width : 0;
  });
  const macs = layerMacs.reduce((sum, m) => sum + m, 0);
  const backInputMacs = macs - layerMacs[0];
  const stepFlops = 2 * B * (2 * macs + backInputMacs) + OPTIMIZER_FLOPS_PER_PARAMETER * PC;
  const validationFlops = 2 * V * macs;
  const flopsPerTrial = steps * stepFlops + reports * validationFlops;

  const conv = shape.layers?.filter((layer) => layer.kind === 'conv2d') ?? [];
  const cost: StudyCost = {
    population: {
      models: P,
      hiddenLayers: L,
      hiddenUnits: U,
      batchSize: B,
      inputs,
      outputs,
      ...(conv.length ? { convBlocks: conv.length, convFilters: conv.map((c) => c.filters) } : {}),
    },
    shape,
    gpuBuffers,
    gpuBytes,
    cpuBytes,
    flopsPerTrial,
  };
  if (spec.scheduler.budget.kind !== 'trials') return cost;
  const trials = spec.scheduler.budget.trials;
  // Dispatches per step: gather, forward per layer, loss, metrics, weight gradients per layer, input gradients per layer but the first, optimizer.
  const layers = layout.length;
  const stepDispatches = 3 * layers + 3;
  const validationDispatches = Math.ceil(V / R) * (layers + 2) + 1;
  const gpu = LAPTOP_GPU;
  const populationSeconds =
    steps * (stepDispatches * gpu.secondsPerDispatch + (P * stepFlops) / gpu.flopsPerSecond) +
    reports *
      (validationDispatches * gpu.secondsPerDispatch +
        (P * validationFlops) / gpu.flopsPerSecond +
        gpu.secondsPerReadBack);
  return { ...cost, trials, seconds: Math.ceil(trials / P) * populationSeconds };
}

function size(bytes: number): string {
  return bytes >= 1024 * MiB
    ? `${(bytes / (1024 * MiB)).toFixed(1)} GiB`
    : `${(bytes / MiB).toFixed(bytes >= 10 * MiB ? 0 : 1)} MiB`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} seconds`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} minutes`;
  return `${(seconds / 3600).toFixed(1)} hours`;
}

function work(flops: number): string {
  const [unit, scale] = flops >= 1e12 ? ['TFLOP', 1e12] : flops >= 1e9 ? ['GFLOP', 1e9] : ['MFLOP', 1e6];
  return `${Number((flops / scale).toPrecision(3))} ${unit}`;
}

/** "16 trials at once of 2 hidden layers × 16 hidden units, batch size 32"; a CNN's conv blocks first ("2 conv blocks of 8, 16 filters, then …"). */
export function describePopulation(cost: StudyCost): string {
  const { models, hiddenLayers, hiddenUnits, batchSize, convBlocks, convFilters } = cost.population;
  const conv = convBlocks ? `${convBlocks} conv blocks of ${convFilters?.join(', ')} filters, then ` : '';
  return `${models} trials at once of ${conv}${hiddenLayers} hidden layers × ${hiddenUnits} hidden units, batch size ${batchSize}`;
}

/**
 * Whether a study may run: `refuse` when its largest population would break a hard limit
 * (the message names the fields to lower), `confirm` when it would run longer than the user
 * has agreed to (a question to ask before Run); neither when it is fine.
 */
export function checkStudyCost(
  cost: StudyCost,
  limits: StudyLimits = STUDY_LIMITS,
): { refuse?: string; confirm?: string } {
  const largestBuffer = cost.gpuBuffers.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const population = describePopulation(cost);
  if (largestBuffer.bytes > limits.gpuBufferBytes) {
    return {
      refuse: `This study's largest population (${population}) needs ${size(largestBuffer.bytes)} for its ${largestBuffer.what} in one GPU buffer; a GPU buffer holds at most ${size(limits.gpuBufferBytes)} — lower ${largestBuffer.grownBy.replace(/, (?=[^,]*$)/, ' or ')}.`,
    };
  }
  if (cost.gpuBytes > limits.gpuBytes) {
    return {
      refuse: `This study's largest population (${population}) needs ${size(cost.gpuBytes)} of GPU memory; the lab allows ${size(limits.gpuBytes)} — lower trials at once, batch size, hidden units or hidden layers.`,
    };
  }
  if (cost.cpuBytes > limits.cpuBytes) {
    return {
      refuse: `This study's largest population (${population}) needs ${size(cost.cpuBytes)} of memory on the CPU engine (the fallback when the GPU is lost); the lab allows ${size(limits.cpuBytes)} — lower trials at once, batch size, hidden units or hidden layers, or report less often.`,
    };
  }
  if (cost.seconds !== undefined && cost.seconds > limits.confirmAboveSeconds) {
    return {
      confirm: `This study is about ${duration(cost.seconds)} of training on a laptop GPU (${cost.trials} trials of up to ${work(cost.flopsPerTrial)} each); run anyway?`,
    };
  }
  return {};
}
