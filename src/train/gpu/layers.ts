// The WGSL side of every layer kind (the table src/train/layers.ts describes): the buffers
// a layer keeps per population and the dispatches of its forward pass, its weight gradient,
// its input gradient and its init, all batched over the P models. Protocol between layers:
// a layer's `delta` holds the gradient at its z (through its activation already); whoever
// writes it (the loss, or the next layer's input gradient) applies that layer's
// `deltaEpilogue`, so an activation derivative rides on the product that feeds it.

import type { LayerKindName, LayerOf, LayerSpec, PlacedLayer } from '../layers.ts';
import { block, dimsSize } from '../layers.ts';
import { ACTIVATIONS } from '../types.ts';
import type { Dispatch, KernelEntry, MatmulEpilogue, MatmulKind } from './kernels.ts';
import { KERNELS, keepsPreActivation, matmulBuffers, matmulInvocations, matmulKernel } from './kernels.ts';
import type { MATMUL_PARAMS, StructValues } from './structs.ts';
import { packInitParams, packMatmulParams } from './structs.ts';

/** Element (model, i) of an operand lies at offset + model × modelStride + i (modelStride 0 shares it). */
export interface Operand {
  buffer: GPUBuffer;
  offset: number;
  modelStride: number;
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
  /** The forward pass of `rows` rows of `input`. */
  forward(rows: number, input: Operand): Dispatch[];
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
  build(ctx: GpuLayerContext, layer: PlacedLayer, spec: S): GpuLayer;
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
    /** One product with output [rows×cols] per model; a, b, c then the epilogue's buffers. */
    const matmul = (
      kind: MatmulKind,
      params: StructValues<typeof MATMUL_PARAMS>,
      productEpilogue: MatmulEpilogue | undefined,
      rows: number,
      cols: number,
      [first, second, out, ...extra]: GPUBuffer[],
    ): Dispatch =>
      ctx.dispatch(
        matmulKernel(kind, params, productEpilogue),
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
          [input.buffer, parameters, z, hypers, a],
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
          [input.buffer, delta, gradients],
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
      init: (previous) => [
        ctx.dispatch(
          KERNELS.parametersInit,
          packInitParams({
            models: P,
            model_stride: stride,
            offset: weights.offset,
            rows: weights.rows,
            cols: weights.cols,
            layer: l,
            rows_masked: previous?.masked ? 1 : 0,
            rows_per_unit: 1,
            cols_masked: hidden ? 1 : 0,
            fan_out_per_col: 1,
            xavier: ctx.xavier ? 1 : 0,
          }),
          [hypers, parameters],
          P * weights.rows * weights.cols,
        ),
      ],
    };
    return self;
  },
};

export const GPU_LAYERS: { readonly [K in LayerKindName]: GpuLayerKind<LayerOf<K>> } = { dense };

export function buildGpuLayer(ctx: GpuLayerContext, layer: PlacedLayer): GpuLayer {
  return (GPU_LAYERS[layer.spec.kind] as GpuLayerKind<LayerSpec>).build(ctx, layer, layer.spec);
}
