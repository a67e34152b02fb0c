// The WASM engine against the CPU engine (its oracle) on whole training runs, and its own
// promises: a model's numbers do not depend on its neighbours, its place in the population
// or the number of threads. Run in Node (one thread) and in Chromium (threads too).
import { describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import { makeDataset } from '../../../src/train/data/synthetic.ts';
import type {
  ModelHyper,
  PopulationJob,
  PopulationResult,
  PopulationShape,
  TrainingData,
} from '../../../src/train/types.ts';
import { createWasmEngine } from '../../../src/train/wasm/engine.ts';
import { modelHyper } from '../model-hyper.ts';

const spiral = makeDataset('spiral', { count: 160, noise: 0.05, validationFraction: 0.25, seed: 3 });
const plane = makeDataset('plane', { count: 120, noise: 0.05, validationFraction: 0.25, seed: 4 });

const shapeFor = (data: TrainingData, overrides: Partial<PopulationShape>): PopulationShape => ({
  inputs: data.inputs,
  outputs: data.outputs,
  hiddenLayers: 2,
  maxHidden: 8,
  activation: 'tanh',
  loss: data.task === 'classification' ? 'softmax_cross_entropy' : 'mse',
  init: 'xavier',
  batchSize: 16,
  ...overrides,
});

const model = (overrides: Partial<ModelHyper>): ModelHyper =>
  modelHyper({ hiddenUnits: 8, epsilon: 1e-7, decayRate: 0.5, dataSeed: 22, ...overrides });

/** Nine models (three quads, the last one short) mixing every optimizer, schedule and width. */
const MIXED: ModelHyper[] = [
  model({ optimizer: 'sgd', learningRate: 0.3, hiddenUnits: 8, decay: 'cosine' }),
  model({
    optimizer: 'momentum',
    learningRate: 0.2,
    hiddenUnits: 5,
    decay: 'exponential',
    decayRate: 0.9,
    initSeed: 1,
  }),
  model({
    optimizer: 'rmsprop',
    learningRate: 0.005,
    rmspropAlpha: 0.9,
    hiddenUnits: 3,
    weightDecay: 0.01,
    decay: 'inverse_time',
    dataSeed: 5,
  }),
  model({
    optimizer: 'adam',
    hiddenUnits: 7,
    weightDecay: 0.05,
    decay: 'step',
    decayRate: 0.5,
    decayEvery: 3,
    initSeed: 9,
  }),
  model({ optimizer: 'adam', learningRate: 0.03, hiddenUnits: 2, initSeed: 4, dataSeed: 6 }),
  model({ optimizer: 'sgd', learningRate: 0.1, hiddenUnits: 6, weightDecay: 0.02, initSeed: 5 }),
  model({ optimizer: 'momentum', learningRate: 0.05, beta1: 0.5, hiddenUnits: 8, initSeed: 6, dataSeed: 7 }),
  model({ optimizer: 'rmsprop', learningRate: 0.002, hiddenUnits: 4, initSeed: 7 }),
  model({ optimizer: 'adam', learningRate: 0.003, beta1: 0.8, beta2: 0.99, hiddenUnits: 1, initSeed: 8 }),
];

/** Max over curves and metrics of |a - b| / max(|b|, 1e-3); accuracies as counted rows. */
function worstDifference(
  actual: PopulationResult,
  expected: PopulationResult,
): { loss: number; accuracy: number; parameters: number } {
  let loss = 0;
  let accuracy = 0;
  expected.reports.forEach((report, r) => {
    for (const metric of ['trainLoss', 'validationLoss'] as const)
      report[metric].forEach((e, m) => {
        loss = Math.max(loss, Math.abs(actual.reports[r][metric][m] - e) / Math.max(Math.abs(e), 1e-3));
      });
    for (const metric of ['trainAccuracy', 'validationAccuracy'] as const)
      report[metric].forEach((e, m) => {
        if (!Number.isNaN(e)) accuracy = Math.max(accuracy, Math.abs(actual.reports[r][metric][m] - e));
      });
  });
  let parameters = 0;
  expected.parameters.forEach((p, m) => {
    let norm = 0;
    let diff = 0;
    p.forEach((v, i) => {
      norm = Math.max(norm, Math.abs(v));
      diff = Math.max(diff, Math.abs(actual.parameters[m][i] - v));
    });
    parameters = Math.max(parameters, diff / norm);
  });
  return { loss, accuracy, parameters };
}

export function describeAgreement(where: string, threadCounts: number[]): void {
  describe(`WASM engine against the CPU engine (${where})`, () => {
    const cpu = createCpuEngine();

    it.each(threadCounts)(
      'trains a mixed classification population for 200 steps like the CPU (%i threads): losses within 1e-5 relative',
      async (threads) => {
        const job: PopulationJob = {
          shape: shapeFor(spiral, {}),
          models: MIXED,
          data: spiral,
          steps: 200,
          reportEvery: 50,
        };
        const wasm = await createWasmEngine({ threads });
        const actual = await wasm.train(job);
        wasm.dispose();
        const expected = await cpu.train(job);
        const worst = worstDifference(actual, expected);
        console.log(
          `[wasm vs cpu] classification, ${threads} threads: losses ${worst.loss.toExponential(2)} relative, parameters ${worst.parameters.toExponential(2)} of their largest, accuracies ${worst.accuracy}`,
        );
        expect(worst.loss).toBeLessThan(1e-5);
        expect(worst.parameters).toBeLessThan(1e-5);
        // One validation row in 40 flipping across the boundary moves an accuracy by 0.025.
        expect(worst.accuracy).toBeLessThanOrEqual(0.025 + 1e-9);
        expect(Array.from(actual.stoppedAtStep)).toEqual(Array.from(expected.stoppedAtStep));
      },
    );

    it.each(['gelu', 'sigmoid', 'leaky_relu', 'gelu_tanh'] as const)(
      'trains a regression population with %s like the CPU: mean squared errors within 1e-5 relative',
      async (activation) => {
        const job: PopulationJob = {
          shape: shapeFor(plane, { activation, hiddenLayers: 1, maxHidden: 6, init: 'he', batchSize: 8 }),
          models: MIXED.slice(0, 6).map((m) => ({
            ...m,
            hiddenUnits: Math.min(m.hiddenUnits, 6),
            learningRate: m.learningRate / 4,
          })),
          data: plane,
          steps: 150,
          reportEvery: 50,
        };
        const wasm = await createWasmEngine({ threads: threadCounts.at(-1) });
        const worst = worstDifference(await wasm.train(job), await cpu.train(job));
        wasm.dispose();
        console.log(
          `[wasm vs cpu] regression ${activation}: losses ${worst.loss.toExponential(2)} relative, parameters ${worst.parameters.toExponential(2)}`,
        );
        expect(worst.loss).toBeLessThan(1e-5);
        expect(worst.parameters).toBeLessThan(1e-5);
      },
    );

    it('gives every model the same bits whatever its neighbours, its place and the thread count', async () => {
      const job: PopulationJob = {
        shape: shapeFor(spiral, {}),
        models: MIXED,
        data: spiral,
        steps: 60,
        reportEvery: 20,
      };
      const results: PopulationResult[] = [];
      for (const threads of threadCounts) {
        const wasm = await createWasmEngine({ threads });
        results.push(await wasm.train(job));
        // Reversed, the models meet other neighbours in other quads (and threads).
        const reversed = await wasm.train({ ...job, models: [...MIXED].reverse() });
        results.push({
          reports: reversed.reports.map((r) => ({
            ...r,
            trainLoss: r.trainLoss.slice().reverse(),
            trainAccuracy: r.trainAccuracy.slice().reverse(),
            validationLoss: r.validationLoss.slice().reverse(),
            validationAccuracy: r.validationAccuracy.slice().reverse(),
            diverged: r.diverged.slice().reverse(),
          })),
          parameters: reversed.parameters.slice().reverse(),
          stoppedAtStep: reversed.stoppedAtStep.slice().reverse(),
        });
        wasm.dispose();
      }
      const alone = await createWasmEngine({ threads: 1 });
      const single = await alone.train({ ...job, models: [MIXED[3]] });
      alone.dispose();
      for (const result of results.slice(1)) expect(result).toEqual(results[0]);
      expect(single.reports.map((r) => r.validationLoss[0])).toEqual(
        results[0].reports.map((r) => r.validationLoss[3]),
      );
      expect(single.parameters[0]).toEqual(results[0].parameters[3]);
    });
  });
}
