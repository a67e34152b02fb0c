// The forward and backward pass of one padded model: a loop over its layer list, each
// layer's math from its kind's entry in cpu/layers.ts, over buffers allocated once per
// (shape, batch capacity), so training allocates nothing per step.

import type { PlacedLayer } from '../layers.ts';
import { dimsSize, layerKind, modelLayout, statisticsCount, usedOutputs } from '../layers.ts';
import type { PopulationShape } from '../types.ts';
import { parameterCount } from '../types.ts';
import type { TrainingStep } from './layers.ts';
import { cpuLayer } from './layers.ts';
import type { Floats } from './ops.ts';
import { activationBackward, initStatistics } from './ops.ts';

/** Per layer, views of its blocks (in its kind's order) into one flat parameter (gradient, statistics) array. */
export type LayerViews = Floats[][];

/** Which of a layer's blocks: its parameters or its running statistics. */
type BlockSet = 'blocks' | 'statistics';

function blockViews(shape: PopulationShape, flat: Floats, set: BlockSet): LayerViews {
  return modelLayout(shape).map((layer) =>
    layer[set].map(({ offset, rows, cols }) => flat.subarray(offset, offset + rows * cols)),
  );
}

export function layerViews(shape: PopulationShape, flat: Floats): LayerViews {
  return blockViews(shape, flat, 'blocks');
}

/** A model as the forward pass reads it: its parameters, and its running statistics, which a training forward moves. */
export interface ModelViews {
  parameters: LayerViews;
  statistics: LayerViews;
}

/** Views of a model's parameters and running statistics (by default, as they start: see initStatistics). */
export function modelViews(
  shape: PopulationShape,
  parameters: Floats,
  statistics: Floats = initStatistics(shape),
): ModelViews {
  return { parameters: layerViews(shape, parameters), statistics: blockViews(shape, statistics, 'statistics') };
}

/** The shape of one model without padding: hidden layers exactly `hiddenUnits` wide. */
export function unpaddedShape(shape: PopulationShape, hiddenUnits: number): PopulationShape {
  return { ...shape, maxHidden: hiddenUnits };
}

function padBlocks(shape: PopulationShape, hiddenUnits: number, unpadded: Floats, set: BlockSet): Float32Array {
  const padded = new Float32Array(set === 'blocks' ? parameterCount(shape) : statisticsCount(shape));
  const wide = modelLayout(shape);
  modelLayout(unpaddedShape(shape, hiddenUnits)).forEach((layer, l) =>
    layer[set].forEach(({ offset, rows, cols }, k) => {
      const to = wide[l][set][k];
      for (let i = 0; i < rows; i++)
        padded.set(unpadded.subarray(offset + i * cols, offset + (i + 1) * cols), to.offset + i * to.cols);
    }),
  );
  return padded;
}

/**
 * A model's parameters from its unpadded layout into the population's padded one (padding
 * 0): every block is a matrix whose used part is a prefix of its rows and of its columns.
 */
export function padParameters(shape: PopulationShape, hiddenUnits: number, unpadded: Floats): Float32Array {
  return padBlocks(shape, hiddenUnits, unpadded, 'blocks');
}

/** A model's running statistics from its unpadded layout into the padded one (padding 0), as padParameters. */
export function padStatistics(shape: PopulationShape, hiddenUnits: number, unpadded: Floats): Float32Array {
  return padBlocks(shape, hiddenUnits, unpadded, 'statistics');
}

export class NetworkWorkspace {
  /** Gradient of the last `backward`, in the padded parameter layout. */
  readonly gradients: Floats;
  /** Gradient of the loss with respect to the outputs; the loss writes it, backward reads it. */
  readonly outputGradient: Floats;
  private readonly gradientViews: LayerViews;
  private readonly layout: PlacedLayer[];
  private readonly scratch: Floats;
  private readonly z: Floats[];
  private readonly a: Floats[];
  private readonly dz: Floats[];
  private readonly da: Floats;

  /** Buffers are float32 for training; float64 only for exact gradient checks. */
  constructor(
    shape: PopulationShape,
    readonly batchCapacity: number,
    precision: 'float32' | 'float64' = 'float32',
  ) {
    const allocate = (length: number): Floats =>
      precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
    this.layout = modelLayout(shape);
    const sizes = this.layout.map(({ output }) => dimsSize(output));
    const inputSizes = this.layout.map(({ input }) => dimsSize(input));
    const scratch = this.layout.map((layer) => cpuLayer(layer.spec).scratchPerRow(layer));
    this.scratch = allocate(batchCapacity * Math.max(...scratch));
    this.da = allocate(batchCapacity * Math.max(...inputSizes));
    this.z = sizes.map((size) => allocate(batchCapacity * size));
    this.a = sizes.map((size) => allocate(batchCapacity * size));
    this.dz = sizes.map((size) => allocate(batchCapacity * size));
    this.gradients = allocate(parameterCount(shape));
    this.gradientViews = layerViews(shape, this.gradients);
    // The output layer is linear (modelLayers), so the loss's gradient at its outputs is its dz.
    this.outputGradient = this.dz[this.layout.length - 1];
  }

  /**
   * Runs B rows of x [B × inputs] through the model; returns its outputs [B × outputs] (a
   * view, valid until the next call). With `training` (a training step's model seed and
   * step), dropout layers drop and batch norm normalises by the batch (moving the model's
   * running statistics); without, the model is evaluated.
   */
  forward(model: ModelViews, hiddenUnits: number, x: Floats, B: number, training?: TrainingStep): Floats {
    const used = usedOutputs(this.layout, { hiddenUnits });
    let input = x;
    for (const layer of this.layout) {
      const l = layer.index;
      cpuLayer(layer.spec).forward({
        spec: layer.spec,
        layer,
        params: model.parameters[l],
        statistics: model.statistics[l],
        x: input,
        B,
        z: this.z[l],
        a: this.a[l],
        used: used[l],
        scratch: this.scratch,
        training: training && { ...training, layer: l },
      });
      input = this.a[l];
    }
    return input;
  }

  /** Back-propagates `outputGradient` through the last `forward` (same x and B) into `gradients`. */
  backward(model: ModelViews, hiddenUnits: number, x: Floats, B: number): void {
    const used = usedOutputs(this.layout, { hiddenUnits });
    for (let l = this.layout.length - 1; l >= 0; l--) {
      const layer = this.layout[l];
      cpuLayer(layer.spec).backward({
        spec: layer.spec,
        layer,
        params: model.parameters[l],
        x: l === 0 ? x : this.a[l - 1],
        B,
        dz: this.dz[l],
        z: this.z[l],
        used: used[l],
        scratch: this.scratch,
        gradients: this.gradientViews[l],
        dx: l > 0 ? this.da : undefined,
      });
      if (l > 0) {
        const previous = this.layout[l - 1];
        const activation = layerKind(previous.spec).activation(previous.spec);
        activationBackward(
          this.z[l - 1],
          this.da,
          activation,
          this.dz[l - 1],
          B,
          dimsSize(previous.output),
          used[l - 1],
        );
      }
    }
  }
}
