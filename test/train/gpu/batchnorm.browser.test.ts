// Batch norm on the GPU: each kernel (batch statistics with the running update, forward in
// training and evaluation, γ/β gradients, input gradient) against the CPU reference
// (src/train/cpu/batchnorm.ts) on odd shapes (1, 3, 17, 65 channels/units; 5×5 and 28×28
// images), batched over models at their own offsets and strides, masked channels included;
// then whole training runs with batch norm against the CPU engine, running statistics too.
import { describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import type { BatchNormGeometry } from '../../../src/train/cpu/batchnorm.ts';
import * as bn from '../../../src/train/cpu/batchnorm.ts';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import * as ops from '../../../src/train/cpu/ops.ts';
import { makeDataset } from '../../../src/train/data/synthetic.ts';
import { createGpuEngine } from '../../../src/train/gpu/engine.ts';
import { KERNELS, reductionInvocations, specialise } from '../../../src/train/gpu/kernels.ts';
import {
  fieldOffset,
  MODEL_STATE,
  packBatchNormParams,
  packModelHypers,
  structSize,
} from '../../../src/train/gpu/structs.ts';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from '../../../src/train/layers.ts';
import type { Activation, PopulationJob, PopulationResult, TrainingData } from '../../../src/train/types.ts';
import { ACTIVATIONS } from '../../../src/train/types.ts';
import { modelHyper } from '../model-hyper.ts';
import { relativeError, withDevice } from './gpu-test-device.ts';
import { runKernel } from './kernel-runner.ts';

const TOLERANCE = 1e-4;
const MODELS = 2;

function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const { maxAbs, relative } = relativeError(actual, expected);
  console.log(
    `[batchnorm kernel] ${what}: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`,
  );
  expect(relative, what).toBeLessThanOrEqual(TOLERANCE);
}

interface Case {
  channels: number;
  side: number;
  rows: number;
  /** Channels each model uses: all of them after a convolution, its hidden units after a masked dense layer. */
  used: [number, number];
  activation: Activation;
}

const CASES: Case[] = [
  { channels: 1, side: 1, rows: 4, used: [1, 1], activation: 'relu' },
  { channels: 3, side: 1, rows: 5, used: [3, 2], activation: 'tanh' },
  { channels: 17, side: 1, rows: 3, used: [17, 13], activation: 'gelu' },
  { channels: 65, side: 1, rows: 7, used: [30, 65], activation: 'sigmoid' },
  { channels: 1, side: 5, rows: 3, used: [1, 1], activation: 'leaky_relu' },
  { channels: 3, side: 5, rows: 2, used: [3, 3], activation: 'gelu_tanh' },
  { channels: 17, side: 5, rows: 1, used: [17, 17], activation: 'relu' },
  { channels: 3, side: 28, rows: 2, used: [3, 3], activation: 'tanh' },
  { channels: 1, side: 28, rows: 3, used: [1, 1], activation: 'linear' },
];

describe('batch norm kernels against the CPU reference', () => {
  for (const [index, c] of CASES.entries()) {
    const { channels: C, side, rows: B, used, activation } = c;
    const plane = side * side;
    const masked = side === 1 && used.some((u) => u < C);
    const size = C * plane;
    const what = `${C} ${side === 1 ? 'units' : `channels of ${side}×${side}`}, batch ${B}${masked ? `, models use ${used}` : ''}`;
    // Model m's x at 3 + m·xStride, its parameters' γ at 5 and β at 5 + C of a stride of 2C + 9,
    // its running mean at 1 and variance at 1 + C of a stride of 2C + 3; y sides B·size apart.
    const xOffset = 3;
    const xStride = B * size + 7;
    const paramStride = 2 * C + 9;
    const statStride = 2 * C + 3;
    const yStride = B * size;
    const geometry = (m: number): BatchNormGeometry => ({ channels: C, plane, used: used[m] });
    const isPadding = (m: number, within: number) => Math.floor(within / plane) % C >= used[m];
    const hypers = used.map((hiddenUnits) => modelHyper({ hiddenUnits }));
    const params = (training: boolean) =>
      packBatchNormParams({
        models: MODELS,
        rows: B,
        channels: C,
        plane,
        masked: masked ? 1 : 0,
        training: training ? 1 : 0,
        epsilon: BATCH_NORM_EPSILON,
        momentum: BATCH_NORM_MOMENTUM,
        x_offset: xOffset,
        x_model_stride: xStride,
        y_model_stride: yStride,
        param_model_stride: paramStride,
        scale_offset: 5,
        shift_offset: 5 + C,
        statistics_model_stride: statStride,
        mean_offset: 1,
        variance_offset: 1 + C,
      });
    // Inputs with a per-channel offset and spread (padding 0, as a masked dense layer leaves it).
    const x = new Float32Array(xOffset + MODELS * xStride);
    const parameters = new Float32Array(MODELS * paramStride);
    const statistics = new Float32Array(MODELS * statStride);
    const dy = new Float32Array(MODELS * yStride);
    for (let m = 0; m < MODELS; m++) {
      for (let i = 0; i < B * size; i++) {
        const channel = Math.floor(i / plane) % C;
        if (isPadding(m, i)) continue;
        x[xOffset + m * xStride + i] = (0.5 + channel / C) * (uniform(index, m, i) * 4 - 2) + (channel % 3) - 0.25;
        dy[m * yStride + i] = uniform(index + 100, m, i) - 0.5;
      }
      for (let ch = 0; ch < used[m]; ch++) {
        parameters[m * paramStride + 5 + ch] = 0.5 + uniform(index + 200, m, ch);
        parameters[m * paramStride + 5 + C + ch] = uniform(index + 300, m, ch) - 0.5;
        statistics[m * statStride + 1 + ch] = uniform(index + 400, m, ch) - 0.5;
        statistics[m * statStride + 1 + C + ch] = 0.5 + uniform(index + 500, m, ch);
      }
    }
    const xOf = (m: number) => x.subarray(xOffset + m * xStride, xOffset + m * xStride + B * size);
    const gamma = (m: number) => parameters.subarray(m * paramStride + 5, m * paramStride + 5 + C);
    const beta = (m: number) => parameters.subarray(m * paramStride + 5 + C, m * paramStride + 5 + 2 * C);
    // The CPU's batch statistics in float64, as the kernels' `batch` buffer lays them out.
    const batch = new Float32Array(MODELS * 2 * C);
    for (let m = 0; m < MODELS; m++) {
      const [mean, variance] = [new Float64Array(C), new Float64Array(C)];
      bn.batchNormStatistics(xOf(m), B, geometry(m), mean, variance);
      batch.set(mean, m * 2 * C);
      batch.set(variance, m * 2 * C + C);
    }
    const batchOf = (m: number) => [
      batch.subarray(m * 2 * C, m * 2 * C + C),
      batch.subarray(m * 2 * C + C, (m + 1) * 2 * C),
    ];

    it(`${what}: batch statistics, and the running ones move unless the model is frozen`, () =>
      withDevice(async (device) => {
        // The second model is stopped in every other case: its running statistics must stay put.
        const frozen = index % 2 === 1;
        const states = new Uint32Array((MODELS * structSize(MODEL_STATE)) / 4);
        if (frozen) states[(structSize(MODEL_STATE) + fieldOffset(MODEL_STATE, 'stopped')) / 4] = 1;
        const [, , , , gpuBatch, gpuStatistics] = await runKernel(
          device,
          KERNELS.batchNormStatistics,
          [params(true), packModelHypers(hypers), states.buffer, x, MODELS * 2 * C, statistics],
          reductionInvocations(KERNELS.batchNormStatistics, MODELS, C),
        );
        expectClose(`${what} batch mean and variance`, gpuBatch, batch);
        const expected = Float32Array.from(statistics);
        for (let m = 0; m < MODELS; m++) {
          if (frozen && m === 1) continue;
          const at = m * statStride;
          const [mean, variance] = batchOf(m);
          bn.updateRunningStatistics(
            expected.subarray(at + 1, at + 1 + C),
            expected.subarray(at + 1 + C, at + 1 + 2 * C),
            mean,
            variance,
            B * plane,
            used[m],
          );
        }
        expectClose(`${what} running statistics`, gpuStatistics, expected);
        if (frozen)
          expect(Array.from(gpuStatistics.subarray(statStride))).toEqual(Array.from(statistics.subarray(statStride)));
      }));

    it(`${what}: forward by the batch's statistics (training) and by the running ones (evaluation), ${activation}`, () =>
      withDevice(async (device) => {
        const entry = specialise(KERNELS.batchNormForward, { ACTIVATION: ACTIVATIONS.indexOf(activation) });
        for (const training of [true, false]) {
          const [, , , , , , z, a] = await runKernel(
            device,
            entry,
            [
              params(training),
              packModelHypers(hypers),
              x,
              parameters,
              batch,
              statistics,
              MODELS * yStride,
              MODELS * yStride,
            ],
            MODELS * B * size,
          );
          const [zWant, aWant] = [new Float32Array(MODELS * yStride), new Float32Array(MODELS * yStride)];
          for (let m = 0; m < MODELS; m++) {
            const at = m * statStride;
            const [mean, variance] = training
              ? batchOf(m)
              : [statistics.subarray(at + 1, at + 1 + C), statistics.subarray(at + 1 + C, at + 1 + 2 * C)];
            const y = new Float64Array(B * size);
            bn.batchNormForward(xOf(m), B, geometry(m), mean, variance, gamma(m), beta(m), y);
            for (let i = 0; i < B * size; i++) {
              if (isPadding(m, i)) continue;
              zWant[m * yStride + i] = y[i];
              aWant[m * yStride + i] = ops.activate(activation, y[i]);
            }
          }
          const mode = training ? 'training' : 'evaluation';
          expectClose(`${what} ${mode} z`, z, zWant);
          expectClose(`${what} ${mode} a`, a, aWant);
          for (let m = 0; m < MODELS; m++)
            for (let i = 0; i < B * size; i++)
              if (isPadding(m, i)) expect([z[m * yStride + i], a[m * yStride + i]]).toEqual([0, 0]);
        }
      }));

    it(`${what}: γ and β gradients, then the input gradient through the previous layer's relu' and mask`, () =>
      withDevice(async (device) => {
        const [, , , , , gradients] = await runKernel(
          device,
          KERNELS.batchNormBackwardParameters,
          [
            params(true),
            packModelHypers(hypers),
            x,
            dy,
            batch,
            Float32Array.from({ length: MODELS * paramStride }, () => 7),
          ],
          reductionInvocations(KERNELS.batchNormBackwardParameters, MODELS, C),
        );
        const dxWant = new Float32Array(x.length);
        const dParams = new Float32Array(MODELS * paramStride);
        // What the previous layer's forward kept: its relu outputs, x itself here (x ≥ 0 where it is positive).
        const kept = x.map((v) => Math.max(v, 0));
        for (let m = 0; m < MODELS; m++) {
          const [mean, variance] = batchOf(m);
          const dScale = new Float64Array(C);
          const dShift = new Float64Array(C);
          const dx = new Float64Array(B * size);
          bn.batchNormBackward(
            xOf(m),
            dy.subarray(m * yStride, (m + 1) * yStride),
            B,
            geometry(m),
            mean,
            variance,
            gamma(m),
            dScale,
            dShift,
            dx,
          );
          dParams.set(dScale, m * paramStride + 5);
          dParams.set(dShift, m * paramStride + 5 + C);
          for (let i = 0; i < B * size; i++) {
            const at = xOffset + m * xStride + i;
            dxWant[at] = isPadding(m, i) ? 0 : dx[i] * ops.activationDerivative('relu', kept[at]);
          }
        }
        const gradientsAt = (all: Float32Array) =>
          Array.from({ length: MODELS }, (_, m) =>
            Array.from(all.subarray(m * paramStride + 5, m * paramStride + 5 + 2 * C)),
          ).flat();
        expectClose(`${what} dγ, dβ`, gradientsAt(gradients), gradientsAt(dParams));
        for (let m = 0; m < MODELS; m++)
          for (let ch = used[m]; ch < C; ch++)
            expect([gradients[m * paramStride + 5 + ch], gradients[m * paramStride + 5 + C + ch]]).toEqual([0, 0]);

        const entry = specialise(KERNELS.batchNormBackwardInput, {
          EPILOGUE: 1,
          ACTIVATION: ACTIVATIONS.indexOf('relu'),
          MASKED: masked ? 1 : 0,
        });
        const [, , , , , , , dx] = await runKernel(
          device,
          entry,
          [params(true), packModelHypers(hypers), x, dy, batch, parameters, dParams, x.length, kept],
          MODELS * B * size,
        );
        const inRows = (all: Float32Array) =>
          Array.from({ length: MODELS }, (_, m) =>
            Array.from(all.subarray(xOffset + m * xStride, xOffset + m * xStride + B * size)),
          ).flat();
        expect(
          inRows(dxWant).some((v) => v !== 0),
          'some of the input gradient passes relu',
        ).toBe(true);
        expectClose(`${what} dx`, inRows(dx), inRows(dxWant));
        for (let m = 0; m < MODELS; m++)
          for (let i = 0; i < B * size; i++) if (isPadding(m, i)) expect(dx[xOffset + m * xStride + i]).toBe(0);
      }));
  }
});

/** Losses and running statistics of whole runs agree within this (measured: below 1e-6 relative). */
const RUN_TOLERANCE = 1e-5;

function expectRunsClose(what: string, actual: PopulationResult, expected: PopulationResult, rows: number): void {
  expect(actual.reports.map((r) => r.step)).toEqual(expected.reports.map((r) => r.step));
  expected.reports[0].trainLoss.forEach((_, m) => {
    for (const metric of ['trainLoss', 'validationLoss', 'trainAccuracy', 'validationAccuracy'] as const) {
      const { maxAbs, relative } = relativeError(
        actual.reports.map((r) => r[metric][m]),
        expected.reports.map((r) => r[metric][m]),
      );
      console.log(
        `[batchnorm] ${what} model ${m} ${metric}: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`,
      );
      // One row flipping across a decision boundary moves an accuracy by 1/rows.
      if (metric.endsWith('Accuracy')) expect(maxAbs, `${what} ${m} ${metric}`).toBeLessThanOrEqual(1 / rows + 1e-6);
      else expect(relative, `${what} ${m} ${metric}`).toBeLessThanOrEqual(RUN_TOLERANCE);
    }
    const statistics = relativeError(actual.statistics[m], expected.statistics[m]);
    console.log(`[batchnorm] ${what} model ${m} running statistics: relative ${statistics.relative.toExponential(2)}`);
    expect(statistics.relative, `${what} ${m} running statistics`).toBeLessThanOrEqual(RUN_TOLERANCE);
    expect(actual.statistics[m].length).toBe(expected.statistics[m].length);
  });
}

// The layer before a batch norm has a bias whose exact gradient is 0 (normalising removes
// any shift), so what reaches it is rounding noise, different on each engine: Adam and
// RMSprop scale that noise up to steps of about lr (PyTorch's too), which moves the running
// mean apart while the training losses agree. Models here use SGD with and without momentum,
// whose steps follow the gradient's size.
describe('batch norm in training runs: GPU engine against the CPU engine', () => {
  it('an MLP with BN after each masked hidden dense layer, three widths; one model stopped early', () =>
    withDevice(async (device) => {
      const data = makeDataset('spiral', { count: 160, noise: 0.05, validationFraction: 0.25, seed: 3 });
      const job: PopulationJob = {
        shape: {
          inputs: 2,
          outputs: 2,
          hiddenLayers: 0,
          maxHidden: 12,
          activation: 'relu',
          loss: 'softmax_cross_entropy',
          init: 'he',
          batchSize: 16,
          layers: [
            { kind: 'dense', activation: 'linear' },
            { kind: 'batchnorm', activation: 'relu' },
            { kind: 'dense', activation: 'linear' },
            { kind: 'batchnorm', activation: 'tanh' },
          ],
        },
        models: [
          modelHyper({ hiddenUnits: 12, optimizer: 'momentum', learningRate: 0.02 }),
          modelHyper({ hiddenUnits: 7, optimizer: 'momentum', learningRate: 0.05, dataSeed: 3, weightDecay: 0.01 }),
          modelHyper({ hiddenUnits: 2, optimizer: 'sgd', learningRate: 0.2, dataSeed: 4 }),
        ],
        data,
        steps: 80,
        reportEvery: 20,
      };
      // Model 2 stops at step 40: its running statistics must stop moving there on both engines.
      const stopAt40 = (report: { step: number }) => (report.step === 40 ? [2] : undefined);
      const gpu = await createGpuEngine({ device });
      expectRunsClose('spiral MLP', await gpu.train(job, stopAt40), await createCpuEngine().train(job, stopAt40), 40);
      // PBT's exploit: model 1 becomes model 0 at step 20, running statistics included, bit for bit.
      const copyAt20 = (report: { step: number }) => (report.step === 20 ? { copy: [{ from: 0, to: 1 }] } : undefined);
      const copied = await gpu.train(job, copyAt20);
      expect(copied.statistics[1]).toEqual(copied.statistics[0]);
      expectRunsClose('spiral MLP, model 0 copied into 1', copied, await createCpuEngine().train(job, copyAt20), 40);
      gpu.dispose();
    }));

  it('conv → BN → relu → max pool → flatten → dense → BN → relu: two models train like the CPU', () =>
    withDevice(async (device) => {
      const side = 6;
      const image = (count: number, seed: number) => {
        const x = Float32Array.from({ length: count * side * side }, (_, i) => uniform(seed, i) - 0.5);
        // Class 1 has a brighter left half.
        const y = Float32Array.from({ length: count }, (_, n) => n % 2);
        for (let n = 0; n < count; n++)
          if (y[n] === 1) for (let i = 0; i < side * side; i++) if (i % side < side / 2) x[n * side * side + i] += 0.5;
        return { x, y, count };
      };
      const data: TrainingData = {
        task: 'classification',
        inputs: side * side,
        outputs: 2,
        train: image(64, 1),
        validation: image(30, 2),
      };
      const job: PopulationJob = {
        shape: {
          inputs: side * side,
          outputs: 2,
          hiddenLayers: 0,
          maxHidden: 8,
          activation: 'relu',
          loss: 'softmax_cross_entropy',
          init: 'he',
          batchSize: 8,
          image: { channels: 1, height: side, width: side },
          layers: [
            { kind: 'conv2d', filters: 3, kernel: 3, activation: 'linear' },
            { kind: 'batchnorm', activation: 'relu' },
            { kind: 'pool2d', mode: 'max' },
            { kind: 'flatten' },
            { kind: 'dense', activation: 'linear' },
            { kind: 'batchnorm', activation: 'relu' },
          ],
        },
        models: [
          modelHyper({ hiddenUnits: 8, optimizer: 'momentum', learningRate: 0.02 }),
          modelHyper({ hiddenUnits: 5, optimizer: 'sgd', learningRate: 0.1, dataSeed: 9 }),
        ],
        data,
        steps: 40,
        reportEvery: 20,
      };
      const gpu = await createGpuEngine({ device });
      expectRunsClose('image CNN', await gpu.train(job), await createCpuEngine().train(job), 30);
      gpu.dispose();
    }));
});
