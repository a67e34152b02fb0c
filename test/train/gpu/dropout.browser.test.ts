// Dropout on the GPU: the kernels' masks are the CPU's bit for bit (same counter-based hash,
// integer threshold, float32 scale), evaluation passes values through untouched, and whole
// training runs with dropout agree with the CPU engine.
import { describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import { dropoutFactors, dropoutScale, dropoutThreshold } from '../../../src/train/cpu/dropout.ts';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import * as ops from '../../../src/train/cpu/ops.ts';
import { makeDataset } from '../../../src/train/data/synthetic.ts';
import { createGpuEngine } from '../../../src/train/gpu/engine.ts';
import { KERNELS, specialise } from '../../../src/train/gpu/kernels.ts';
import { packDropoutParams, packModelHypers, packStepSlots } from '../../../src/train/gpu/structs.ts';
import type { PopulationJob, PopulationResult } from '../../../src/train/types.ts';
import { ACTIVATIONS } from '../../../src/train/types.ts';
import { modelHyper } from '../model-hyper.ts';
import { relativeError, withDevice } from './gpu-test-device.ts';
import { runKernel } from './kernel-runner.ts';

const [ROWS, SIZE] = [3, 17];
const SEEDS = [0, 12345, 0xffffffff];
const hypers = SEEDS.map((dataSeed, m) => modelHyper({ dataSeed, hiddenUnits: [17, 5, 1][m] }));
const params = (rate: number, layer: number, training: boolean) =>
  packDropoutParams({
    models: SEEDS.length,
    rows: ROWS,
    size: SIZE,
    layer,
    threshold: dropoutThreshold(rate),
    scale: dropoutScale(rate),
    training: training ? 1 : 0,
    x_offset: 0,
    x_model_stride: ROWS * SIZE,
    y_model_stride: ROWS * SIZE,
  });
const count = SEEDS.length * ROWS * SIZE;

/** The CPU's factors for every model, laid out like the kernels' buffers. */
function cpuFactors(rate: number, layer: number, step: number): Float32Array {
  const all = new Float32Array(count);
  SEEDS.forEach((seed, m) =>
    dropoutFactors(all.subarray(m * ROWS * SIZE, (m + 1) * ROWS * SIZE), ROWS, SIZE, rate, { seed, layer, step }),
  );
  return all;
}

describe('dropout kernels', () => {
  for (const rate of [0.1, 0.5, 0.9]) {
    it(`rate ${rate}: the forward mask is the CPU's bit for bit at several steps and layers; evaluation copies`, () =>
      withDevice(async (device) => {
        const ones = new Float32Array(count).fill(1);
        for (const [layer, step] of [
          [0, 0],
          [3, 1],
          [1, 4096],
        ]) {
          const [, , , , y] = await runKernel(
            device,
            KERNELS.dropoutForward,
            [params(rate, layer, true), packStepSlots(step, 1, 256), packModelHypers(hypers), ones, count],
            count,
          );
          expect(Array.from(y), `layer ${layer} step ${step}`).toEqual(Array.from(cpuFactors(rate, layer, step)));
        }
        const x = Float32Array.from({ length: count }, (_, i) => uniform(1, i) - 0.5);
        const [, , , , copy] = await runKernel(
          device,
          KERNELS.dropoutForward,
          [params(rate, 0, false), packStepSlots(5, 1, 256), packModelHypers(hypers), x, count],
          count,
        );
        expect(Array.from(copy)).toEqual(Array.from(x));
      }));
  }

  it("the input gradient applies the step's mask, the previous dense layer's relu' and its padding mask, bit for bit", () =>
    withDevice(async (device) => {
      const [rate, layer, step] = [0.3, 2, 9];
      const dy = Float32Array.from({ length: count }, (_, i) => uniform(2, i) - 0.5);
      const kept = Float32Array.from({ length: count }, (_, i) => ops.activate('relu', uniform(3, i) - 0.5));
      const entry = specialise(KERNELS.dropoutBackward, {
        EPILOGUE: 1,
        MASKED: 1,
        ACTIVATION: ACTIVATIONS.indexOf('relu'),
      });
      const [, , , , dx] = await runKernel(
        device,
        entry,
        [params(rate, layer, true), packStepSlots(step, 1, 256), packModelHypers(hypers), dy, count, kept],
        count,
      );
      const factors = cpuFactors(rate, layer, step);
      const expected = Float32Array.from({ length: count }, (_, i) => {
        const unit = i % SIZE;
        const model = Math.floor(i / (ROWS * SIZE));
        if (unit >= hypers[model].hiddenUnits) return 0;
        return Math.fround(dy[i] * factors[i]) * ops.activationDerivative('relu', kept[i]);
      });
      expect(Array.from(dx)).toEqual(Array.from(expected));
    }));
});

function expectCurvesClose(what: string, actual: PopulationResult, expected: PopulationResult, rows: number): void {
  expected.reports[0].trainLoss.forEach((_, m) => {
    for (const metric of ['trainLoss', 'validationLoss', 'trainAccuracy', 'validationAccuracy'] as const) {
      const { maxAbs, relative } = relativeError(
        actual.reports.map((r) => r[metric][m]),
        expected.reports.map((r) => r[metric][m]),
      );
      console.log(
        `[dropout] ${what} model ${m} ${metric}: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`,
      );
      if (metric.endsWith('Accuracy')) expect(maxAbs, `${what} ${m} ${metric}`).toBeLessThanOrEqual(1 / rows + 1e-6);
      else expect(relative, `${what} ${m} ${metric}`).toBeLessThanOrEqual(1e-3);
    }
  });
}

describe('dropout in training runs: GPU engine against the CPU engine', () => {
  it('an MLP with input dropout and dropout after each masked hidden layer, three widths', () =>
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
            { kind: 'dropout', rate: 0.1 },
            { kind: 'dense', activation: 'relu' },
            { kind: 'dropout', rate: 0.5 },
            { kind: 'dense', activation: 'gelu' },
            { kind: 'dropout', rate: 0.25 },
          ],
        },
        models: [
          modelHyper({ hiddenUnits: 12, learningRate: 0.02 }),
          modelHyper({ hiddenUnits: 7, optimizer: 'momentum', learningRate: 0.05, dataSeed: 3 }),
          modelHyper({ hiddenUnits: 2, optimizer: 'sgd', learningRate: 0.2, dataSeed: 4 }),
        ],
        data,
        steps: 80,
        reportEvery: 20,
      };
      const gpu = await createGpuEngine({ device });
      expectCurvesClose('spiral', await gpu.train(job), await createCpuEngine().train(job), 40);
      gpu.dispose();
    }));
});
