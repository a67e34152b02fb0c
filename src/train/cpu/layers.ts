// The CPU reference of every layer kind (the table src/train/layers.ts describes), composed
// from ops.ts. A layer's forward writes z (before its activation) and a = act(z), zero
// beyond the floats the model uses; its backward turns dz (the gradient at z) into its
// parameter gradients and, when asked, the gradient at its input. The network applies the
// previous layer's activation derivative, so a kind never needs to know its neighbours.

import type { LayerKindName, LayerOf, LayerSpec, PlacedLayer } from '../layers.ts';
import { dimsSize } from '../layers.ts';
import type { Floats } from './ops.ts';
import {
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
  /** B rows of the layer's input. */
  x: Floats;
  B: number;
  z: Floats;
  a: Floats;
  /** Floats of each output row the model uses (the rest are stored as 0). */
  used: number;
  /** At least B × scratchPerRow floats the kind may overwrite. */
  scratch: Floats;
}

export interface CpuBackward<S extends LayerSpec> {
  spec: S;
  layer: PlacedLayer;
  params: readonly Floats[];
  x: Floats;
  B: number;
  /** Gradient of the loss at z (through this layer's activation already). */
  dz: Floats;
  /** Where the parameter gradients go, block by block (overwritten). */
  gradients: readonly Floats[];
  /** Where the gradient at the input goes (overwritten); absent for the first layer. */
  dx?: Floats;
}

export interface CpuLayerKind<S extends LayerSpec> {
  /** Floats per row of scratch its forward needs. */
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

export const CPU_LAYERS: { readonly [K in LayerKindName]: CpuLayerKind<LayerOf<K>> } = { dense };

export function cpuLayer<S extends LayerSpec>(spec: S): CpuLayerKind<S> {
  return CPU_LAYERS[spec.kind] as unknown as CpuLayerKind<S>;
}
