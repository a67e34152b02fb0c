// The TensorFlow.js 4.22 baselines: a workload's models trained one after another, as a
// user of TF.js would, with its 'webgpu' or 'cpu' backend. Each step is a manual batch
// (gather, the model's forward pass, softmax cross-entropy, Adam), the same work per step as
// model.fit but without fit's per-batch loss read-back, so the baseline is TF.js at its
// fastest. Batches follow the project's data order (batchSampleIndex), weights use TF.js's
// own He-normal initializer. Two workloads: the MLP S64 (MLP_TFJS) and the CNN (cnn.ts).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { batchSampleIndex } from '../src/train/cpu/ops.ts';
import type { ModelHyper, TrainingData } from '../src/train/types.ts';
import { median, progress } from './stats.ts';
import { SHAPE, trialHyper } from './workload.ts';

/** What TF.js trains: the model of trial `seed`, a row's tensor shape, and trial n's hyperparameters. */
export interface TfjsWorkload {
  build(seed: number): tf.Sequential;
  /** One row's tensor, e.g. [2] or [28, 28, 1] (TF.js's channels-last; one channel is the same floats). */
  rowShape: number[];
  outputs: number;
  batchSize: number;
  hyper(trial: number): ModelHyper;
}

export type TfjsBackend = 'webgpu' | 'cpu';

export interface TfjsPlan {
  /** Untimed steps first (shader compilation, kernel caches). */
  warmupSteps: number;
  /** Trials timed, each for `stepsPerTrial` steps; their medians are reported. */
  trials: number;
  stepsPerTrial: number;
}

export interface TfjsBaseline {
  backend: TfjsBackend;
  msPerStep: number[];
  medianMsPerStep: number;
  trialStepsPerSecond: number;
  plan: TfjsPlan;
}

export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  if (!(await tf.setBackend(backend))) {
    throw new Error(
      `TF.js could not start its '${backend}' backend; for 'webgpu', start Chromium with --enable-unsafe-webgpu`,
    );
  }
  await tf.ready();
}

/** The S64 workload: the MLP 2-32-32-2. */
export const MLP_TFJS: TfjsWorkload = {
  build(seed) {
    const dense = (units: number, activation: 'relu' | 'linear', inputShape?: number[]) =>
      tf.layers.dense({ units, activation, inputShape, kernelInitializer: tf.initializers.heNormal({ seed }) });
    return tf.sequential({
      layers: [
        dense(SHAPE.maxHidden, 'relu', [SHAPE.inputs]),
        dense(SHAPE.maxHidden, 'relu'),
        dense(SHAPE.outputs, 'linear'),
      ],
    });
  },
  rowShape: [SHAPE.inputs],
  outputs: SHAPE.outputs,
  batchSize: SHAPE.batchSize,
  hyper: trialHyper,
};

/** Trains trial `trial` for `steps` steps; returns milliseconds per step, GPU work included. */
async function timeTrial(
  workload: TfjsWorkload,
  trial: number,
  steps: number,
  x: tf.Tensor,
  yOneHot: tf.Tensor2D,
  count: number,
): Promise<number> {
  const { batchSize } = workload;
  const hyper = workload.hyper(trial);
  const model = workload.build(trial);
  const optimizer = tf.train.adam(hyper.learningRate, hyper.beta1, hyper.beta2, hyper.epsilon);
  const batches = Array.from({ length: steps }, (_, step) =>
    tf.tensor1d(
      Int32Array.from({ length: batchSize }, (_, b) => batchSampleIndex(hyper.dataSeed, step, b, batchSize, count)),
      'int32',
    ),
  );
  const firstKernel = model.getWeights()[0];
  await firstKernel.data(); // weights and batch indices are on the device before the clock starts
  const start = performance.now();
  for (const indices of batches) {
    tf.tidy(() => {
      const xb = tf.gather(x, indices);
      const yb = tf.gather(yOneHot, indices);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb) as tf.Tensor2D) as tf.Scalar);
    });
  }
  await model.getWeights()[0].data(); // the device queue runs in order: this waits for every step
  const msPerStep = (performance.now() - start) / steps;
  tf.dispose(batches);
  optimizer.dispose();
  model.dispose();
  return msPerStep;
}

export async function benchTfjs(
  backend: TfjsBackend,
  data: TrainingData,
  plan: TfjsPlan,
  workload: TfjsWorkload = MLP_TFJS,
): Promise<TfjsBaseline> {
  await useTfjsBackend(backend);
  const { count } = data.train;
  const x = tf.tensor(data.train.x, [count, ...workload.rowShape]);
  const yOneHot = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Int32Array.from(data.train.y), 'int32'), workload.outputs).toFloat(),
  ) as tf.Tensor2D;
  try {
    await timeTrial(workload, 0, plan.warmupSteps, x, yOneHot, count);
    const msPerStep: number[] = [];
    for (let trial = 1; trial <= plan.trials; trial++) {
      msPerStep.push(await timeTrial(workload, trial, plan.stepsPerTrial, x, yOneHot, count));
      progress(
        `tfjs-${backend} trial ${trial}: ${plan.stepsPerTrial} steps at ${msPerStep.at(-1)!.toFixed(2)} ms/step`,
      );
    }
    const medianMsPerStep = median(msPerStep);
    return { backend, msPerStep, medianMsPerStep, trialStepsPerSecond: 1000 / medianMsPerStep, plan };
  } finally {
    tf.dispose([x, yOneHot]);
  }
}
