// From planned trials to engine jobs: each trial's params become one model's ModelHyper, and
// trials that can share a population (same depth, activation and batch size; the loss
// follows the task) are grouped into one shape bucket whose hidden width is the widest
// trial's. A trial's seeds come from (study seed, trial id) only, so its curve does not
// depend on which population it lands in.
import { hash32 } from '../search/random.ts';
import type { Params, TrialPlan } from '../search/types.ts';
import type {
  Activation,
  DecayKind,
  InitKind,
  LossKind,
  ModelHyper,
  OptimizerKind,
  PopulationShape,
  TrainingData,
} from '../train/types.ts';
import { ACTIVATIONS, DECAYS, OPTIMIZERS } from '../train/types.ts';

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

function numberParam(params: Params, name: string, integer = false): number {
  const value = params[name];
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new Error(
      `trial parameter ${name} must be ${integer ? 'an integer' : 'a finite number'}, got ${JSON.stringify(value)}`,
    );
  return n;
}

function choiceParam<T extends string>(params: Params, name: string, choices: readonly T[]): T {
  const value = String(params[name]);
  if (!(choices as readonly string[]).includes(value))
    throw new Error(
      `trial parameter ${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(params[name])}`,
    );
  return value as T;
}

/** The shape-bucket fields a trial decides (everything of PopulationShape but maxHidden and the data's sizes). */
export function trialBucket(
  params: Params,
  task: TrainingData['task'],
): Pick<PopulationShape, 'hiddenLayers' | 'activation' | 'batchSize' | 'loss' | 'init'> {
  const activation = choiceParam<Activation>(params, 'activation', ACTIVATIONS);
  return {
    hiddenLayers: numberParam(params, 'hiddenLayers', true),
    activation,
    batchSize: numberParam(params, 'batchSize', true),
    loss: lossFor(task),
    init: initFor(activation),
  };
}

export function trialModel(params: Params, studySeed: number, trialId: number): ModelHyper {
  return {
    hiddenUnits: numberParam(params, 'hiddenUnits', true),
    optimizer: choiceParam<OptimizerKind>(params, 'optimizer', OPTIMIZERS),
    learningRate: numberParam(params, 'learningRate'),
    beta1: numberParam(params, 'beta1'),
    beta2: numberParam(params, 'beta2'),
    rmspropAlpha: numberParam(params, 'rmspropAlpha'),
    epsilon: numberParam(params, 'epsilon'),
    weightDecay: numberParam(params, 'weightDecay'),
    decay: choiceParam<DecayKind>(params, 'decay', DECAYS),
    decayRate: numberParam(params, 'decayRate'),
    decayEvery: DECAY_EVERY_EPOCHS,
    ...trialSeeds(studySeed, trialId),
  };
}

/**
 * Groups trials into populations, one per shape bucket, in order of each bucket's first
 * trial. A trial whose params cannot make a model is returned in `invalid` with the reason.
 */
export function groupIntoPopulations(
  trials: readonly TrialPlan[],
  studySeed: number,
  data: Pick<TrainingData, 'task' | 'inputs' | 'outputs'>,
): { populations: PopulationPlan[]; invalid: Array<{ trial: TrialPlan; reason: string }> } {
  const buckets = new Map<string, PopulationPlan>();
  const invalid: Array<{ trial: TrialPlan; reason: string }> = [];
  for (const trial of trials) {
    let bucket: ReturnType<typeof trialBucket>;
    let model: ModelHyper;
    try {
      bucket = trialBucket(trial.params, data.task);
      model = trialModel(trial.params, studySeed, trial.id);
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
