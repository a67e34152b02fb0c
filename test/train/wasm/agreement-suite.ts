// The WASM engine against the CPU engine (its oracle) on whole training runs, and its own
// promises: a model's numbers do not depend on its neighbours, its place in the population
// or the number of threads. Run in Node (one thread) and in Chromium (threads too).
import { describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import type { PopulationJob, PopulationResult } from '../../../src/train/types.ts';
import { createWasmEngine } from '../../../src/train/wasm/engine.ts';
import { MIXED, plane, shapeFor, spiral } from '../mixed-population.ts';

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

    it('trains models wide enough for the wide-layer matmul routes (width 192) like the CPU: losses within 1e-5 relative', async () => {
      // Above quad-trainer.ts's thresholds: the forward pass packs weight panels, the weight gradient transposes.
      const job: PopulationJob = {
        shape: shapeFor(spiral, { activation: 'relu', init: 'he', maxHidden: 192 }),
        models: MIXED.slice(0, 5).map((m, i) => ({
          ...m,
          hiddenUnits: [192, 190, 185, 100, 192][i],
          learningRate: 0.01,
        })),
        data: spiral,
        steps: 12,
        reportEvery: 6,
      };
      const wasm = await createWasmEngine({ threads: threadCounts.at(-1) });
      const worst = worstDifference(await wasm.train(job), await cpu.train(job));
      wasm.dispose();
      console.log(
        `[wasm vs cpu] width 192: losses ${worst.loss.toExponential(2)} relative, parameters ${worst.parameters.toExponential(2)}`,
      );
      expect(worst.loss).toBeLessThan(1e-5);
      expect(worst.parameters).toBeLessThan(1e-5);
    });

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
          statistics: reversed.statistics.slice().reverse(),
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
