// The engine agreement tests' shared population: two small data sets, a shape maker and nine
// models mixing every optimizer, schedule and width, so each engine is checked against the
// CPU oracle on the same jobs.
import { makeDataset } from '../../src/train/data/synthetic.ts';
import type { ModelHyper, PopulationShape, TrainingData } from '../../src/train/types.ts';
import { modelHyper } from './model-hyper.ts';

export const spiral: TrainingData = makeDataset('spiral', {
  count: 160,
  noise: 0.05,
  validationFraction: 0.25,
  seed: 3,
});
export const plane: TrainingData = makeDataset('plane', { count: 120, noise: 0.05, validationFraction: 0.25, seed: 4 });

/** Two tanh hidden layers of 8, batch 16, the loss of the data's task. */
export const shapeFor = (data: TrainingData, overrides: Partial<PopulationShape>): PopulationShape => ({
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

export const model = (overrides: Partial<ModelHyper>): ModelHyper =>
  modelHyper({ hiddenUnits: 8, epsilon: 1e-7, decayRate: 0.5, dataSeed: 22, ...overrides });

/** Nine models (for the WASM engine: three quads, the last one short) mixing every optimizer, schedule and width. */
export const MIXED: ModelHyper[] = [
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
