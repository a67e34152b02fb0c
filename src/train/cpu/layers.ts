// The CPU reference of every layer kind (the table src/train/layers.ts describes), composed
// from ops.ts. A layer's forward writes z (before its activation) and a = act(z), zero
// beyond the floats the model uses (a layer without activation writes only a); its backward turns dz (the gradient at z) into its
// parameter gradients and, when asked, the gradient at its input. The network applies the
// previous layer's activation derivative, so a kind never needs to know its neighbours.

import type { LayerKindName, LayerOf, LayerSpec, PlacedLayer } from '../layers.ts';
import { dimsSize } from '../layers.ts';
import type { BatchNormGeometry } from './batchnorm.ts';
import { batchNormBackward, batchNormForward, batchNormStatistics, updateRunningStatistics } from './batchnorm.ts';
import type { ConvGeometry } from './convolution.ts';
import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  pool2dBackward,
  pool2dForward,
} from './convolution.ts';
import type { DropoutDraw } from './dropout.ts';
import { dropoutFactors } from './dropout.ts';
import type { Floats } from './ops.ts';
import {
  activate,
  biasActivationForward,
  biasGradient,
  matmulBackwardInput,
  matmulBackwardWeight,
  matmulForward,
} from './ops.ts';

export interface CpuForward<S extends LayerSpec> {
  spec: S;
  layer: PlacedLayer;
  /** The layer's parameter blocks, in its kind's order. */
  params: readonly Floats[];
  /** The layer's running statistics blocks, in its kind's order: a training forward moves them. */
  statistics: readonly Floats[];
  /** B rows of the layer's input. */
  x: Floats;
  B: number;
  z: Floats;
  a: Floats;
  /** Floats of each output row the model uses (the rest are stored as 0). */
  used: number;
  /** At least B × scratchPerRow floats the kind may overwrite. */
  scratch: Floats;
  /** In a training step, where dropout draws from; absent when evaluating. */
  training?: DropoutDraw;
}

/** A training step's model seed (its dataSeed) and 0-based step. */
export type TrainingStep = Omit<DropoutDraw, 'layer'>;

export interface CpuBackward<S extends LayerSpec> {
  spec: S;
  layer: PlacedLayer;
  params: readonly Floats[];
  x: Floats;
  B: number;
  /** Gradient of the loss at z (through this layer's activation already). */
  dz: Floats;
  /** What the forward stored as z. */
  z: Floats;
  /** Floats of each output row the model uses. */
  used: number;
  /** At least B × scratchPerRow floats the kind may overwrite. */
  scratch: Floats;
  /** Where the parameter gradients go, block by block (overwritten). */
  gradients: readonly Floats[];
  /** Where the gradient at the input goes (overwritten); absent for the first layer. */
  dx?: Floats;
}

export interface CpuLayerKind<S extends LayerSpec> {
  /** Floats per row of scratch its forward and backward need. */
  scratchPerRow(layer: PlacedLayer): number;
  forward(step: CpuForward<S>): void;
  backward(step: CpuBackward<S>): void;
}

const dense: CpuLayerKind<LayerOf<'dense'>> = {
  scratchPerRow: (layer) => dimsSize(layer.output),
  forward({ spec, layer, params: [weights, bias], x, B, z, a, used, scratch }) {
    const K = dimsSize(layer.input);
    matmulForward(x, weights, scratch, B, K, spec.units);
    biasActivationForward(scratch, bias, spec.activation, z, a, B, spec.units, used);
  },
  backward({ spec, layer, params: [weights], x, B, dz, gradients: [dWeights, dBias], dx }) {
    const K = dimsSize(layer.input);
    matmulBackwardWeight(x, dz, dWeights, B, K, spec.units);
    biasGradient(dz, dBias, B, spec.units);
    if (dx) matmulBackwardInput(dz, weights, dx, B, K, spec.units);
  },
};

/** The geometry of a conv2d layer over its input image. */
function geometry(spec: LayerOf<'conv2d'>, layer: PlacedLayer): ConvGeometry {
  const { channels, height, width } = layer.input;
  return { channels, height, width, filters: spec.filters, kernel: spec.kernel };
}

const conv2d: CpuLayerKind<LayerOf<'conv2d'>> = {
  scratchPerRow: (layer) => dimsSize(layer.output),
  forward({ spec, layer, params: [weights, bias], x, B, z, a, used, scratch }) {
    conv2dForward(x, weights, scratch, B, geometry(spec, layer));
    const plane = layer.input.height * layer.input.width;
    biasActivationForward(scratch, bias, spec.activation, z, a, B, dimsSize(layer.output), used, plane);
  },
  backward({ spec, layer, params: [weights], x, B, dz, gradients: [dWeights, dBias], dx }) {
    const g = geometry(spec, layer);
    conv2dBackwardWeight(x, dz, dWeights, B, g);
    biasGradient(dz, dBias, B, dimsSize(layer.output), g.height * g.width);
    if (dx) conv2dBackwardInput(dz, weights, dx, B, g);
  },
};

const pool2d: CpuLayerKind<LayerOf<'pool2d'>> = {
  scratchPerRow: () => 0,
  forward({ spec, layer, x, B, a }) {
    const { channels, height, width } = layer.input;
    pool2dForward(x, a, B, channels, height, width, spec.mode);
  },
  backward({ spec, layer, x, B, dz, dx }) {
    const { channels, height, width } = layer.input;
    if (dx) pool2dBackward(x, dz, dx, B, channels, height, width, spec.mode);
  },
};

const flatten: CpuLayerKind<LayerOf<'flatten'>> = {
  scratchPerRow: () => 0,
  forward({ layer, x, B, a }) {
    a.set(x.subarray(0, B * dimsSize(layer.output)));
  },
  backward({ layer, B, dz, dx }) {
    dx?.set(dz.subarray(0, B * dimsSize(layer.output)));
  },
};

/** z holds each element's factor (0 or 1/(1-p) in training, 1 when evaluating), a = x · z; backward multiplies by z again. */
const dropout: CpuLayerKind<LayerOf<'dropout'>> = {
  scratchPerRow: () => 0,
  forward({ spec, layer, x, B, z, a, training }) {
    const count = B * dimsSize(layer.output);
    if (training) dropoutFactors(z, B, dimsSize(layer.output), spec.rate, training);
    else z.fill(1, 0, count);
    for (let i = 0; i < count; i++) a[i] = x[i] * z[i];
  },
  backward({ layer, B, dz, dx, z }) {
    if (!dx) return;
    for (let i = 0; i < B * dimsSize(layer.output); i++) dx[i] = dz[i] * z[i];
  },
};

function batchNormGeometry(layer: PlacedLayer, used: number): BatchNormGeometry {
  const plane = layer.input.height * layer.input.width;
  return { channels: layer.input.channels, plane, used: used / plane };
}

/**
 * Training normalises by the batch's statistics (kept in scratch: the mean, then the biased
 * variance) and moves the running ones; evaluation normalises by the running ones. z is the
 * normalised output, a = act(z), both 0 beyond the used channels. Backward recomputes the
 * batch's statistics from x.
 */
const batchnorm: CpuLayerKind<LayerOf<'batchnorm'>> = {
  // 2·channels floats even for a single row.
  scratchPerRow: (layer) => 2 * layer.input.channels,
  forward({
    spec,
    layer,
    params: [scale, shift],
    statistics: [runningMean, runningVariance],
    x,
    B,
    z,
    a,
    used,
    scratch,
    training,
  }) {
    const g = batchNormGeometry(layer, used);
    let [mean, variance] = [runningMean, runningVariance];
    if (training) {
      [mean, variance] = [scratch.subarray(0, g.channels), scratch.subarray(g.channels, 2 * g.channels)];
      batchNormStatistics(x, B, g, mean, variance);
      updateRunningStatistics(runningMean, runningVariance, mean, variance, B * g.plane, g.used);
    }
    batchNormForward(x, B, g, mean, variance, scale, shift, z);
    const size = dimsSize(layer.output);
    for (let b = 0; b < B; b++)
      for (let j = 0; j < size; j++) {
        const i = b * size + j;
        if (j < used) a[i] = activate(spec.activation, z[i]);
        else z[i] = a[i] = 0;
      }
  },
  backward({ layer, params: [scale], x, B, dz, used, scratch, gradients: [dScale, dShift], dx }) {
    const g = batchNormGeometry(layer, used);
    const [mean, variance] = [scratch.subarray(0, g.channels), scratch.subarray(g.channels, 2 * g.channels)];
    batchNormStatistics(x, B, g, mean, variance);
    batchNormBackward(x, dz, B, g, mean, variance, scale, dScale, dShift, dx);
  },
};

export const CPU_LAYERS: { readonly [K in LayerKindName]: CpuLayerKind<LayerOf<K>> } = {
  dense,
  conv2d,
  pool2d,
  flatten,
  dropout,
  batchnorm,
};

export function cpuLayer<S extends LayerSpec>(spec: S): CpuLayerKind<S> {
  return CPU_LAYERS[spec.kind] as unknown as CpuLayerKind<S>;
}
