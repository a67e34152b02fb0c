// The CNN workload (issue 11): 16 trials of conv(8)-maxpool-conv(16)-maxpool-dense(10), 3×3
// same-padding relu convolutions, on 2,048 of the 28×28 digits, batch 32, Adam with
// log-uniformly sampled learning rates. The project's engines train the 16 as one population;
// TF.js trains the same models one after another (tfjs-baseline.ts). The WASM engine trains
// MLPs only, so it is not in this table.
import * as tf from '@tensorflow/tfjs';
import { uniform } from '../src/search/random.ts';
import { type FloatDistribution, fromUnit } from '../src/search/space.ts';
import { defaultModel } from '../src/study/population.ts';
import { digitsTrainingData, loadDigitsPack } from '../src/train/data/digits.ts';
import { block, type HiddenLayerSpec, modelLayout } from '../src/train/layers.ts';
import type { ModelHyper, PopulationJob, PopulationShape, TrainingData, TrainingEngine } from '../src/train/types.ts';
import { median, progress, round } from './stats.ts';
import { benchTfjs, type TfjsPlan, type TfjsWorkload } from './tfjs-baseline.ts';

export const CNN_WORKLOAD = {
  trials: 16,
  digits: 2048,
  side: 28,
  batchSize: 32,
  filters: [8, 16],
  learningRate: { kind: 'float', scale: 'log', low: 1e-3, high: 1e-2 } satisfies FloatDistribution,
  seed: 20261201,
} as const;

export const CNN_WORKLOAD_LABEL =
  `${CNN_WORKLOAD.trials} trials conv(${CNN_WORKLOAD.filters[0]})-maxpool-conv(${CNN_WORKLOAD.filters[1]})-maxpool-dense(10) ` +
  `3×3 relu, Adam lr~logU[${CNN_WORKLOAD.learningRate.low},${CNN_WORKLOAD.learningRate.high}] batch ${CNN_WORKLOAD.batchSize}, ` +
  `${CNN_WORKLOAD.digits} digits ${CNN_WORKLOAD.side}×${CNN_WORKLOAD.side}`;

const side = CNN_WORKLOAD.side;

export const CNN_SHAPE: PopulationShape = {
  inputs: side * side,
  outputs: 10,
  hiddenLayers: 0,
  maxHidden: 1,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: CNN_WORKLOAD.batchSize,
  image: { channels: 1, height: side, width: side },
  layers: [
    ...CNN_WORKLOAD.filters.flatMap((filters): HiddenLayerSpec[] => [
      { kind: 'conv2d', filters, kernel: 3, activation: 'relu' },
      { kind: 'pool2d', mode: 'max' },
    ]),
    { kind: 'flatten' },
  ],
};

function cnnHyper(trial: number): ModelHyper {
  const learningRate = fromUnit(CNN_WORKLOAD.learningRate, uniform(CNN_WORKLOAD.seed, trial, 0)) as number;
  return defaultModel(trial, { hiddenUnits: 1, learningRate });
}

function cnnJob(data: TrainingData, steps: number): PopulationJob {
  return {
    shape: CNN_SHAPE,
    models: Array.from({ length: CNN_WORKLOAD.trials }, (_, t) => cnnHyper(t)),
    data,
    steps,
    reportEvery: steps,
  };
}

/**
 * Multiply-add flops of one trial-step, 2 per multiply-add: forward, weight gradients, and
 * input gradients for every weighted layer but the first (a convolution's weights act at
 * every output pixel). Pooling, activations, loss and optimizer are not counted.
 */
export function cnnFlopsPerTrialStep(): number {
  return modelLayout(CNN_SHAPE)
    .filter((layer) => layer.blocks.length > 0)
    .reduce((sum, layer, l) => {
      const weights = block(layer, 'weights');
      const positions = layer.spec.kind === 'conv2d' ? layer.output.height * layer.output.width : 1;
      return sum + (l === 0 ? 2 : 3) * 2 * CNN_SHAPE.batchSize * positions * weights.rows * weights.cols;
    }, 0);
}

const CNN_TFJS: TfjsWorkload = {
  build(seed) {
    const init = () => tf.initializers.heNormal({ seed });
    const conv = (filters: number, inputShape?: number[]) =>
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(),
        inputShape,
      });
    return tf.sequential({
      layers: [
        conv(CNN_WORKLOAD.filters[0], [side, side, 1]),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        conv(CNN_WORKLOAD.filters[1]),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, kernelInitializer: init() }),
      ],
    });
  },
  rowShape: [side, side, 1],
  outputs: 10,
  batchSize: CNN_WORKLOAD.batchSize,
  hyper: cnnHyper,
};

export interface CnnPlan {
  /** Timed runs of the WebGPU engine, each of `gpuSteps` steps, after a short warm-up. */
  gpuRuns: number;
  gpuSteps: number;
  /** One timed run of the TypeScript CPU engine (it is slow on convolutions: few steps). */
  cpuSteps: number;
  tfjsWebgpu: TfjsPlan;
  tfjsCpu: TfjsPlan;
}

// Few steps: on SwiftShader one population step of the 16 CNNs takes about 10 s (2 cores).
export const CNN_FULL: CnnPlan = {
  gpuRuns: 3,
  gpuSteps: 8,
  cpuSteps: 4,
  tfjsWebgpu: { warmupSteps: 3, trials: 2, stepsPerTrial: 12 },
  tfjsCpu: { warmupSteps: 2, trials: 2, stepsPerTrial: 6 },
};

export const CNN_QUICK: CnnPlan = {
  gpuRuns: 1,
  gpuSteps: 8,
  cpuSteps: 2,
  tfjsWebgpu: { warmupSteps: 1, trials: 1, stepsPerTrial: 3 },
  tfjsCpu: { warmupSteps: 1, trials: 1, stepsPerTrial: 2 },
};

/** Trial-steps per second of the median of `runs` timed runs (after a 2-step warm-up). */
async function engineRate(engine: TrainingEngine, data: TrainingData, runs: number, steps: number): Promise<number> {
  await engine.train(cnnJob(data, 2));
  const seconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await engine.train(cnnJob(data, steps));
    seconds.push((performance.now() - start) / 1000);
    progress(
      `cnn: ${engine.adapter} run ${run + 1}: ${CNN_WORKLOAD.trials}×${steps} trial-steps in ${seconds.at(-1)!.toFixed(2)} s`,
    );
  }
  return (CNN_WORKLOAD.trials * steps) / median(seconds);
}

/** The CNN table: each engine and TF.js backend in trial-steps per second and effective GFLOP/s, and the ratios. */
export async function benchCnn(
  engines: { webgpu: TrainingEngine; cpu: TrainingEngine },
  plan: CnnPlan,
): Promise<Record<string, unknown>> {
  const pack = await loadDigitsPack(new URL(import.meta.env.BASE_URL, location.href).href, side);
  const data = digitsTrainingData(pack, {
    count: CNN_WORKLOAD.digits,
    validationFraction: 0.1,
    seed: CNN_WORKLOAD.seed,
  });
  const webgpu = await engineRate(engines.webgpu, data, plan.gpuRuns, plan.gpuSteps);
  const cpu = await engineRate(engines.cpu, data, 1, plan.cpuSteps);
  const tfjsWebgpu = (await benchTfjs('webgpu', data, plan.tfjsWebgpu, CNN_TFJS)).trialStepsPerSecond;
  const tfjsCpu = (await benchTfjs('cpu', data, plan.tfjsCpu, CNN_TFJS)).trialStepsPerSecond;
  const flops = cnnFlopsPerTrialStep();
  const gflops = (rate: number) => round((rate * flops) / 1e9);
  return {
    workload: CNN_WORKLOAD_LABEL,
    mflop_per_trial_step: round(flops / 1e6),
    engine_trial_steps_per_s: round(webgpu),
    engine_cpu_trial_steps_per_s: round(cpu),
    tfjs_webgpu_trial_steps_per_s: round(tfjsWebgpu),
    tfjs_cpu_trial_steps_per_s: round(tfjsCpu),
    vs_tfjs_webgpu: round(webgpu / tfjsWebgpu, 3),
    vs_tfjs_cpu: round(webgpu / tfjsCpu, 3),
    engine_cpu_vs_tfjs_cpu: round(cpu / tfjsCpu, 3),
    gflops_effective: {
      engine: gflops(webgpu),
      engine_cpu: gflops(cpu),
      tfjs_webgpu: gflops(tfjsWebgpu),
      tfjs_cpu: gflops(tfjsCpu),
    },
    plan,
  };
}
