// The table of layer kinds: what each kind's tensors and parameters look like, and how its
// weights start. A model is a list of layers; the engines loop over it and look each kind
// up in their own table (cpu/layers.ts for the reference math, gpu/layers.ts for the WGSL
// dispatches), both typed as complete over LayerKindName, so a kind missing from either
// does not compile. Widths inside a population bucket are padded: a masked layer has its
// bucket's widest width in memory and each model uses only a prefix of it (its own units),
// the rest stay exactly zero, so padding never changes a model's math.

import type { Activation, InitKind, ModelHyper, PopulationShape } from './types.ts';

/** One row's tensor: channels × height × width floats, channel-major (PyTorch's C, H, W); a dense layer's is units × 1 × 1. */
export interface Dims {
  channels: number;
  height: number;
  width: number;
}

export function dimsSize(dims: Dims): number {
  return dims.channels * dims.height * dims.width;
}

/**
 * A fully connected layer: z = x·W + b, a = act(z). A hidden layer's units are masked
 * (the model uses its hiddenUnits of them); the output layer is linear and unmasked.
 */
export interface DenseLayer {
  kind: 'dense';
  units: number;
  activation: Activation;
  role: 'hidden' | 'output';
}

/** A 2-D convolution, stride 1, same padding (PyTorch's Conv2d(C, filters, kernel, padding=kernel // 2)), then its activation. */
export interface Conv2dLayer {
  kind: 'conv2d';
  filters: number;
  kernel: 3 | 5;
  activation: Activation;
}

/** 2×2 pooling with stride 2 (MaxPool2d(2) / AvgPool2d(2)): an odd last row or column is dropped. */
export interface Pool2dLayer {
  kind: 'pool2d';
  mode: PoolMode;
}

/** Images to feature vectors (PyTorch's Flatten, channel-major): the same floats, so it costs nothing. */
export interface FlattenLayer {
  kind: 'flatten';
}

/** Inverted dropout (PyTorch's nn.Dropout(rate)): in training each element is zeroed with probability rate, the rest scaled by 1/(1-rate); off at validation. */
export interface DropoutLayer {
  kind: 'dropout';
  rate: number;
}

/**
 * Batch normalization, then its activation (PyTorch's nn.BatchNorm1d after a dense layer,
 * nn.BatchNorm2d after a convolution, eps BATCH_NORM_EPSILON, momentum BATCH_NORM_MOMENTUM):
 * per channel over the batch (and H, W). Training normalises with the batch's mean and biased
 * variance and moves the running statistics (the variance's by the unbiased batch variance);
 * evaluation normalises with the running statistics. Learnable scale γ (1) and shift β (0).
 */
export interface BatchNormLayer {
  kind: 'batchnorm';
  activation: Activation;
}

export const BATCH_NORM_EPSILON = 1e-5;
export const BATCH_NORM_MOMENTUM = 0.1;

export type PoolMode = 'max' | 'avg';
export type LayerSpec = DenseLayer | Conv2dLayer | Pool2dLayer | FlattenLayer | DropoutLayer | BatchNormLayer;
/**
 * The layers a shape lists before its output layer (always dense, linear and unmasked): a
 * hidden dense layer names only its activation, its width is the shape's maxHidden (masked
 * by each model's hiddenUnits).
 */
export type HiddenLayerSpec = Exclude<LayerSpec, DenseLayer> | { kind: 'dense'; activation: Activation };
export type LayerKindName = LayerSpec['kind'];
export type LayerOf<K extends LayerKindName> = Extract<LayerSpec, { kind: K }>;

/**
 * A parameter (or running statistics) block as a [rows × cols] row-major matrix. 'normal'
 * blocks are drawn normal(initSeed, layer, i, j) · scale inside the model's own rows × cols
 * (see `fans`); 'ones' blocks are 1 there; the rest of every block, and 'zeros' blocks, start at 0.
 */
export interface BlockShape {
  name: 'weights' | 'bias' | 'scale' | 'shift' | 'runningMean' | 'runningVariance';
  rows: number;
  cols: number;
  init: 'normal' | 'zeros' | 'ones';
}

/** The per-model widths that mask a bucket's padded layers (today: the hidden layers' units). */
export type ModelWidths = Pick<ModelHyper, 'hiddenUnits'>;

/** What one kind declares. `used` counts are prefixes of a row's tensor: the floats a model uses. */
export interface LayerKind<S extends LayerSpec> {
  /** The tensor one row has after this layer. */
  output(spec: S, input: Dims): Dims;
  /** Its parameter blocks, in layout order. */
  blocks(spec: S, input: Dims): BlockShape[];
  /**
   * Its running statistics: per-model state that is no parameter (the optimizer never
   * touches it), moved by training forward passes and read when evaluating.
   */
  statistics(spec: S, input: Dims): BlockShape[];
  /** Floats of its output a model uses, given the floats of its input that model uses. */
  usedOutput(spec: S, input: Dims, usedInput: number, widths: ModelWidths): number;
  /** The activation applied to the output ('linear': none). */
  activation(spec: S): Activation;
  /** The extent of a 'normal' or 'ones' block a model uses, and its fans for He / Xavier scaling (PyTorch's fan_in, fan_out). */
  fans(
    spec: S,
    input: Dims,
    usedInput: number,
    usedOutput: number,
  ): { rows: number; cols: number; fanIn: number; fanOut: number };
}

const dense: LayerKind<DenseLayer> = {
  output: (spec) => ({ channels: spec.units, height: 1, width: 1 }),
  blocks: (spec, input) => [
    { name: 'weights', rows: dimsSize(input), cols: spec.units, init: 'normal' },
    { name: 'bias', rows: 1, cols: spec.units, init: 'zeros' },
  ],
  statistics: () => [],
  usedOutput: (spec, _input, _usedInput, widths) => (spec.role === 'hidden' ? widths.hiddenUnits : spec.units),
  activation: (spec) => spec.activation,
  fans: (_spec, _input, usedInput, usedOutput) => ({
    rows: usedInput,
    cols: usedOutput,
    fanIn: usedInput,
    fanOut: usedOutput,
  }),
};

/** A layer whose output is its input's tensor shape, unmasked or masked as its input. */
function sameShape<S extends LayerSpec>(
  output: (spec: S, input: Dims) => Dims,
): Pick<LayerKind<S>, 'output' | 'usedOutput'> {
  return {
    output,
    usedOutput: (spec, input, usedInput) => (usedInput * dimsSize(output(spec, input))) / dimsSize(input),
  };
}

const conv2d: LayerKind<Conv2dLayer> = {
  ...sameShape((spec, input) => ({ ...input, channels: spec.filters })),
  blocks: (spec, input) => [
    { name: 'weights', rows: input.channels * spec.kernel * spec.kernel, cols: spec.filters, init: 'normal' },
    { name: 'bias', rows: 1, cols: spec.filters, init: 'zeros' },
  ],
  statistics: () => [],
  activation: (spec) => spec.activation,
  // PyTorch's fans of a conv weight [F, C, k, k]: fan_in = C·k·k, fan_out = F·k·k.
  fans: (spec, input) => {
    const area = spec.kernel * spec.kernel;
    return {
      rows: input.channels * area,
      cols: spec.filters,
      fanIn: input.channels * area,
      fanOut: spec.filters * area,
    };
  },
};

const pool2d: LayerKind<Pool2dLayer> = {
  ...sameShape((_spec, input) => ({
    channels: input.channels,
    height: Math.floor(input.height / 2),
    width: Math.floor(input.width / 2),
  })),
  blocks: () => [],
  statistics: () => [],
  activation: () => 'linear',
  fans: () => ({ rows: 0, cols: 0, fanIn: 1, fanOut: 1 }),
};

const flatten: LayerKind<FlattenLayer> = {
  ...sameShape((_spec, input) => ({ channels: dimsSize(input), height: 1, width: 1 })),
  blocks: () => [],
  statistics: () => [],
  activation: () => 'linear',
  fans: () => ({ rows: 0, cols: 0, fanIn: 1, fanOut: 1 }),
};

const dropout: LayerKind<DropoutLayer> = {
  ...sameShape((_spec, input) => input),
  blocks: () => [],
  statistics: () => [],
  activation: () => 'linear',
  fans: () => ({ rows: 0, cols: 0, fanIn: 1, fanOut: 1 }),
};

/** One value per channel: [1 × channels]. */
const perChannel = (name: BlockShape['name'], input: Dims, init: BlockShape['init']): BlockShape => ({
  name,
  rows: 1,
  cols: input.channels,
  init,
});

const batchnorm: LayerKind<BatchNormLayer> = {
  ...sameShape((_spec, input) => input),
  blocks: (_spec, input) => [perChannel('scale', input, 'ones'), perChannel('shift', input, 'zeros')],
  statistics: (_spec, input) => [
    perChannel('runningMean', input, 'zeros'),
    perChannel('runningVariance', input, 'ones'),
  ],
  activation: (spec) => spec.activation,
  // The channels a model uses: a masked dense layer's units before it, else all of them.
  fans: (_spec, input, usedInput) => ({
    rows: 1,
    cols: usedInput / (input.height * input.width),
    fanIn: 1,
    fanOut: 1,
  }),
};

export const LAYER_KINDS: { readonly [K in LayerKindName]: LayerKind<LayerOf<K>> } = {
  dense,
  conv2d,
  pool2d,
  flatten,
  dropout,
  batchnorm,
};

/** The kind's entry for `spec` (one cast here instead of one per caller). */
export function layerKind<S extends LayerSpec>(spec: S): LayerKind<S> {
  return LAYER_KINDS[spec.kind] as unknown as LayerKind<S>;
}

/**
 * The layer list of a population's shape: its `layers` when it lists them, else
 * hiddenLayers hidden dense layers of maxHidden units; then the linear output layer.
 */
export function modelLayers(shape: PopulationShape): LayerSpec[] {
  const hidden: HiddenLayerSpec[] =
    shape.layers ?? Array.from({ length: shape.hiddenLayers }, () => ({ kind: 'dense', activation: shape.activation }));
  return [
    ...hidden.map(
      (spec): LayerSpec =>
        spec.kind === 'dense'
          ? { kind: 'dense', units: shape.maxHidden, activation: spec.activation, role: 'hidden' }
          : spec,
    ),
    { kind: 'dense', units: shape.outputs, activation: 'linear', role: 'output' },
  ];
}

/** One row's input tensor: the shape's image, or its inputs as a vector. */
export function inputDims(shape: PopulationShape): Dims {
  return shape.image ?? { channels: shape.inputs, height: 1, width: 1 };
}

/** A parameter block placed in the flat per-model parameter array. */
export interface PlacedBlock extends BlockShape {
  offset: number;
}

/** One layer of a model, placed: its spec, its input and output tensors, its parameter and running statistics blocks. */
export interface PlacedLayer {
  spec: LayerSpec;
  index: number;
  input: Dims;
  output: Dims;
  blocks: PlacedBlock[];
  statistics: PlacedBlock[];
}

/**
 * Every layer of the shape with its tensors and its blocks' offsets: per model, the
 * parameters are one flat array, layer after layer, each layer's blocks in its kind's order;
 * the running statistics are another such array.
 */
export function modelLayout(shape: PopulationShape): PlacedLayer[] {
  let input = inputDims(shape);
  const next = { blocks: 0, statistics: 0 };
  const place = (blocks: BlockShape[], array: keyof typeof next): PlacedBlock[] =>
    blocks.map((block) => {
      const placed = { ...block, offset: next[array] };
      next[array] += block.rows * block.cols;
      return placed;
    });
  return modelLayers(shape).map((spec, index) => {
    const kind = layerKind(spec);
    const layer = {
      spec,
      index,
      input,
      output: kind.output(spec, input),
      blocks: place(kind.blocks(spec, input), 'blocks'),
      statistics: place(kind.statistics(spec, input), 'statistics'),
    };
    input = layer.output;
    return layer;
  });
}

/** Floats of one model's running statistics (every layer's statistics blocks; 0 without batch norm). */
export function statisticsCount(shape: PopulationShape): number {
  return modelLayout(shape).reduce((n, layer) => n + layer.statistics.reduce((m, b) => m + b.rows * b.cols, 0), 0);
}

/** Floats of every layer's output that the model uses (a prefix of each row's tensor). */
export function usedOutputs(layout: readonly PlacedLayer[], widths: ModelWidths): number[] {
  let used = dimsSize(layout[0].input);
  return layout.map(({ spec, input }) => (used = layerKind(spec).usedOutput(spec, input, used, widths)));
}

/** The parameter (or running statistics) block named `name` of a placed layer. */
export function block(layer: PlacedLayer, name: BlockShape['name']): PlacedBlock {
  const found = [...layer.blocks, ...layer.statistics].find((b) => b.name === name);
  if (!found) throw new Error(`a ${layer.spec.kind} layer has no ${name} block`);
  return found;
}

/** The standard deviation of a 'normal' block: He sqrt(2 / fanIn), Xavier sqrt(2 / (fanIn + fanOut)). */
export function initScale(init: InitKind, fanIn: number, fanOut: number): number {
  return Math.sqrt(init === 'he' ? 2 / fanIn : 2 / (fanIn + fanOut));
}

/** Most filters of a conv2d layer. */
export const MAX_FILTERS = 64;

/**
 * What is wrong with a shape's layer list, in the words a user can act on, or undefined:
 * image layers (conv2d, pool2d, flatten) need an image before them, dense layers a vector,
 * and the list must end in a vector for the output layer.
 */
export function layerListProblem(shape: PopulationShape): string | undefined {
  const { image } = shape;
  if (image) {
    for (const field of ['channels', 'height', 'width'] as const)
      if (!Number.isInteger(image[field]) || image[field] < 1)
        return `shape.image.${field} must be an integer >= 1, got ${image[field]}`;
    if (dimsSize(image) !== shape.inputs)
      return `shape.image is ${image.channels}×${image.height}×${image.width} = ${dimsSize(image)} values but the data has ${shape.inputs} inputs: give the image size of the data's rows`;
  }
  if (!shape.layers) return undefined;
  let isImage = image !== undefined;
  let dims = inputDims(shape);
  for (const [index, spec] of modelLayers(shape).slice(0, -1).entries()) {
    const at = `shape.layers[${index}] (${spec.kind})`;
    switch (spec.kind) {
      case 'conv2d':
        if (!isImage)
          return `${at} needs an image before it: set shape.image, and put convolutions before flatten and dense layers`;
        if (!Number.isInteger(spec.filters) || spec.filters < 1 || spec.filters > MAX_FILTERS)
          return `${at}: filters must be an integer in 1..${MAX_FILTERS}, got ${spec.filters}`;
        if (spec.kernel !== 3 && spec.kernel !== 5) return `${at}: kernel must be 3 or 5, got ${spec.kernel}`;
        break;
      case 'pool2d':
        if (!isImage)
          return `${at} needs an image before it: set shape.image, and pool before flatten and dense layers`;
        if (dims.height < 2 || dims.width < 2)
          return `${at} gets a ${dims.height}×${dims.width} image, too small for a 2×2 window: use fewer pooling layers or a larger image`;
        if (spec.mode !== 'max' && spec.mode !== 'avg') return `${at}: mode must be max or avg, got '${spec.mode}'`;
        break;
      case 'flatten':
        if (!isImage) return `${at} needs an image before it: flatten only after convolutions or pooling`;
        isImage = false;
        break;
      case 'dense':
        if (isImage) return `${at} gets an image: put a flatten layer before the first dense layer`;
        break;
      case 'dropout':
        if (!(spec.rate >= 0 && spec.rate < 1)) return `${at}: rate must lie in [0, 1), got ${spec.rate}`;
        break;
      case 'batchnorm':
        // PyTorch refuses this too: one value per channel has no variance to normalise by.
        if (shape.batchSize * dims.height * dims.width < 2)
          return `${at} needs more than one value per channel in a training batch: use a batch size of at least 2`;
        break;
    }
    dims = layerKind(spec).output(spec, dims);
  }
  if (isImage) return 'the layer list ends with an image: add a flatten layer before the output layer';
  return undefined;
}
