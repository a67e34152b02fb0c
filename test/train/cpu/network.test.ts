import { describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import { modelViews, NetworkWorkspace, padParameters, unpaddedShape } from '../../../src/train/cpu/network.ts';
import { initParameters, meanSquaredError, softmaxCrossEntropy } from '../../../src/train/cpu/ops.ts';
import type { Activation, LossKind, ModelHyper, PopulationShape } from '../../../src/train/types.ts';
import { ACTIVATIONS, parameterLayout } from '../../../src/train/types.ts';
import { modelHyper } from '../model-hyper.ts';

// Whole-network gradient check in float64: central differences with step H over every
// parameter; 1e-6 relative (to max(1, |numeric|)) leaves room only for the O(H²) error.
const H = 1e-5;
const TOLERANCE = 1e-6;

const hyper: ModelHyper = modelHyper({ hiddenUnits: 4, optimizer: 'sgd', learningRate: 0.1, initSeed: 3, dataSeed: 4 });

function check(activation: Activation, loss: LossKind): void {
  const B = 5;
  const shape: PopulationShape = {
    inputs: 3,
    outputs: loss === 'mse' ? 2 : 3,
    hiddenLayers: 2,
    maxHidden: 6,
    activation,
    loss,
    init: 'xavier',
    batchSize: B,
  };
  const params = Float64Array.from(initParameters(shape, hyper));
  // Non-zero biases on the logical units so their gradients are exercised too.
  for (const { bias, cols } of parameterLayout(shape))
    for (let j = 0; j < Math.min(4, cols); j++) params[bias + j] = 0.1 * (2 * uniform(5, bias, j) - 1);
  const x = Float64Array.from({ length: B * shape.inputs }, (_, i) => 2 * uniform(6, i) - 1);
  const y =
    loss === 'mse'
      ? Float64Array.from({ length: B * shape.outputs }, (_, i) => uniform(7, i))
      : Float64Array.from({ length: B }, (_, i) => i % shape.outputs);
  const workspace = new NetworkWorkspace(shape, B, 'float64');
  const views = modelViews(shape, params);
  const lossValue = () => {
    const out = workspace.forward(views, hyper.hiddenUnits, x, B);
    return loss === 'mse'
      ? meanSquaredError(out, y, workspace.outputGradient, B, shape.outputs).loss
      : softmaxCrossEntropy(out, y, workspace.outputGradient, B, shape.outputs).loss;
  };
  lossValue();
  workspace.backward(views, hyper.hiddenUnits, x, B);
  const analytic = Float64Array.from(workspace.gradients);
  let worst = 0;
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    params[i] = value + H;
    const plus = lossValue();
    params[i] = value - H;
    const minus = lossValue();
    params[i] = value;
    const numeric = (plus - minus) / (2 * H);
    worst = Math.max(worst, Math.abs(analytic[i] - numeric) / Math.max(1, Math.abs(numeric)));
  }
  expect(worst).toBeLessThan(TOLERANCE);
  // Padding (units 4, 5 of each hidden layer) gets exactly zero gradient.
  parameterLayout(shape).forEach(({ weights, bias, rows, cols }, l) => {
    const logicalRows = l === 0 ? 3 : 4;
    const logicalCols = l === 2 ? shape.outputs : 4;
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++)
        if (i >= logicalRows || j >= logicalCols) expect(analytic[weights + i * cols + j]).toBe(0);
    for (let j = logicalCols; j < cols; j++) expect(analytic[bias + j]).toBe(0);
  });
}

describe('whole-network backward pass matches finite differences (float64, padded 3-6-6-C, 4 units used)', () => {
  for (const loss of ['softmax_cross_entropy', 'mse'] as const) {
    it.each(ACTIVATIONS)(`%s with ${loss}`, (activation) => check(activation, loss));
  }
});

describe('padding', () => {
  it.each(ACTIVATIONS)(
    '%s: a model padded from 5 to 13 units computes the same loss and gradients as unpadded (float32, bit for bit)',
    (activation) => {
      const B = 7;
      const wide: PopulationShape = {
        inputs: 3,
        outputs: 4,
        hiddenLayers: 3,
        maxHidden: 13,
        activation,
        loss: 'softmax_cross_entropy',
        init: 'he',
        batchSize: B,
      };
      const narrow = unpaddedShape(wide, 5);
      const model = { ...hyper, hiddenUnits: 5 };
      const narrowParams = initParameters(narrow, model);
      const wideParams = initParameters(wide, model);
      expect(wideParams).toEqual(padParameters(wide, 5, narrowParams));
      const x = Float32Array.from({ length: B * 3 }, (_, i) => 2 * uniform(8, i) - 1);
      const labels = Float32Array.from({ length: B }, (_, i) => i % 4);
      const run = (shape: PopulationShape, params: Float32Array) => {
        const workspace = new NetworkWorkspace(shape, B);
        const views = modelViews(shape, params);
        const { loss } = softmaxCrossEntropy(workspace.forward(views, 5, x, B), labels, workspace.outputGradient, B, 4);
        workspace.backward(views, 5, x, B);
        return { loss, gradients: Float32Array.from(workspace.gradients) };
      };
      const a = run(narrow, narrowParams);
      const b = run(wide, wideParams);
      expect(b.loss).toBe(a.loss);
      expect(b.gradients).toEqual(padParameters(wide, 5, a.gradients));
    },
  );
});
