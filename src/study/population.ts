// From planned trials to engine jobs: each trial's params become one model's ModelHyper (the
// table of hyperparameters' 'model' rows), and trials that can share a population (the same
// 'shape' rows: depth, activation and batch size; the same layer list, which the 'layers' rows
// decide for a CNN (cnn.ts); the loss follows the task) are grouped into one shape bucket
// whose hidden width is the widest trial's. A trial's seeds come from (study seed, trial id) only, so its curve does not
// depend on which population it lands in.
import {
  type HyperparameterRow,
  inEffect,
  MODEL_ROWS,
  type ModelHyperparameters,
  SHAPE_ROWS,
  type ShapeHyperparameters,
} from '../search/hyperparameters.ts';
import { hash32 } from '../search/random.ts';
import type { Params, TrialPlan } from '../search/types.ts';
import { layerListProblem } from '../train/layers.ts';
import type { Activation, InitKind, LossKind, ModelHyper, PopulationShape, TrainingData } from '../train/types.ts';
import { trialLayers } from './cnn.ts';

/** The 'step' decay schedule drops the learning rate every this many epochs (not searched). */
export const DECAY_EVERY_EPOCHS = 5;
const INIT_SEED_TAG = 0x1417;
const DATA_SEED_TAG = 0xda7a;

/** Trials that train together as one PopulationJob: their shared shape and one ModelHyper per trial. */
export interface PopulationPlan {
  shape: PopulationShape;
  trials: TrialPlan[];
  models: ModelHyper[];
}

export function lossFor(task: TrainingData['task']): LossKind {
  return task === 'classification' ? 'softmax_cross_entropy' : 'mse';
}

/** He for the relu family (it keeps their activations' variance), Xavier for the saturating ones. */
export function initFor(activation: Activation): InitKind {
  return activation === 'relu' || activation === 'leaky_relu' || activation === 'gelu' || activation === 'gelu_tanh'
    ? 'he'
    : 'xavier';
}

export function trialSeeds(studySeed: number, trialId: number): { initSeed: number; dataSeed: number } {
  return { initSeed: hash32(studySeed, trialId, INIT_SEED_TAG), dataSeed: hash32(studySeed, trialId, DATA_SEED_TAG) };
}

/**
 * A trial's value of one hyperparameter as the engine takes it, or an error naming what is
 * wrong. One whose condition fails is not recorded; the engine gets the table's default,
 * which it does not use (β2 under SGD).
 */
function engineValue(params: Params, row: HyperparameterRow): number | string {
  const value = inEffect(row.name, params) || row.name in params ? params[row.name] : row.default;
  if (row.value.kind === 'choice') {
    const choices = row.value.choices;
    if (!choices.includes(String(value)))
      throw new Error(`trial parameter ${row.name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    return String(value);
  }
  const integer = row.value.kind === 'int';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new Error(
      `trial parameter ${row.name} must be ${integer ? 'an integer' : 'a finite number'}, got ${JSON.stringify(value)}`,
    );
  return n;
}

/** A trial's values of `rows`, as the engine takes them. */
function engineValues<T>(params: Params, rows: readonly HyperparameterRow[]): T {
  return Object.fromEntries(rows.map((row) => [row.name, engineValue(params, row)])) as T;
}

/**
 * The shape-bucket fields a trial decides (everything of PopulationShape but maxHidden and
 * the data's sizes): a CNN's layers and the data's image too; an MLP's bucket is as before.
 */
export function trialBucket(
  params: Params,
  data: Pick<TrainingData, 'task' | 'image'>,
): Omit<PopulationShape, 'maxHidden' | 'inputs' | 'outputs'> {
  const shape = engineValues<ShapeHyperparameters>(params, SHAPE_ROWS);
  const bucket = { ...shape, loss: lossFor(data.task), init: initFor(shape.activation) };
  const layers = trialLayers(params, shape, data.image);
  if (!layers) return bucket;
  return data.image ? { ...bucket, layers, image: data.image } : { ...bucket, layers };
}

export function trialModel(params: Params, studySeed: number, trialId: number): ModelHyper {
  return {
    ...engineValues<ModelHyperparameters>(params, MODEL_ROWS),
    decayEvery: DECAY_EVERY_EPOCHS,
    ...trialSeeds(studySeed, trialId),
  };
}

/**
 * A model with every 'model' row at the table's default (with `overrides`), seeded by `seed`
 * for both init and data order: what an engine probe or a benchmark trains.
 */
export function defaultModel(seed: number, overrides: Partial<ModelHyper> = {}): ModelHyper {
  const defaults: Params = Object.fromEntries(MODEL_ROWS.map((row) => [row.name, row.default]));
  return {
    ...engineValues<ModelHyperparameters>(defaults, MODEL_ROWS),
    decayEvery: DECAY_EVERY_EPOCHS,
    initSeed: seed,
    dataSeed: seed,
    ...overrides,
  };
}

/**
 * Groups trials into populations, one per shape bucket, in order of each bucket's first
 * trial. A trial whose params cannot make a model is returned in `invalid` with the reason.
 */
export function groupIntoPopulations(
  trials: readonly TrialPlan[],
  studySeed: number,
  data: Pick<TrainingData, 'task' | 'inputs' | 'outputs' | 'image'>,
): { populations: PopulationPlan[]; invalid: Array<{ trial: TrialPlan; reason: string }> } {
  const buckets = new Map<string, PopulationPlan>();
  const invalid: Array<{ trial: TrialPlan; reason: string }> = [];
  for (const trial of trials) {
    let bucket: ReturnType<typeof trialBucket>;
    let model: ModelHyper;
    try {
      bucket = trialBucket(trial.params, data);
      model = trialModel(trial.params, studySeed, trial.id);
      const problem = layerListProblem({ ...bucket, inputs: data.inputs, outputs: data.outputs, maxHidden: 1 });
      if (problem) throw new Error(problem);
    } catch (e) {
      invalid.push({ trial, reason: (e as Error).message });
      continue;
    }
    const key = JSON.stringify(bucket);
    let population = buckets.get(key);
    if (!population) {
      population = {
        shape: { ...bucket, inputs: data.inputs, outputs: data.outputs, maxHidden: 0 },
        trials: [],
        models: [],
      };
      buckets.set(key, population);
    }
    population.trials.push(trial);
    population.models.push(model);
    population.shape.maxHidden = Math.max(population.shape.maxHidden, model.hiddenUnits);
  }
  return { populations: [...buckets.values()], invalid };
}
