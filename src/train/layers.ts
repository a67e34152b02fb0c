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

export type LayerSpec = DenseLayer;
export type LayerKindName = LayerSpec['kind'];
export type LayerOf<K extends LayerKindName> = Extract<LayerSpec, { kind: K }>;

/**
 * A parameter block as a [rows × cols] row-major matrix. 'normal' blocks are drawn
 * normal(initSeed, layer, i, j) · scale inside the model's own rows × cols (see `fans`);
 * 'zeros' blocks start at 0.
 */
export interface BlockShape {
  name: 'weights' | 'bias';
  rows: number;
  cols: number;
  init: 'normal' | 'zeros';
}

/** The per-model widths that mask a bucket's padded layers (today: the hidden layers' units). */
export type ModelWidths = Pick<ModelHyper, 'hiddenUnits'>;

/** What one kind declares. `used` counts are prefixes of a row's tensor: the floats a model uses. */
export interface LayerKind<S extends LayerSpec> {
  /** The tensor one row has after this layer. */
  output(spec: S, input: Dims): Dims;
  /** Its parameter blocks, in layout order. */
  blocks(spec: S, input: Dims): BlockShape[];
  /** Floats of its output a model uses, given the floats of its input that model uses. */
  usedOutput(spec: S, input: Dims, usedInput: number, widths: ModelWidths): number;
  /** Whether the model's own width masks the output (the GPU kernels read it from the model's hiddenUnits). */
  masked(spec: S): boolean;
  /** The activation applied to the output ('linear': none). */
  activation(spec: S): Activation;
  /** The extent of a 'normal' block a model uses, and its fans for He / Xavier scaling (PyTorch's fan_in, fan_out). */
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
  usedOutput: (spec, _input, _usedInput, widths) => (spec.role === 'hidden' ? widths.hiddenUnits : spec.units),
  masked: (spec) => spec.role === 'hidden',
  activation: (spec) => spec.activation,
  fans: (_spec, _input, usedInput, usedOutput) => ({
    rows: usedInput,
    cols: usedOutput,
    fanIn: usedInput,
    fanOut: usedOutput,
  }),
};

export const LAYER_KINDS: { readonly [K in LayerKindName]: LayerKind<LayerOf<K>> } = { dense };

/** The kind's entry for `spec` (one cast here instead of one per caller). */
export function layerKind<S extends LayerSpec>(spec: S): LayerKind<S> {
  return LAYER_KINDS[spec.kind] as unknown as LayerKind<S>;
}

/** The layer list of a population's shape: hiddenLayers hidden dense layers of maxHidden units, then the linear output layer. */
export function modelLayers(shape: PopulationShape): LayerSpec[] {
  return [
    ...Array.from(
      { length: shape.hiddenLayers },
      (): LayerSpec => ({
        kind: 'dense',
        units: shape.maxHidden,
        activation: shape.activation,
        role: 'hidden',
      }),
    ),
    { kind: 'dense', units: shape.outputs, activation: 'linear', role: 'output' },
  ];
}

/** A parameter block placed in the flat per-model parameter array. */
export interface PlacedBlock extends BlockShape {
  offset: number;
}

/** One layer of a model, placed: its spec, its input and output tensors and its parameter blocks. */
export interface PlacedLayer {
  spec: LayerSpec;
  index: number;
  input: Dims;
  output: Dims;
  blocks: PlacedBlock[];
}

/**
 * Every layer of the shape with its tensors and its parameters' offsets: per model, the
 * parameters are one flat array, layer after layer, each layer's blocks in its kind's order.
 */
export function modelLayout(shape: PopulationShape): PlacedLayer[] {
  let input: Dims = { channels: shape.inputs, height: 1, width: 1 };
  let offset = 0;
  return modelLayers(shape).map((spec, index) => {
    const kind = layerKind(spec);
    const blocks = kind.blocks(spec, input).map((block) => {
      const placed = { ...block, offset };
      offset += block.rows * block.cols;
      return placed;
    });
    const layer = { spec, index, input, output: kind.output(spec, input), blocks };
    input = layer.output;
    return layer;
  });
}

/** Floats of every layer's output that the model uses (a prefix of each row's tensor). */
export function usedOutputs(layout: readonly PlacedLayer[], widths: ModelWidths): number[] {
  let used = dimsSize(layout[0].input);
  return layout.map(({ spec, input }) => (used = layerKind(spec).usedOutput(spec, input, used, widths)));
}

/** The block named `name` of a placed layer. */
export function block(layer: PlacedLayer, name: BlockShape['name']): PlacedBlock {
  const found = layer.blocks.find((b) => b.name === name);
  if (!found) throw new Error(`a ${layer.spec.kind} layer has no ${name} block`);
  return found;
}

/** The standard deviation of a 'normal' block: He sqrt(2 / fanIn), Xavier sqrt(2 / (fanIn + fanOut)). */
export function initScale(init: InitKind, fanIn: number, fanOut: number): number {
  return Math.sqrt(init === 'he' ? 2 / fanIn : 2 / (fanIn + fanOut));
}
