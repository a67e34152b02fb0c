// Batch normalization's CPU reference: its gradients against finite differences in float64,
// the running statistics against a hand computation of PyTorch's update, evaluation by the
// running statistics (not the batch's), padding that changes nothing, and the engine's
// validation pass and result carrying the running statistics.
import { describe, expect, it } from 'vitest';
import type { BatchNormGeometry } from '../../../src/train/cpu/batchnorm.ts';
import { batchNormBackward, batchNormForward, batchNormStatistics } from '../../../src/train/cpu/batchnorm.ts';
import { createCpuEngine, predict } from '../../../src/train/cpu/engine.ts';
import {
  modelViews,
  NetworkWorkspace,
  padParameters,
  padStatistics,
  unpaddedShape,
} from '../../../src/train/cpu/network.ts';
import { initParameters, initStatistics, softmaxCrossEntropy } from '../../../src/train/cpu/ops.ts';
import { makeDataset } from '../../../src/train/data/synthetic.ts';
import {
  BATCH_NORM_EPSILON,
  BATCH_NORM_MOMENTUM,
  block,
  layerListProblem,
  modelLayout,
  statisticsCount,
} from '../../../src/train/layers.ts';
import type { PopulationShape } from '../../../src/train/types.ts';
import { modelHyper } from '../model-hyper.ts';
import { dot, GRADIENT_TOLERANCE, maxRelativeError, numericGradient, randomArray } from './gradient-check.ts';

describe('batch norm op: gradients against finite differences (float64)', () => {
  const cases: Array<[string, number, BatchNormGeometry]> = [
    ['after a dense layer, 3 units', 5, { channels: 3, plane: 1, used: 3 }],
    ['after a dense layer, 17 units of which 13 used', 4, { channels: 17, plane: 1, used: 13 }],
    ['after a convolution, 3 channels of 5×5', 2, { channels: 3, plane: 25, used: 3 }],
    ['one channel, one row of 5×5', 1, { channels: 1, plane: 25, used: 1 }],
  ];
  for (const [what, B, g] of cases) {
    it(`${what}, batch ${B}: input, scale γ and shift β`, () => {
      const size = B * g.channels * g.plane;
      const x = randomArray(size, 1, 2);
      // Masked channels of the input are zero, as a masked dense layer leaves them.
      for (let i = 0; i < size; i++) if (Math.floor(i / g.plane) % g.channels >= g.used) x[i] = 0;
      const scale = Float64Array.from(randomArray(g.channels, 2), (v) => 1 + 0.5 * v);
      const shift = randomArray(g.channels, 3);
      const weights = randomArray(size, 4);
      const mean = new Float64Array(g.channels);
      const variance = new Float64Array(g.channels);
      const y = new Float64Array(size);
      const loss = () => {
        batchNormStatistics(x, B, g, mean, variance);
        batchNormForward(x, B, g, mean, variance, scale, shift, y);
        return dot(weights, y);
      };
      loss();
      const dx = new Float64Array(size);
      const dScale = new Float64Array(g.channels).fill(Number.NaN);
      const dShift = new Float64Array(g.channels).fill(Number.NaN);
      batchNormBackward(x, weights, B, g, mean, variance, scale, dScale, dShift, dx);
      const errors = {
        input: maxRelativeError(dx, numericGradient(x, loss)),
        scale: maxRelativeError(dScale, numericGradient(scale, loss)),
        shift: maxRelativeError(dShift, numericGradient(shift, loss)),
      };
      console.log(`[batchnorm] ${what}: max relative errors ${JSON.stringify(errors)}`);
      for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(GRADIENT_TOLERANCE);
      // Unused channels: no gradient leaks into γ, β or the input.
      for (let c = g.used; c < g.channels; c++) expect([dScale[c], dShift[c]]).toEqual([0, 0]);
      for (let i = 0; i < size; i++) if (Math.floor(i / g.plane) % g.channels >= g.used) expect(dx[i]).toBe(0);
    });
  }
});

const denseShape: PopulationShape = {
  inputs: 3,
  outputs: 3,
  hiddenLayers: 0,
  maxHidden: 6,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: 5,
  layers: [
    { kind: 'dense', activation: 'linear' },
    { kind: 'batchnorm', activation: 'tanh' },
    { kind: 'dense', activation: 'linear' },
    { kind: 'batchnorm', activation: 'gelu' },
  ],
};
const convShape: PopulationShape = {
  inputs: 2 * 5 * 5,
  outputs: 3,
  hiddenLayers: 0,
  maxHidden: 4,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: 3,
  image: { channels: 2, height: 5, width: 5 },
  layers: [
    { kind: 'conv2d', filters: 3, kernel: 3, activation: 'linear' },
    { kind: 'batchnorm', activation: 'relu' },
    { kind: 'pool2d', mode: 'avg' },
    { kind: 'flatten' },
    { kind: 'dense', activation: 'linear' },
    { kind: 'batchnorm', activation: 'sigmoid' },
  ],
};
const hyper = modelHyper({ hiddenUnits: 4, initSeed: 5, dataSeed: 6 });

describe('batch norm layers in a network', () => {
  it('declares γ (1), β (0), running mean (0) and variance (1) per channel; refuses one value per channel', () => {
    const [, norm] = modelLayout(denseShape);
    expect(norm.blocks.map(({ name, cols, init }) => [name, cols, init])).toEqual([
      ['scale', 6, 'ones'],
      ['shift', 6, 'zeros'],
    ]);
    expect(norm.statistics.map(({ name, cols, init }) => [name, cols, init])).toEqual([
      ['runningMean', 6, 'zeros'],
      ['runningVariance', 6, 'ones'],
    ]);
    expect(statisticsCount(denseShape)).toBe(4 * 6);
    // Padded channels start at 0 like every padding, the model's own at PyTorch's values.
    const params = initParameters(denseShape, hyper);
    const scale = block(norm, 'scale');
    expect(Array.from(params.subarray(scale.offset, scale.offset + 6))).toEqual([1, 1, 1, 1, 0, 0]);
    expect(Array.from(initStatistics(denseShape, hyper).subarray(0, 12))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
    expect(layerListProblem(denseShape)).toBeUndefined();
    expect(layerListProblem(convShape)).toBeUndefined();
    expect(layerListProblem({ ...denseShape, batchSize: 1 })).toBe(
      'shape.layers[1] (batchnorm) needs more than one value per channel in a training batch: use a batch size of at least 2',
    );
    // A convolution's channel has H·W values per row, so even one row normalises.
    expect(layerListProblem({ ...convShape, batchSize: 1, layers: convShape.layers?.slice(0, 4) })).toBeUndefined();
  });

  for (const [what, shape] of [
    ['dense → BN → tanh → dense → BN → gelu', denseShape],
    ['conv → BN → relu → avg pool → flatten → dense → BN → sigmoid', convShape],
  ] as const) {
    it(`${what}: a training step's whole-network gradients match finite differences (float64)`, () => {
      const B = shape.batchSize;
      const params = Float64Array.from(initParameters(shape, hyper));
      // Move γ and β off their initial values, so their gradients are tested in general.
      for (const layer of modelLayout(shape))
        for (const { name, offset, cols } of layer.blocks)
          if (name === 'scale' || name === 'shift') params.set(randomArray(cols, offset, 0.3), offset);
      const x = randomArray(B * shape.inputs, 1);
      const labels = Float64Array.from({ length: B }, (_, i) => i % 3);
      const workspace = new NetworkWorkspace(shape, B, 'float64');
      const views = modelViews(shape, params, initStatistics(shape, hyper));
      const step = { seed: hyper.dataSeed, step: 3 };
      const loss = () =>
        softmaxCrossEntropy(workspace.forward(views, 4, x, B, step), labels, workspace.outputGradient, B, 3).loss;
      loss();
      workspace.backward(views, 4, x, B);
      const analytic = Float64Array.from(workspace.gradients);
      const error = maxRelativeError(analytic, numericGradient(params, loss));
      console.log(`[batchnorm] ${what}: whole-network gradient max relative error ${error.toExponential(2)}`);
      expect(error).toBeLessThan(GRADIENT_TOLERANCE);
    });
  }

  it('training moves the running statistics as PyTorch does; evaluation normalises by them, not by the batch', () => {
    // One batch norm on the inputs themselves, linear, then an identity output layer: the outputs are the normalised inputs.
    const shape: PopulationShape = { ...denseShape, layers: [{ kind: 'batchnorm', activation: 'linear' }] };
    const B = 5;
    const [norm, output] = modelLayout(shape);
    const params = initParameters(shape, hyper);
    params.set([1, 0, 0, 0, 1, 0, 0, 0, 1], block(output, 'weights').offset);
    const scale = [1.5, -0.5, 2];
    const shift = [0.25, 0, -1];
    params.set(scale, block(norm, 'scale').offset);
    params.set(shift, block(norm, 'shift').offset);
    const statistics = initStatistics(shape);
    const views = modelViews(shape, params, statistics);
    const workspace = new NetworkWorkspace(shape, B, 'float64');
    const batches = [1, 2, 3].map((seed) => Float64Array.from(randomArray(B * 3, seed, 3), (v, i) => v + (i % 3)));
    // By hand: per channel, running ← 0.9·running + 0.1·batch, the variance's unbiased (÷ (B - 1)).
    const mean = [0, 0, 0];
    const variance = [1, 1, 1];
    for (const [k, x] of batches.entries()) {
      workspace.forward(views, 4, x, B, { seed: 6, step: k });
      for (let c = 0; c < 3; c++) {
        const column = Array.from({ length: B }, (_, b) => x[b * 3 + c]);
        const mu = column.reduce((s, v) => s + v, 0) / B;
        const unbiased = column.reduce((s, v) => s + (v - mu) ** 2, 0) / (B - 1);
        mean[c] = (1 - BATCH_NORM_MOMENTUM) * mean[c] + BATCH_NORM_MOMENTUM * mu;
        variance[c] = (1 - BATCH_NORM_MOMENTUM) * variance[c] + BATCH_NORM_MOMENTUM * unbiased;
      }
    }
    const running = Array.from(statistics);
    const expected = [...mean, ...variance];
    console.log(`[batchnorm] running statistics after 3 steps: ${running.map((v) => v.toFixed(6)).join(' ')}`);
    running.forEach((v, i) =>
      expect(Math.abs(v - expected[i]), `statistic ${i}`).toBeLessThan(1e-6 * Math.abs(expected[i]) + 1e-7),
    );

    const x = Float64Array.from(randomArray(B * 3, 9, 2));
    const evaluated = Float64Array.from(workspace.forward(views, 4, x, B));
    const byHand = Float64Array.from(
      x,
      (v, i) =>
        scale[i % 3] * ((v - running[i % 3]) / Math.sqrt(running[3 + (i % 3)] + BATCH_NORM_EPSILON)) + shift[i % 3],
    );
    expect(maxRelativeError(evaluated, byHand)).toBeLessThan(1e-12);
    // The running statistics stay put when evaluating…
    expect(Array.from(statistics)).toEqual(running);
    // …and the batch's own statistics give other outputs.
    expect(maxRelativeError(workspace.forward(views, 4, x, B, { seed: 6, step: 3 }), byHand)).toBeGreaterThan(0.01);
  });

  it('a padded model trains as unpadded: same loss, gradients and running statistics, bit for bit (float32)', () => {
    const B = 5;
    const x = Float32Array.from(randomArray(B * 3, 3));
    const labels = Float32Array.from({ length: B }, (_, i) => i % 3);
    const run = (shape: PopulationShape) => {
      const params = initParameters(shape, hyper);
      const statistics = initStatistics(shape, hyper);
      const workspace = new NetworkWorkspace(shape, B);
      const views = modelViews(shape, params, statistics);
      const out = workspace.forward(views, 4, x, B, { seed: hyper.dataSeed, step: 3 });
      const { loss } = softmaxCrossEntropy(out, labels, workspace.outputGradient, B, 3);
      workspace.backward(views, 4, x, B);
      return { loss, gradients: Float32Array.from(workspace.gradients), statistics };
    };
    const narrow = run(unpaddedShape(denseShape, 4));
    const wide = run(denseShape);
    expect(wide.loss).toBe(narrow.loss);
    expect(wide.gradients).toEqual(padParameters(denseShape, 4, narrow.gradients));
    expect(wide.statistics).toEqual(padStatistics(denseShape, 4, narrow.statistics));
  });
});

describe('batch norm on the CPU engine', () => {
  it('reports validation by the running statistics, and returns them with the parameters', async () => {
    const data = makeDataset('spiral', { count: 120, noise: 0.05, validationFraction: 0.25, seed: 3 });
    const shape: PopulationShape = { ...denseShape, inputs: 2, outputs: 2, batchSize: 8 };
    const job = {
      shape,
      models: [hyper, modelHyper({ hiddenUnits: 6, dataSeed: 2 })],
      data,
      steps: 12,
      reportEvery: 12,
    };
    const result = await createCpuEngine().train(job);
    const { x, y, count } = data.validation;
    for (const [m, model] of job.models.entries()) {
      expect(result.statistics[m].length).toBe(statisticsCount(shape));
      const lossWith = (statistics: Float32Array) => {
        const p = predict(shape, model.hiddenUnits, result.parameters[m], x, count, statistics);
        let sum = 0;
        for (let r = 0; r < count; r++) sum -= Math.log(p[r * 2 + y[r]]);
        return sum / count;
      };
      const reported = result.reports[0].validationLoss[m];
      const byRunning = lossWith(result.statistics[m]);
      const byInitial = lossWith(initStatistics(shape, model));
      console.log(
        `[batchnorm] model ${m}: reported ${reported}, by running statistics ${byRunning}, by initial ones ${byInitial}`,
      );
      expect(Math.abs(byRunning - reported)).toBeLessThan(1e-5 * reported);
      expect(Math.abs(byInitial - reported)).toBeGreaterThan(1e-3);
    }
  });

  it("a model copied at a report (PBT's exploit) takes its source's running statistics along", async () => {
    const data = makeDataset('spiral', { count: 120, noise: 0.05, validationFraction: 0.25, seed: 3 });
    const shape: PopulationShape = { ...denseShape, inputs: 2, outputs: 2, batchSize: 8 };
    const models = [modelHyper({ hiddenUnits: 4 }), modelHyper({ hiddenUnits: 4, dataSeed: 2, initSeed: 3 })];
    const job = { shape, models, data, steps: 12, reportEvery: 6 };
    const result = await createCpuEngine().train(job, (report) =>
      report.step === 6 ? { copy: [{ from: 0, to: 1 }] } : undefined,
    );
    expect(result.statistics[1]).toEqual(result.statistics[0]);
    expect(result.statistics[1]).not.toEqual(initStatistics(shape, models[1]));
  });
});
