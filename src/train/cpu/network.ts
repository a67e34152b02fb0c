// The forward and backward pass of one padded MLP, composed from ops.ts over buffers
// allocated once per (shape, batch capacity), so training allocates nothing per step.

import type { Activation, PopulationShape } from '../types.ts';
import { parameterCount, parameterLayout } from '../types.ts';
import type { Floats } from './ops.ts';
import {
  activationBackward,
  biasActivationForward,
  biasGradient,
  matmulBackwardInput,
  matmulBackwardWeight,
  matmulForward,
} from './ops.ts';

/** Per-layer weight and bias views into one flat parameter (or gradient) array. */
export interface LayerViews {
  weights: Floats[];
  biases: Floats[];
}

export function layerViews(shape: PopulationShape, flat: Floats): LayerViews {
  const layout = parameterLayout(shape);
  return {
    weights: layout.map(({ weights, rows, cols }) => flat.subarray(weights, weights + rows * cols)),
    biases: layout.map(({ bias, cols }) => flat.subarray(bias, bias + cols)),
  };
}

/** The shape of one model without padding: hidden layers exactly `hiddenUnits` wide. */
export function unpaddedShape(shape: PopulationShape, hiddenUnits: number): PopulationShape {
  return { ...shape, maxHidden: hiddenUnits };
}

/** A model's parameters from its unpadded layout into the population's padded one (padding 0). */
export function padParameters(shape: PopulationShape, hiddenUnits: number, unpadded: Floats): Float32Array {
  const padded = new Float32Array(parameterCount(shape));
  const wide = parameterLayout(shape);
  parameterLayout(unpaddedShape(shape, hiddenUnits)).forEach(({ weights, bias, rows, cols }, l) => {
    for (let i = 0; i < rows; i++)
      padded.set(unpadded.subarray(weights + i * cols, weights + (i + 1) * cols), wide[l].weights + i * wide[l].cols);
    padded.set(unpadded.subarray(bias, bias + cols), wide[l].bias);
  });
  return padded;
}

export class NetworkWorkspace {
  /** Gradient of the last `backward`, in the padded parameter layout. */
  readonly gradients: Floats;
  /** Gradient of the loss with respect to the outputs; the loss writes it, backward reads it. */
  readonly outputGradient: Floats;
  private readonly gradientViews: LayerViews;
  private readonly dims: Array<{ rows: number; cols: number }>;
  private readonly pre: Floats;
  private readonly z: Floats[];
  private readonly a: Floats[];
  private readonly dz: Floats[];
  private readonly da: Floats;

  /** Buffers are float32 for training; float64 only for exact gradient checks. */
  constructor(
    private readonly shape: PopulationShape,
    readonly batchCapacity: number,
    precision: 'float32' | 'float64' = 'float32',
  ) {
    const allocate = (length: number): Floats =>
      precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
    this.dims = parameterLayout(shape).map(({ rows, cols }) => ({ rows, cols }));
    const widest = Math.max(...this.dims.map(({ cols }) => cols));
    this.pre = allocate(batchCapacity * widest);
    this.da = allocate(batchCapacity * widest);
    this.z = this.dims.map(({ cols }) => allocate(batchCapacity * cols));
    this.a = this.dims.map(({ cols }) => allocate(batchCapacity * cols));
    this.dz = this.dims.map(({ cols }) => allocate(batchCapacity * cols));
    this.gradients = allocate(parameterCount(shape));
    this.gradientViews = layerViews(shape, this.gradients);
    this.outputGradient = this.dz[this.dims.length - 1];
  }

  private layerActivation(l: number): Activation {
    return l === this.dims.length - 1 ? 'linear' : this.shape.activation;
  }

  private layerWidth(l: number, hiddenUnits: number): number {
    return l === this.dims.length - 1 ? this.shape.outputs : hiddenUnits;
  }

  /** Runs B rows of x [B × inputs] through the model; returns its outputs [B × outputs] (a view, valid until the next call). */
  forward(params: LayerViews, hiddenUnits: number, x: Floats, B: number): Floats {
    let input = x;
    this.dims.forEach(({ rows, cols }, l) => {
      matmulForward(input, params.weights[l], this.pre, B, rows, cols);
      biasActivationForward(
        this.pre,
        params.biases[l],
        this.layerActivation(l),
        this.z[l],
        this.a[l],
        B,
        cols,
        this.layerWidth(l, hiddenUnits),
      );
      input = this.a[l];
    });
    return input;
  }

  /** Back-propagates `outputGradient` through the last `forward` (same x and B) into `gradients`. */
  backward(params: LayerViews, hiddenUnits: number, x: Floats, B: number): void {
    for (let l = this.dims.length - 1; l >= 0; l--) {
      const { rows, cols } = this.dims[l];
      const input = l === 0 ? x : this.a[l - 1];
      matmulBackwardWeight(input, this.dz[l], this.gradientViews.weights[l], B, rows, cols);
      biasGradient(this.dz[l], this.gradientViews.biases[l], B, cols);
      if (l > 0) {
        matmulBackwardInput(this.dz[l], params.weights[l], this.da, B, rows, cols);
        activationBackward(this.z[l - 1], this.da, this.shape.activation, this.dz[l - 1], B, rows, hiddenUnits);
      }
    }
  }
}
