// The benchmark's workload (issue 2): 64 trials of an MLP 2-32-32-2 (relu, softmax
// cross-entropy, Adam with log-uniformly sampled learning rates), batch 32, on a 512-point
// 2-D spiral, 320 steps each. The project's engines train all trials as one population;
// the TF.js baselines train the same models one after another.
import { uniform } from '../src/search/random.ts';
import type { FloatDistribution } from '../src/search/space.ts';
import { fromUnit } from '../src/search/space.ts';
import { defaultModel } from '../src/study/population.ts';
import type { ModelHyper, PopulationJob, PopulationShape, TrainingData } from '../src/train/types.ts';
import { layerDims } from '../src/train/types.ts';

export const WORKLOAD = {
  trials: 64,
  steps: 320,
  batchSize: 32,
  hidden: 32,
  points: 512,
  learningRate: { kind: 'float', scale: 'log', low: 1e-3, high: 1e-1 } satisfies FloatDistribution,
  seed: 20240601,
  /** Losses come back every 32 steps, as live curves need: 10 read-backs per run. */
  reportEvery: 32,
} as const;

export const WORKLOAD_LABEL =
  `${WORKLOAD.trials} trials MLP 2-${WORKLOAD.hidden}-${WORKLOAD.hidden}-2 relu softmax-CE ` +
  `Adam lr~logU[${WORKLOAD.learningRate.low},${WORKLOAD.learningRate.high}] batch ${WORKLOAD.batchSize}, ` +
  `${WORKLOAD.points}-point spiral, ${WORKLOAD.steps} steps`;

export const SHAPE: PopulationShape = {
  inputs: 2,
  outputs: 2,
  hiddenLayers: 2,
  maxHidden: WORKLOAD.hidden,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: WORKLOAD.batchSize,
};

/**
 * Matmul flops of one trial-step (forward, weight gradients, and input gradients for every
 * layer but the first), 2·batch·rows·cols each: what any engine must at least compute.
 */
export function matmulFlopsPerTrialStep(shape: PopulationShape = SHAPE): number {
  return layerDims(shape).reduce(
    (sum, { rows, cols }, l) => sum + (l === 0 ? 2 : 3) * 2 * shape.batchSize * rows * cols,
    0,
  );
}

/** Trial n's learning rate, log-uniform: a pure function of (seed, n). */
export function learningRate(trial: number): number {
  return fromUnit(WORKLOAD.learningRate, uniform(WORKLOAD.seed, trial, 0)) as number;
}

/** Trial n of the workload: Adam at the table's defaults with its own learning rate, seeded by n. */
export function trialHyper(trial: number): ModelHyper {
  return defaultModel(trial, { hiddenUnits: WORKLOAD.hidden, learningRate: learningRate(trial) });
}

export function populationJob(data: TrainingData, steps: number = WORKLOAD.steps): PopulationJob {
  return {
    shape: SHAPE,
    models: Array.from({ length: WORKLOAD.trials }, (_, trial) => trialHyper(trial)),
    data,
    steps,
    reportEvery: WORKLOAD.reportEvery,
  };
}
