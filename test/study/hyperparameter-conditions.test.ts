// Each condition in the table of hyperparameters is true of the engine: a conditional
// hyperparameter changes what the CPU engine (the reference) trains exactly when its
// condition holds. Two models differing only in that hyperparameter train side by side:
// their final parameters are bit-identical when the condition fails, and differ when it holds.
import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { HYPERPARAMETERS, type HyperparameterRow, hyperparameterRow } from '../../src/search/hyperparameters.ts';
import type { Params } from '../../src/search/types.ts';
import { trialBucket, trialModel } from '../../src/study/population.ts';
import { createCpuEngine } from '../../src/train/cpu/engine.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';

// 96 training rows, batch 32: 3 steps an epoch, so 24 steps reach epoch 7 (the 'step' schedule drops at 5).
const data = makeDataset('spiral', { count: 128, noise: 0.1, validationFraction: 0.25, seed: 3 });
const defaults: Params = Object.fromEntries(standardSpace().map((p) => [p.name, p.default]));

/** A value of `row` other than its default, from its default range. */
function otherValue(row: HyperparameterRow): number {
  if (row.distribution.kind === 'categorical') throw new Error(`${row.name} is not numeric`);
  return row.distribution.low !== row.default ? row.distribution.low : row.distribution.high;
}

/** Whether `name` at its default and at another value train to different parameters, the rest of `params` held. */
async function changesTraining(name: string, params: Params): Promise<boolean> {
  const row = hyperparameterRow(name)!;
  const a = { ...defaults, ...params, batchSize: 32, hiddenUnits: 8, learningRate: 0.05 };
  const b = { ...a, [name]: otherValue(row) };
  const job = {
    shape: { ...trialBucket(a, data.task), inputs: data.inputs, outputs: data.outputs, maxHidden: 8 },
    models: [trialModel(a, 1, 0), trialModel(b, 1, 0)],
    data,
    steps: 24,
    reportEvery: 24,
  };
  const { parameters } = await createCpuEngine().train(job);
  return parameters[0].some((w, i) => !Object.is(w, parameters[1][i]));
}

describe('conditions of the table of hyperparameters hold in the engine', () => {
  for (const row of (HYPERPARAMETERS as readonly HyperparameterRow[]).filter((r) => r.condition)) {
    const { param, values } = row.condition!;
    const choices = hyperparameterRow(param)!.value as { choices: readonly string[] };
    it(`${row.name} changes training exactly with ${param} ${values.join(' / ')}`, async () => {
      const effect: Record<string, boolean> = {};
      for (const choice of choices.choices) effect[choice] = await changesTraining(row.name, { [param]: choice });
      expect(effect).toEqual(Object.fromEntries(choices.choices.map((c) => [c, values.includes(c)])));
    });
  }
});
