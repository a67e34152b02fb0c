// Convolutional models on the WebGPU engine against the CPU engine (the oracle) on whole
// training runs: conv2d, both poolings and flatten in different orders, a masked dense layer
// after them, several models with their own optimizers and widths in one population.
import { describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import { createGpuEngine } from '../../../src/train/gpu/engine.ts';
import type { PopulationJob, PopulationResult, PopulationShape, TrainingData } from '../../../src/train/types.ts';
import { EngineError } from '../../../src/train/types.ts';
import { modelHyper as model } from '../model-hyper.ts';
import { relativeError, withDevice } from './gpu-test-device.ts';

/** `count` noisy C×S×S images of a horizontal (class 0) or vertical (class 1) bar at a random place. */
function bars(count: number, channels: number, side: number, seed: number): { x: Float32Array; y: Float32Array } {
  const size = channels * side * side;
  const x = new Float32Array(count * size);
  const y = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 2;
    const at = Math.floor(uniform(seed, n, 0) * side);
    y[n] = label;
    for (let c = 0; c < channels; c++)
      for (let i = 0; i < side; i++)
        for (let j = 0; j < side; j++)
          x[n * size + (c * side + i) * side + j] =
            ((label ? j : i) === at ? 1 : 0) + 0.3 * (uniform(seed, n, 1 + i * side + j) - 0.5);
  }
  return { x, y };
}

function imageData(channels: number, side: number, train: number, validation: number): TrainingData {
  const a = bars(train, channels, side, 1);
  const b = bars(validation, channels, side, 2);
  return {
    task: 'classification',
    inputs: channels * side * side,
    outputs: 2,
    train: { ...a, count: train },
    validation: { ...b, count: validation },
  };
}

function expectCurvesClose(what: string, actual: PopulationResult, expected: PopulationResult, rows: number): void {
  expect(actual.reports.map((r) => r.step)).toEqual(expected.reports.map((r) => r.step));
  expected.reports[0].trainLoss.forEach((_, m) => {
    for (const metric of ['trainLoss', 'validationLoss', 'trainAccuracy', 'validationAccuracy'] as const) {
      const { maxAbs, relative } = relativeError(
        actual.reports.map((r) => r[metric][m]),
        expected.reports.map((r) => r[metric][m]),
      );
      console.log(
        `[cnn] ${what} model ${m} ${metric}: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`,
      );
      // One row flipping across a decision boundary moves an accuracy by 1/rows.
      if (metric.endsWith('Accuracy')) expect(maxAbs, `${what} ${m} ${metric}`).toBeLessThanOrEqual(1 / rows + 1e-6);
      else expect(relative, `${what} ${m} ${metric}`).toBeLessThanOrEqual(1e-3);
    }
  });
}

const base = (data: TrainingData, overrides: Partial<PopulationShape>): PopulationShape => ({
  inputs: data.inputs,
  outputs: data.outputs,
  hiddenLayers: 0,
  maxHidden: 16,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: 8,
  ...overrides,
});

describe('convolutional models: GPU engine against the CPU engine', () => {
  it('conv-maxpool-conv-avgpool-flatten-dense: three models (own optimizers and widths) train like the CPU, and learn', () =>
    withDevice(async (device) => {
      const data = imageData(1, 8, 96, 40);
      const job: PopulationJob = {
        shape: base(data, {
          image: { channels: 1, height: 8, width: 8 },
          layers: [
            { kind: 'conv2d', filters: 4, kernel: 3, activation: 'relu' },
            { kind: 'pool2d', mode: 'max' },
            { kind: 'conv2d', filters: 3, kernel: 5, activation: 'tanh' },
            { kind: 'pool2d', mode: 'avg' },
            { kind: 'flatten' },
            { kind: 'dense', activation: 'relu' },
          ],
        }),
        models: [
          model({ hiddenUnits: 8, learningRate: 0.02 }),
          model({ hiddenUnits: 5, optimizer: 'momentum', learningRate: 0.05, initSeed: 3, dataSeed: 4 }),
          model({ hiddenUnits: 3, optimizer: 'rmsprop', learningRate: 0.005, weightDecay: 0.01, initSeed: 5 }),
        ],
        data,
        steps: 60,
        reportEvery: 20,
      };
      const gpu = await createGpuEngine({ device });
      const cpu = createCpuEngine();
      const [onGpu, onCpu] = [await gpu.train(job), await cpu.train(job)];
      expectCurvesClose('bars 8×8', onGpu, onCpu, 8);
      onGpu.parameters.forEach((p, m) => {
        const { relative } = relativeError(p, onCpu.parameters[m]);
        console.log(`[cnn] final parameters model ${m}: relative ${relative.toExponential(2)}`);
        expect(relative).toBeLessThanOrEqual(1e-3);
      });
      const best = Math.max(...onGpu.reports.at(-1)!.validationAccuracy);
      console.log(`[cnn] bars 8×8 best validation accuracy after 60 steps: ${best}`);
      expect(best).toBeGreaterThan(0.8);
      gpu.dispose();
    }));

  it('pool first, conv with gelu, flatten straight into the output layer, on 2-channel 5×5 images', () =>
    withDevice(async (device) => {
      const data = imageData(2, 5, 40, 17);
      const job: PopulationJob = {
        shape: base(data, {
          init: 'xavier',
          image: { channels: 2, height: 5, width: 5 },
          layers: [
            { kind: 'pool2d', mode: 'avg' },
            { kind: 'conv2d', filters: 3, kernel: 3, activation: 'gelu' },
            { kind: 'flatten' },
          ],
        }),
        models: [model({ learningRate: 0.05 }), model({ optimizer: 'sgd', learningRate: 0.2, initSeed: 9 })],
        data,
        steps: 30,
        reportEvery: 10,
      };
      const gpu = await createGpuEngine({ device });
      expectCurvesClose('bars 5×5', await gpu.train(job), await createCpuEngine().train(job), 17);
      gpu.dispose();
    }));

  it('refuses a layer list that cannot work, saying what to change', async () => {
    const data = imageData(1, 4, 4, 0);
    const job = (overrides: Partial<PopulationShape>): PopulationJob => ({
      shape: base(data, overrides),
      models: [model({})],
      data,
      steps: 1,
      reportEvery: 1,
    });
    const cpu = createCpuEngine();
    const cases: Array<[Partial<PopulationShape>, RegExp]> = [
      [{ layers: [{ kind: 'conv2d', filters: 2, kernel: 3, activation: 'relu' }] }, /needs an image before it/],
      [{ image: { channels: 1, height: 4, width: 5 } }, /20 values but the data has 16 inputs/],
      [{ image: { channels: 1, height: 4, width: 4 }, layers: [{ kind: 'pool2d', mode: 'max' }] }, /add a flatten/],
      [
        { image: { channels: 1, height: 4, width: 4 }, layers: [{ kind: 'dense', activation: 'relu' }] },
        /put a flatten layer before the first dense layer/,
      ],
      [
        {
          image: { channels: 1, height: 4, width: 4 },
          layers: [{ kind: 'conv2d', filters: 65, kernel: 3, activation: 'relu' }, { kind: 'flatten' }],
        },
        /filters must be an integer in 1\.\.64/,
      ],
      [
        {
          image: { channels: 1, height: 4, width: 4 },
          layers: [
            { kind: 'pool2d', mode: 'max' },
            { kind: 'pool2d', mode: 'max' },
            { kind: 'pool2d', mode: 'max' },
          ],
        },
        /too small for a 2×2 window/,
      ],
    ];
    for (const [overrides, message] of cases) {
      const error = await cpu.train(job(overrides)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).message).toMatch(message);
    }
  });
});
