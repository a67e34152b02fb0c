// Which engine trains a study when the user leaves it to the lab: the faster one here,
// measured. A short probe trains the study's largest population (studyCost's: its trials at
// once, widest and deepest models, largest batch) for a few steps on each engine that loads,
// and predicts the study's per-population time from it; the faster engine wins. Results are
// cached per adapter and population, so a study started again does not probe again.
import { dataShapeOfTrainingData, studyCost } from '../study/cost.ts';
import { defaultModel, lossFor } from '../study/population.ts';
import type { StudySpec } from '../study/spec.ts';
import type { PopulationJob, TrainingData, TrainingEngine } from '../train/types.ts';

/** Seconds one `train()` of the job takes on the engine (injected by tests to fake timings). */
export type TimeTraining = (engine: TrainingEngine, job: PopulationJob) => Promise<number>;

export const timeTraining: TimeTraining = async (engine, job) => {
  const started = performance.now();
  await engine.train(job);
  return (performance.now() - started) / 1000;
};

/**
 * Probe lengths: a warm-up (pipelines, JIT), then two timed runs whose difference is the
 * per-step cost. The long run grows 4x at a time (to MAX_LONG_STEPS) until it takes at least
 * twice the short one: on a GPU 4 and 12 steps can fit in one command buffer and take the same
 * time within noise, which made the per-step cost near 0 and the rate absurd (204,235
 * trial-steps/s measured for SwiftShader, which trains about 9,000).
 */
const WARM_UP_STEPS = 2;
const SHORT_STEPS = 4;
const LONG_STEPS = 12;
const MAX_LONG_STEPS = 192;

export interface Candidate {
  /** How the notice names it: "WebGPU", "the WASM engine". */
  label: string;
  engine: TrainingEngine;
}

export interface Measured extends Candidate {
  /** Predicted trial-steps per second over the study's whole training (0: the probe failed). */
  rate: number;
  /** Why the probe failed on this engine. */
  failure?: string;
}

/** The study's largest population as a job of `steps` steps (one report, at the end). */
export function probeJob(spec: StudySpec, data: TrainingData, steps: number): PopulationJob {
  const { population } = studyCost(spec, dataShapeOfTrainingData(data));
  return {
    shape: {
      inputs: data.inputs,
      outputs: data.outputs,
      hiddenLayers: population.hiddenLayers,
      maxHidden: population.hiddenUnits,
      activation: 'relu',
      loss: lossFor(data.task),
      init: 'he',
      batchSize: population.batchSize,
    },
    models: Array.from({ length: population.models }, (_, i) =>
      defaultModel(i, { hiddenUnits: population.hiddenUnits, learningRate: 1e-3 }),
    ),
    data,
    steps,
    reportEvery: steps,
  };
}

/** A key under which a probe's result holds: the engines' adapters and the population's sizes. */
export function probeKey(candidates: readonly Candidate[], spec: StudySpec, data: TrainingData): string {
  const { population } = studyCost(spec, dataShapeOfTrainingData(data));
  return JSON.stringify([candidates.map((c) => c.engine.adapter), population, spec.training.steps, data.train.count]);
}

/** Predicted trial-steps per second of the study's training on one engine. */
export async function measureEngine(
  engine: TrainingEngine,
  spec: StudySpec,
  data: TrainingData,
  time: TimeTraining = timeTraining,
): Promise<number> {
  await time(engine, probeJob(spec, data, WARM_UP_STEPS));
  const short = await time(engine, probeJob(spec, data, SHORT_STEPS));
  let longSteps = LONG_STEPS;
  let long = await time(engine, probeJob(spec, data, longSteps));
  while (long < 2 * short && longSteps < MAX_LONG_STEPS) {
    longSteps *= 4;
    long = await time(engine, probeJob(spec, data, longSteps));
  }
  const perStep = Math.max(1e-9, (long - short) / (longSteps - SHORT_STEPS));
  const fixed = Math.max(0, short - SHORT_STEPS * perStep);
  const steps = spec.training.steps;
  return (probeJob(spec, data, 1).models.length * steps) / (fixed + steps * perStep);
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i;

/** The notice that says which engine won and why, in the lab's words. */
export function choiceNotice(winner: Measured, others: readonly Measured[]): string {
  const rate = (m: Measured) => `${Math.round(m.rate).toLocaleString('en-US')} trial-steps/s`;
  const beaten = others
    .map((o) =>
      o.failure !== undefined
        ? `while ${o.label} on ${o.engine.adapter} could not train it (${o.failure})`
        : `${(winner.rate / o.rate).toFixed(1)}x faster than ${o.label} on ${o.engine.adapter} (${rate(winner)} vs ${rate(o)})`,
    )
    .join('; ');
  const software = [winner, ...others].find(
    (m) => m.engine.kind === 'webgpu' && SOFTWARE_ADAPTER.test(m.engine.adapter),
  );
  const why =
    software && software !== winner
      ? ` ${software.engine.adapter} is a software adapter: WebGPU runs on the CPU there.`
      : '';
  return `Engine chosen by measurement: ${winner.label} trained this study's population ${beaten}.${why} Choose another engine beside Run to override.`;
}

/** Measures every candidate, one after another (never sharing the cores), and returns them fastest first. */
export async function rankEngines(
  candidates: readonly Candidate[],
  spec: StudySpec,
  data: TrainingData,
  time: TimeTraining = timeTraining,
): Promise<Measured[]> {
  const measured: Measured[] = [];
  for (const candidate of candidates) {
    try {
      measured.push({ ...candidate, rate: await measureEngine(candidate.engine, spec, data, time) });
    } catch (e) {
      measured.push({ ...candidate, rate: 0, failure: (e as Error).message });
    }
  }
  return measured.sort((a, b) => b.rate - a.rate);
}
