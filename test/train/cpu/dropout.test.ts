import { describe, expect, it } from 'vitest';
import { hash32 } from '../../../src/search/random.ts';
import { DROPOUT_STREAM, dropoutFactors, dropoutScale, dropoutThreshold } from '../../../src/train/cpu/dropout.ts';
import { modelViews, NetworkWorkspace, padParameters, unpaddedShape } from '../../../src/train/cpu/network.ts';
import { initParameters, softmaxCrossEntropy } from '../../../src/train/cpu/ops.ts';
import type { PopulationShape } from '../../../src/train/types.ts';
import { parameterCount } from '../../../src/train/types.ts';
import { modelHyper } from '../model-hyper.ts';
import { GRADIENT_TOLERANCE, maxRelativeError, numericGradient, randomArray } from './gradient-check.ts';

describe('dropout masks', () => {
  it.each([0, 0.1, 0.5, 0.9])(
    'rate %s: drops about that share, scales the rest by 1/(1-p) as a float32, from the counter-based hash',
    (rate) => {
      const count = 20000;
      const factors = new Float64Array(count);
      dropoutFactors(factors, count / 100, 100, rate, { seed: 7, layer: 2, step: 31 });
      const scale = Math.fround(1 / (1 - rate));
      expect(dropoutScale(rate)).toBe(scale);
      expect(factors.every((f) => f === 0 || f === scale)).toBe(true);
      const dropped = factors.filter((f) => f === 0).length / count;
      console.log(`[dropout] rate ${rate}: dropped ${dropped.toFixed(4)} of ${count}`);
      // Binomial: 4.5 standard deviations of the share at n = 20000 is below 0.016.
      expect(Math.abs(dropped - rate)).toBeLessThan(0.016);
      // Element e of row b is kept iff the top 24 bits of its hash reach ceil(p · 2^24).
      for (const [b, e] of [
        [0, 0],
        [0, 1],
        [9, 99],
        [199, 99],
      ])
        expect(factors[b * 100 + e] !== 0).toBe(hash32(7, DROPOUT_STREAM, 2, 31, b, e) >>> 8 >= dropoutThreshold(rate));
    },
  );

  it('another step, layer or seed draws another mask', () => {
    const mask = (seed: number, layer: number, step: number) => {
      const f = new Float64Array(256);
      dropoutFactors(f, 16, 16, 0.5, { seed, layer, step });
      return Array.from(f);
    };
    const base = mask(1, 1, 1);
    expect(mask(1, 1, 1)).toEqual(base);
    for (const other of [mask(2, 1, 1), mask(1, 2, 1), mask(1, 1, 2)]) expect(other).not.toEqual(base);
  });
});

const mlp = (layers: PopulationShape['layers']): PopulationShape => ({
  inputs: 3,
  outputs: 3,
  hiddenLayers: 0,
  maxHidden: 6,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: 5,
  layers,
});
const withDropout = mlp([
  { kind: 'dropout', rate: 0.2 },
  { kind: 'dense', activation: 'tanh' },
  { kind: 'dropout', rate: 0.5 },
  { kind: 'dense', activation: 'gelu' },
]);
const without = mlp([
  { kind: 'dense', activation: 'tanh' },
  { kind: 'dense', activation: 'gelu' },
]);
const hyper = modelHyper({ hiddenUnits: 4, initSeed: 5, dataSeed: 6 });

describe('dropout layers in a network', () => {
  it('a training step: whole-network gradients match finite differences with its mask (float64)', () => {
    const B = 5;
    const params = Float64Array.from(initParameters(withDropout, hyper));
    const x = randomArray(B * 3, 1);
    const labels = Float64Array.from({ length: B }, (_, i) => i % 3);
    const workspace = new NetworkWorkspace(withDropout, B, 'float64');
    const views = modelViews(withDropout, params);
    const step = { seed: hyper.dataSeed, step: 17 };
    const loss = () =>
      softmaxCrossEntropy(workspace.forward(views, 4, x, B, step), labels, workspace.outputGradient, B, 3).loss;
    loss();
    workspace.backward(views, 4, x, B);
    const analytic = Float64Array.from(workspace.gradients);
    const error = maxRelativeError(analytic, numericGradient(params, loss));
    console.log(`[dropout] whole-network gradient: max relative error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(GRADIENT_TOLERANCE);
  });

  it('evaluation is the identity: the same outputs, bit for bit, as the model without dropout; training differs', () => {
    const B = 5;
    // Dropout has no parameters: both models lay theirs out the same, so one array serves both.
    const params = initParameters(withDropout, hyper);
    expect(parameterCount(without)).toBe(params.length);
    const x = Float32Array.from(randomArray(B * 3, 2));
    const run = (shape: PopulationShape, training?: { seed: number; step: number }) =>
      Array.from(new NetworkWorkspace(shape, B).forward(modelViews(shape, params), 4, x, B, training));
    expect(run(withDropout)).toEqual(run(without));
    expect(run(withDropout, { seed: 6, step: 0 })).not.toEqual(run(without));
  });

  it('a padded model draws the same masks as unpadded: same loss and gradients, bit for bit (float32)', () => {
    const B = 5;
    const x = Float32Array.from(randomArray(B * 3, 3));
    const labels = Float32Array.from({ length: B }, (_, i) => i % 3);
    const run = (shape: PopulationShape) => {
      const params = initParameters(shape, hyper);
      const workspace = new NetworkWorkspace(shape, B);
      const views = modelViews(shape, params);
      const out = workspace.forward(views, 4, x, B, { seed: hyper.dataSeed, step: 3 });
      const { loss } = softmaxCrossEntropy(out, labels, workspace.outputGradient, B, 3);
      workspace.backward(views, 4, x, B);
      return { loss, gradients: Float32Array.from(workspace.gradients) };
    };
    const narrow = run(unpaddedShape(withDropout, 4));
    const wide = run(withDropout);
    expect(wide.loss).toBe(narrow.loss);
    expect(wide.gradients).toEqual(padParameters(withDropout, 4, narrow.gradients));
  });
});
