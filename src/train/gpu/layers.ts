// The WGSL side of every layer kind (the table src/train/layers.ts describes): the buffers
// a layer keeps per population and the dispatches of its forward pass, its weight gradient,
// its input gradient and its init, all batched over the P models. Protocol between layers:
// a layer's `delta` holds the gradient at its z (through its activation already); whoever
// writes it (the loss, or the next layer's input gradient) applies that layer's
// `deltaEpilogue`, so an activation derivative rides on the product that feeds it.

import { dropoutScale, dropoutThreshold } from '../cpu/dropout.ts';
import type { BlockShape, LayerKindName, LayerOf, LayerSpec, PlacedLayer } from '../layers.ts';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, block, dimsSize } from '../layers.ts';
import { ACTIVATIONS } from '../types.ts';
import type { Dispatch, KernelEntry, MatmulEpilogue, MatmulKind } from './kernels.ts';
import {
  KERNELS,
  keepsPreActivation,
  matmulBuffers,
  matmulInvocations,
  matmulKernel,
  reductionInvocations,
  specialise,
} from './kernels.ts';
import type { MATMUL_PARAMS, StructValues } from './structs.ts';
import {
  packBatchNormParams,
  packConvParams,
  packDropoutParams,
  packInitParams,
  packMatmulParams,
  packPoolParams,
} from './structs.ts';

/** Element (model, i) of an operand lies at offset + model × modelStride + i (modelStride 0 shares it). */
export interface Operand {
  buffer: GPUBuffer;
  offset: number;
  modelStride: number;
  /**
   * Set when the operand is the training set read in place (a dense first layer's training
   * input; offset and modelStride 0): row r of model m's batch is its row ctx.batchRows[m ×
   * batchSize + r] (GATHER in matmul_common.wgsl).
   */
  gather?: boolean;
}

/** What the population lends every layer. */
export interface GpuLayerContext {
  /** Models in the population. */
  models: number;
  /** Rows the activation buffers hold per model (the batch, or a validation chunk). */
  rowCapacity: number;
  /** Training rows per step. */
  batchSize: number;
  /** Floats from one model's parameters (and gradients) to the next's. */
  modelStride: number;
  xavier: boolean;
  parameters: GPUBuffer;
  gradients: GPUBuffer;
  hypers: GPUBuffer;
  /** The models' training states (ModelState: whether each is frozen). */
  states: GPUBuffer;
  /** The models' running statistics (batch norm's), `statisticsStride` floats apart; no optimizer touches them. */
  statistics: GPUBuffer;
  statisticsStride: number;
  /** The step slots (the uniform each step's dispatches read their step index from). */
  steps: GPUBuffer;
  /** The training row at each slot of each model's batch this step (P × batchSize u32, batch_gather's). */
  batchRows: GPUBuffer;
  /** A zeroed storage buffer of `count` floats, destroyed with the population. */
  floats(label: string, count: number): GPUBuffer;
  /** A dispatch of `entry` with its uniform `params` first, then `buffers`. */
  dispatch(entry: KernelEntry, params: ArrayBuffer, buffers: GPUBuffer[], invocations: number): Dispatch;
}

export interface GpuLayer {
  readonly layer: PlacedLayer;
  /** Its output rows (model stride rowCapacity × output size): the next layer's input. */
  readonly output: GPUBuffer;
  /** The gradient at its z, laid out like its output. */
  readonly delta: GPUBuffer;
  /** How a product writing `delta` finishes: this layer's activation derivative and mask, from what its forward kept. */
  readonly deltaEpilogue: { epilogue?: MatmulEpilogue; kept: GPUBuffer };
  /** The forward pass of `rows` rows of `input`: a training step's (dropout drops) or an evaluation's. */
  forward(rows: number, input: Operand, training: boolean): Dispatch[];
  /** Its parameter gradients from `delta` and the batch's `input`. */
  weightGradient(input: Operand): Dispatch[];
  /** The gradient at its input, written into `previous.delta` through `previous.deltaEpilogue`. */
  inputGradient(previous: GpuLayer): Dispatch[];
  /** Its parameters' initial values (the parameter buffer starts zeroed). */
  init(previous: GpuLayer | undefined): Dispatch[];
  /** Whether the model's width masks its output (the kernels read the model's hiddenUnits). */
  readonly masked: boolean;
}

export interface GpuLayerKind<S extends LayerSpec> {
  /** Its buffers and dispatches; `previous` is the layer before it (absent for the first). */
  build(ctx: GpuLayerContext, layer: PlacedLayer, spec: S, previous: GpuLayer | undefined): GpuLayer;
}

interface InitMask {
  rows: boolean;
  cols: boolean;
  fanOutPerCol: number;
}

/**
 * parameters_init over one block of a layer (its 'normal' or 'ones' block `name`, of the
 * parameters or of the running statistics): the rows (columns) a model uses are its hidden
 * units when masked, else all; fan_out counts fanOutPerCol per column.
 */
function initBlock(ctx: GpuLayerContext, layer: PlacedLayer, name: BlockShape['name'], mask: InitMask): Dispatch {
  const placed = block(layer, name);
  const statistics = layer.statistics.includes(placed);
  return ctx.dispatch(
    KERNELS.parametersInit,
    packInitParams({
      models: ctx.models,
      model_stride: statistics ? ctx.statisticsStride : ctx.modelStride,
      offset: placed.offset,
      rows: placed.rows,
      cols: placed.cols,
      layer: layer.index,
      rows_masked: mask.rows ? 1 : 0,
      cols_masked: mask.cols ? 1 : 0,
      fan_out_per_col: mask.fanOutPerCol,
      xavier: ctx.xavier ? 1 : 0,
      ones: placed.init === 'ones' ? 1 : 0,
    }),
    [ctx.hypers, statistics ? ctx.statistics : ctx.parameters],
    ctx.models * placed.rows * placed.cols,
  );
}

/** parameters_init over a layer's weight block. */
function initWeights(ctx: GpuLayerContext, layer: PlacedLayer, mask: InitMask): Dispatch {
  return initBlock(ctx, layer, 'weights', mask);
}

/** EPILOGUE of a dense layer's products: a hidden layer masks and applies its activation, the output layer only adds its bias. */
function denseEpilogue(spec: LayerOf<'dense'>): MatmulEpilogue {
  return { layer: spec.role, activation: ACTIVATIONS.indexOf(spec.activation) };
}

const dense: GpuLayerKind<LayerOf<'dense'>> = {
  build(ctx, layer, spec) {
    const { models: P, rowCapacity: R, batchSize: B, modelStride: stride, parameters, gradients, hypers } = ctx;
    const K = dimsSize(layer.input);
    const N = spec.units;
    const l = layer.index;
    const weights = block(layer, 'weights');
    const bias = block(layer, 'bias').offset;
    const epilogue = denseEpilogue(spec);
    const z = ctx.floats(`z${l}`, P * R * N);
    const a = ctx.floats(`a${l}`, P * R * N);
    const delta = ctx.floats(`delta${l}`, P * R * N);
    const hidden = spec.role === 'hidden';
    /** One product with output [rows×cols] per model; a, b, c then the epilogue's and GATHER's buffers. */
    const matmul = (
      kind: MatmulKind,
      params: StructValues<typeof MATMUL_PARAMS>,
      productEpilogue: MatmulEpilogue | undefined,
      rows: number,
      cols: number,
      [first, second, out, ...extra]: GPUBuffer[],
      gather = false,
    ): Dispatch =>
      ctx.dispatch(
        matmulKernel(kind, params, productEpilogue, gather),
        packMatmulParams(params),
        matmulBuffers(first, second, out, ...extra),
        matmulInvocations(P, rows, cols),
      );
    const self: GpuLayer = {
      layer,
      // A hidden layer's forward stores a = act(z); the output layer's stores z, the logits or predictions.
      output: hidden ? a : z,
      delta,
      deltaEpilogue: { epilogue, kept: keepsPreActivation(spec.activation) ? z : a },
      masked: hidden,
      forward: (rows, input) => [
        matmul(
          'forward',
          {
            models: P,
            m: rows,
            k: K,
            n: N,
            a_offset: input.offset,
            a_model_stride: input.modelStride,
            b_offset: weights.offset,
            b_model_stride: stride,
            c_offset: 0,
            c_model_stride: R * N,
            bias_offset: bias,
          },
          epilogue,
          rows,
          N,
          [input.buffer, parameters, z, hypers, a, ctx.batchRows],
          input.gather,
        ),
      ],
      weightGradient: (input) => [
        matmul(
          'backwardWeight',
          {
            models: P,
            m: B,
            k: K,
            n: N,
            a_offset: input.offset,
            a_model_stride: input.modelStride,
            b_offset: 0,
            b_model_stride: R * N,
            c_offset: weights.offset,
            c_model_stride: stride,
            bias_offset: bias,
          },
          epilogue,
          K,
          N,
          [input.buffer, delta, gradients, ctx.batchRows],
          input.gather,
        ),
      ],
      inputGradient: (previous) => [
        matmul(
          'backwardInput',
          {
            models: P,
            m: B,
            k: K,
            n: N,
            a_offset: 0,
            a_model_stride: R * N,
            b_offset: weights.offset,
            b_model_stride: stride,
            c_offset: 0,
            c_model_stride: R * K,
            // The bias of the layer whose activation the epilogue differentiates (matmul_common.wgsl reads it only in forward).
            bias_offset: previous.layer.blocks.find((b) => b.name === 'bias')?.offset ?? 0,
          },
          previous.deltaEpilogue.epilogue,
          B,
          K,
          [delta, parameters, previous.delta, hypers, previous.deltaEpilogue.kept],
        ),
      ],
      init: (previous) => [initWeights(ctx, layer, { rows: previous?.masked ?? false, cols: hidden, fanOutPerCol: 1 })],
    };
    return self;
  },
};

/**
 * The EPILOGUE and ACTIVATION constants of an image kernel that writes `target`'s delta: its
 * activation derivative, unmasked (an image layer never follows a masked dense layer).
 */
function derivativeConstants(target: GpuLayer): Record<string, number> {
  const { epilogue } = target.deltaEpilogue;
  if (epilogue?.layer === 'hidden')
    throw new Error(`an image layer cannot follow a masked dense layer (layer ${target.layer.index})`);
  return epilogue ? { EPILOGUE: 1, ACTIVATION: epilogue.activation } : {};
}

/** The layer's input as an operand of `rows` capacity per model (the previous layer's output). */
function previousOutput(ctx: GpuLayerContext, previous: GpuLayer): Operand {
  return { buffer: previous.output, offset: 0, modelStride: ctx.rowCapacity * dimsSize(previous.layer.output) };
}

const conv2d: GpuLayerKind<LayerOf<'conv2d'>> = {
  build(ctx, layer, spec) {
    const { models: P, rowCapacity: R, batchSize: B, modelStride: stride, parameters, gradients } = ctx;
    const { channels, height, width } = layer.input;
    const size = dimsSize(layer.output);
    const weights = block(layer, 'weights');
    const z = ctx.floats(`z${layer.index}`, P * R * size);
    const a = ctx.floats(`a${layer.index}`, P * R * size);
    const delta = ctx.floats(`delta${layer.index}`, P * R * size);
    const activation = ACTIVATIONS.indexOf(spec.activation);
    const params = (rows: number, x: Operand, y: number) =>
      packConvParams({
        models: P,
        rows,
        channels,
        height,
        width,
        filters: spec.filters,
        kernel: spec.kernel,
        x_offset: x.offset,
        x_model_stride: x.modelStride,
        y_model_stride: y,
        param_model_stride: stride,
        weight_offset: weights.offset,
        bias_offset: block(layer, 'bias').offset,
      });
    return {
      layer,
      output: a,
      delta,
      // Unmasked: products writing delta multiply by act'(z) on every column ('output' masks nothing).
      deltaEpilogue: { epilogue: { layer: 'output', activation }, kept: keepsPreActivation(spec.activation) ? z : a },
      masked: false,
      forward: (rows, input) => [
        ctx.dispatch(
          specialise(KERNELS.conv2dForward, { ACTIVATION: activation }),
          params(rows, input, R * size),
          [input.buffer, parameters, z, a],
          P * rows * size,
        ),
      ],
      weightGradient: (input) => [
        ctx.dispatch(
          KERNELS.conv2dBackwardWeight,
          params(B, input, R * size),
          [input.buffer, delta, gradients],
          P * (weights.rows + 1) * weights.cols,
        ),
      ],
      inputGradient: (previous) => [
        ctx.dispatch(
          specialise(KERNELS.conv2dBackwardInput, derivativeConstants(previous)),
          params(B, { buffer: previous.delta, offset: 0, modelStride: R * dimsSize(layer.input) }, R * size),
          [delta, parameters, previous.delta, previous.deltaEpilogue.kept],
          P * B * dimsSize(layer.input),
        ),
      ],
      init: () => [initWeights(ctx, layer, { rows: false, cols: false, fanOutPerCol: spec.kernel * spec.kernel })],
    };
  },
};

/** MODE in pool_common.wgsl. */
const POOL_MODES = { max: 0, avg: 1 } as const;

const pool2d: GpuLayerKind<LayerOf<'pool2d'>> = {
  build(ctx, layer, spec) {
    const { models: P, rowCapacity: R, batchSize: B } = ctx;
    const { channels, height, width } = layer.input;
    const size = dimsSize(layer.output);
    const output = ctx.floats(`a${layer.index}`, P * R * size);
    const delta = ctx.floats(`delta${layer.index}`, P * R * size);
    const params = (rows: number, x: Operand) =>
      packPoolParams({
        models: P,
        rows,
        channels,
        height,
        width,
        x_offset: x.offset,
        x_model_stride: x.modelStride,
        y_model_stride: R * size,
      });
    const mode = { MODE: POOL_MODES[spec.mode] };
    return {
      layer,
      output,
      delta,
      // No activation: whatever writes delta stores the plain gradient.
      deltaEpilogue: { kept: output },
      masked: false,
      forward: (rows, input) => [
        ctx.dispatch(
          specialise(KERNELS.pool2dForward, mode),
          params(rows, input),
          [input.buffer, output],
          P * rows * size,
        ),
      ],
      weightGradient: () => [],
      inputGradient: (previous) => [
        ctx.dispatch(
          specialise(KERNELS.pool2dBackward, { ...mode, ...derivativeConstants(previous) }),
          params(B, previousOutput(ctx, previous)),
          [previous.output, delta, previous.delta, previous.deltaEpilogue.kept],
          P * B * dimsSize(layer.input),
        ),
      ],
      init: () => [],
    };
  },
};

/** Flattening moves nothing: it shares the previous layer's buffers (a row's image is already its feature vector). */
const flatten: GpuLayerKind<LayerOf<'flatten'>> = {
  build(_ctx, layer, _spec, previous) {
    if (!previous) throw new Error('flatten needs an image layer before it');
    return {
      ...previous,
      layer,
      forward: () => [],
      weightGradient: () => [],
      inputGradient: () => [],
      init: () => [],
    };
  },
};

const dropout: GpuLayerKind<LayerOf<'dropout'>> = {
  build(ctx, layer, spec, previous) {
    const { models: P, rowCapacity: R, batchSize: B } = ctx;
    const size = dimsSize(layer.output);
    const output = ctx.floats(`a${layer.index}`, P * R * size);
    const delta = ctx.floats(`delta${layer.index}`, P * R * size);
    const params = (rows: number, x: Operand, training: boolean) =>
      packDropoutParams({
        models: P,
        rows,
        size,
        layer: layer.index,
        threshold: dropoutThreshold(spec.rate),
        scale: dropoutScale(spec.rate),
        training: training ? 1 : 0,
        x_offset: x.offset,
        x_model_stride: x.modelStride,
        y_model_stride: R * size,
      });
    return {
      layer,
      output,
      delta,
      deltaEpilogue: { kept: output },
      // Dropping keeps a masked layer's padding at zero, so what follows sees the same mask.
      masked: previous?.masked ?? false,
      forward: (rows, input, training) => [
        ctx.dispatch(
          KERNELS.dropoutForward,
          params(rows, input, training),
          [ctx.steps, ctx.hypers, input.buffer, output],
          P * rows * size,
        ),
      ],
      weightGradient: () => [],
      inputGradient: (target) => {
        const { epilogue } = target.deltaEpilogue;
        const constants: Record<string, number> = epilogue
          ? { EPILOGUE: 1, ACTIVATION: epilogue.activation, MASKED: epilogue.layer === 'hidden' ? 1 : 0 }
          : {};
        return [
          ctx.dispatch(
            specialise(KERNELS.dropoutBackward, constants),
            params(B, { buffer: target.delta, offset: 0, modelStride: R * size }, true),
            [ctx.steps, ctx.hypers, delta, target.delta, target.deltaEpilogue.kept],
            P * B * size,
          ),
        ];
      },
      init: () => [],
    };
  },
};

/**
 * Training: batchnorm_statistics (the batch's mean and variance into `batch`, moving the
 * running statistics), then batchnorm_forward by them; evaluation: batchnorm_forward by the
 * running statistics. Backward: dγ and dβ, then the input gradient, which reads them.
 */
const batchnorm: GpuLayerKind<LayerOf<'batchnorm'>> = {
  build(ctx, layer, spec, previous) {
    const { models: P, rowCapacity: R, batchSize: B, modelStride: stride, parameters, gradients, hypers } = ctx;
    const { channels, height, width } = layer.input;
    const size = dimsSize(layer.output);
    const l = layer.index;
    const z = ctx.floats(`z${l}`, P * R * size);
    const a = ctx.floats(`a${l}`, P * R * size);
    const delta = ctx.floats(`delta${l}`, P * R * size);
    const batch = ctx.floats(`batch statistics ${l}`, P * 2 * channels);
    // After a masked dense layer its channels are that layer's units, masked the same way.
    const masked = previous?.masked ?? false;
    const activation = ACTIVATIONS.indexOf(spec.activation);
    const params = (rows: number, x: Operand, training: boolean) =>
      packBatchNormParams({
        models: P,
        rows,
        channels,
        plane: height * width,
        masked: masked ? 1 : 0,
        training: training ? 1 : 0,
        epsilon: BATCH_NORM_EPSILON,
        momentum: BATCH_NORM_MOMENTUM,
        x_offset: x.offset,
        x_model_stride: x.modelStride,
        y_model_stride: R * size,
        param_model_stride: stride,
        scale_offset: block(layer, 'scale').offset,
        shift_offset: block(layer, 'shift').offset,
        statistics_model_stride: ctx.statisticsStride,
        mean_offset: block(layer, 'runningMean').offset,
        variance_offset: block(layer, 'runningVariance').offset,
      });
    const perChannel = (what: BlockShape['name']) =>
      initBlock(ctx, layer, what, { rows: false, cols: masked, fanOutPerCol: 1 });
    return {
      layer,
      output: a,
      delta,
      deltaEpilogue: {
        epilogue: { layer: masked ? 'hidden' : 'output', activation },
        kept: keepsPreActivation(spec.activation) ? z : a,
      },
      masked,
      forward: (rows, input, training) => [
        ...(training
          ? [
              ctx.dispatch(
                KERNELS.batchNormStatistics,
                params(rows, input, true),
                [hypers, ctx.states, input.buffer, batch, ctx.statistics],
                reductionInvocations(KERNELS.batchNormStatistics, P, channels),
              ),
            ]
          : []),
        ctx.dispatch(
          specialise(KERNELS.batchNormForward, { ACTIVATION: activation }),
          params(rows, input, training),
          [hypers, input.buffer, parameters, batch, ctx.statistics, z, a],
          P * rows * size,
        ),
      ],
      weightGradient: (input) => [
        ctx.dispatch(
          KERNELS.batchNormBackwardParameters,
          params(B, input, true),
          [hypers, input.buffer, delta, batch, gradients],
          reductionInvocations(KERNELS.batchNormBackwardParameters, P, channels),
        ),
      ],
      inputGradient: (target) => {
        const { epilogue } = target.deltaEpilogue;
        const constants: Record<string, number> = epilogue
          ? { EPILOGUE: 1, ACTIVATION: epilogue.activation, MASKED: epilogue.layer === 'hidden' ? 1 : 0 }
          : {};
        return [
          ctx.dispatch(
            specialise(KERNELS.batchNormBackwardInput, constants),
            params(B, previousOutput(ctx, target), true),
            [hypers, target.output, delta, batch, parameters, gradients, target.delta, target.deltaEpilogue.kept],
            P * B * size,
          ),
        ];
      },
      init: () => [perChannel('scale'), perChannel('runningVariance')],
    };
  },
};

export const GPU_LAYERS: { readonly [K in LayerKindName]: GpuLayerKind<LayerOf<K>> } = {
  dense,
  conv2d,
  pool2d,
  flatten,
  dropout,
  batchnorm,
};

export function buildGpuLayer(ctx: GpuLayerContext, layer: PlacedLayer, previous: GpuLayer | undefined): GpuLayer {
  return (GPU_LAYERS[layer.spec.kind] as GpuLayerKind<LayerSpec>).build(ctx, layer, layer.spec, previous);
}
