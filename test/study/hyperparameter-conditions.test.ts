// Each condition in the table of hyperparameters is true of the engine: a conditional
// hyperparameter changes what the CPU engine (the reference) trains exactly when its
// condition holds. Two models differing only in that hyperparameter train side by side:
// their final parameters are bit-identical when the condition fails, and differ when it holds.
import { inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import { HYPERPARAMETERS, type HyperparameterRow, hyperparameterRow } from '../../src/search/hyperparameters.ts';
import type { ParamValue } from '../../src/search/space.ts';
import type { Params } from '../../src/search/types.ts';
import { trialBucket, trialModel } from '../../src/study/population.ts';
import { createCpuEngine } from '../../src/train/cpu/engine.ts';
import { digitsTrainingData } from '../../src/train/data/digits.ts';
import { decodeDigitsPack } from '../../src/train/data/digitsFormat.ts';
import { digitsAssetBytes } from '../../src/train/data/digitsPack.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';

// 96 training rows, batch 32: 3 steps an epoch, so 24 steps reach epoch 7 (the 'step' schedule drops at 5).
const data = makeDataset('spiral', { count: 128, noise: 0.1, validationFraction: 0.25, seed: 3 });
// The CNN's rows need images: 128 digits at 14×14.
const digits = digitsTrainingData(decodeDigitsPack(inflateSync(digitsAssetBytes())), {
  count: 128,
  validationFraction: 0.25,
  seed: 3,
});
const defaults: Params = Object.fromEntries(standardSpace().map((p) => [p.name, p.default]));

/** A value of `row` other than its default, from its default range or choices. */
function otherValue(row: HyperparameterRow): ParamValue {
  if (row.distribution.kind === 'categorical') {
    const other = row.distribution.choices.find((c) => c !== row.default);
    if (other === undefined) throw new Error(`${row.name} has one choice`);
    return other;
  }
  return row.distribution.low !== row.default ? row.distribution.low : row.distribution.high;
}

/**
 * Whether `name` at its default and at another value train to different parameters, the rest
 * of `params` held. A 'layers' row decides the population's layer list, so each value trains
 * in its own population; the others train side by side in one.
 */
async function changesTraining(name: string, params: Params): Promise<boolean> {
  const row = hyperparameterRow(name)!;
  const on = row.target === 'layers' ? digits : data;
  const a = { ...defaults, ...params, batchSize: 32, hiddenUnits: 8, learningRate: 0.05, dropout: 0.25 };
  const b = { ...a, [name]: otherValue(row) };
  const job = (models: Params[]) => ({
    shape: { ...trialBucket(models[0], on), inputs: on.inputs, outputs: on.outputs, maxHidden: 8 },
    models: models.map((m) => trialModel(m, 1, 0)),
    data: on,
    steps: 24,
    reportEvery: 24,
  });
  const engine = createCpuEngine();
  const [first, second] =
    row.target === 'layers'
      ? [(await engine.train(job([a]))).parameters[0], (await engine.train(job([b]))).parameters[0]]
      : (await engine.train(job([a, b]))).parameters;
  return first.length !== second.length || first.some((w, i) => !Object.is(w, second[i]));
}

describe('conditions of the table of hyperparameters hold in the engine', () => {
  for (const row of (HYPERPARAMETERS as readonly HyperparameterRow[]).filter((r) => r.condition)) {
    const { param, values } = row.condition!;
    const choices = hyperparameterRow(param)!.value as { choices: readonly string[] };
    it(`${row.name} changes training exactly with ${param} ${values.join(' / ')}`, async () => {
      const effect: Record<string, boolean> = {};
      for (const choice of choices.choices) effect[choice] = await changesTraining(row.name, { [param]: choice });
      expect(effect).toEqual(Object.fromEntries(choices.choices.map((c) => [c, values.includes(c)])));
    }, 60_000); // a CNN row trains two small CNNs on the CPU engine: seconds on a loaded machine
  }
});
