// Which engine trains a study when the user leaves it to the lab: the faster one here,
// measured. A short probe trains the study's largest population (studyCost's: its trials at
// once, widest and deepest models or its largest CNN, largest batch) for a few steps on each
// engine that can train it, and predicts the study's
// per-population time from it; the faster engine wins. Results are cached per adapter and
// population, so a study started again does not probe again. A study too short for the probe
// to pay off is not measured: the lab guesses from the adapter (guessWithoutProbe).
import { dataShapeOfTrainingData, studyCost } from '../study/cost.ts';
import { defaultModel, lossFor } from '../study/population.ts';
import type { StudySpec } from '../study/spec.ts';
import type { PopulationJob, TrainingData, TrainingEngine } from '../train/types.ts';

/**
 * Seconds one `train()` of the job takes on the engine (injected by tests to fake timings);
 * `signal` aborts it (the user stopped the study while it was being measured).
 */
export type TimeTraining = (engine: TrainingEngine, job: PopulationJob, signal?: AbortSignal) => Promise<number>;

export const timeTraining: TimeTraining = async (engine, job, signal) => {
  const started = performance.now();
  await engine.train(job, undefined, signal);
  return (performance.now() - started) / 1000;
};

/**
 * Probe lengths: a one-step warm-up (pipelines, JIT), then two timed runs whose difference is
 * the per-step cost. The long run grows 4x at a time (to MAX_LONG_STEPS) until it takes at
 * least twice the short one: on a GPU a few steps can fit in one command buffer and take the
 * same time within noise, which made the per-step cost near 0 and the rate absurd (204,235
 * trial-steps/s measured for SwiftShader, which trains about 9,000).
 */
const WARM_UP_STEPS = 1;
const SHORT_STEPS = 1;
const LONG_STEPS = 3;
const MAX_LONG_STEPS = 192;
/**
 * Seconds of probing per engine past its first three runs (warm-up, 1 and 3 steps): the long
 * run grows only while it surely fits. A CNN population step takes seconds on a software
 * adapter, so there the probe is those 5 steps; an MLP's steps take milliseconds.
 */
export const PROBE_BUDGET_SECONDS = 15;
/** Population-steps each engine's probe trains at least: the warm-up and both timed runs. */
export const PROBE_STEPS = WARM_UP_STEPS + SHORT_STEPS + LONG_STEPS;
/**
 * A study is measured only if it trains at least this many times the probe's population-steps
 * (all candidates' together: 100 for two engines). Against a guess that is right half the time,
 * measuring saves a study of S population-steps S/2 × (r - 1) steps of the faster engine (r
 * times faster than the other) and costs 5 × (1 + r) of them (the slower engine's steps too),
 * plus a train()'s fixed cost per probe run: at 10x (S = 100) it pays off once the engines
 * differ by more than about 1.2x, and the probe is at most a tenth of the study's steps. Below
 * it the probe's fixed costs soon outweigh what it can save (the 4-step CNN study's probe in the
 * e2e took 59.5 s, then it trained in 5.2 s), the more so as the guess from the adapter is
 * usually right: on SwiftShader the CPU engine won every measurement (2.9x for a CNN, 26x for an
 * MLP on WASM).
 */
export const STUDY_PER_PROBE = 10;

export interface Candidate {
  /** How the notice names it: "WebGPU", "the CPU engine (WebAssembly)". */
  label: string;
  engine: TrainingEngine;
}

export interface Measured extends Candidate {
  /** Predicted trial-steps per second over the study's whole training (0: the probe failed). */
  rate: number;
  /** Why the probe failed on this engine. */
  failure?: string;
}

/** The study's largest population (studyCost's shape: a CNN's layers too) as a job of `steps` steps (one report, at the end). */
export function probeJob(spec: StudySpec, data: TrainingData, steps: number): PopulationJob {
  const { population, shape } = studyCost(spec, dataShapeOfTrainingData(data));
  return {
    shape: { ...shape, loss: lossFor(data.task) },
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

/**
 * Predicted trial-steps per second of the study's training on one engine, from its warm-up
 * and two timed runs, the long one grown within PROBE_BUDGET_SECONDS.
 */
export async function measureEngine(
  engine: TrainingEngine,
  spec: StudySpec,
  data: TrainingData,
  time: TimeTraining = timeTraining,
  signal?: AbortSignal,
): Promise<number> {
  const models = probeJob(spec, data, 1).models.length;
  const steps = spec.training.steps;
  let spent = 0;
  const run = async (n: number) => {
    signal?.throwIfAborted();
    const seconds = await time(engine, probeJob(spec, data, n), signal);
    spent += seconds;
    return seconds;
  };
  // A run of 4n steps takes at most 4 runs of n.
  const fits = (seconds: number) => spent + seconds <= PROBE_BUDGET_SECONDS;
  // The warm-up and both first timed runs always run (5 steps): the fixed cost of a train() can
  // be seconds (WebGPU on SwiftShader, a CNN), so one timed run alone would charge it to every step.
  await run(WARM_UP_STEPS);
  const short = await run(SHORT_STEPS);
  let longSteps = LONG_STEPS;
  let long = await run(longSteps);
  while (long < 2 * short && longSteps < MAX_LONG_STEPS && fits(4 * long)) {
    longSteps *= 4;
    long = await run(longSteps);
  }
  const perStep = Math.max(1e-9, (long - short) / (longSteps - SHORT_STEPS));
  const fixed = Math.max(0, short - SHORT_STEPS * perStep);
  return (models * steps) / (fixed + steps * perStep);
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i;

/** A WebGPU adapter that runs on the CPU (SwiftShader, llvmpipe, WARP). */
export function isSoftwareAdapter(engine: TrainingEngine): boolean {
  return engine.kind === 'webgpu' && SOFTWARE_ADAPTER.test(engine.adapter);
}

/**
 * The study's population-steps: its trials in populations of the largest one, each for every
 * step (pruning may end some early: an upper bound). Undefined for a time budget (its steps are
 * not known before it runs: it is measured).
 */
export function studyPopulationSteps(
  spec: StudySpec,
  data: TrainingData,
): { populationSteps: number; trials: number; atOnce: number } | undefined {
  if (spec.scheduler.budget.kind !== 'trials') return undefined;
  const { trials } = spec.scheduler.budget;
  const atOnce = studyCost(spec, dataShapeOfTrainingData(data)).population.models;
  return { populationSteps: Math.ceil(trials / atOnce) * spec.training.steps, trials, atOnce };
}

/**
 * For a study too short for the probe to pay off (STUDY_PER_PROBE), the engine the lab picks
 * without measuring and the notice that says so; undefined for a study worth measuring. On a
 * software adapter WebGPU runs on the CPU, so the CPU candidate (the engine that can train the
 * study) is the better guess; on any other adapter, WebGPU. `unmeasured` says why the CPU engine
 * is not the WASM one.
 */
export function guessWithoutProbe(
  candidates: readonly Candidate[],
  spec: StudySpec,
  data: TrainingData,
  unmeasured?: string,
): { engine: TrainingEngine; notice: string } | undefined {
  const study = studyPopulationSteps(spec, data);
  const needed = STUDY_PER_PROBE * PROBE_STEPS * candidates.length;
  const gpu = candidates.find((c) => c.engine.kind === 'webgpu');
  const cpu = candidates.find((c) => c.engine.kind !== 'webgpu');
  if (!study || study.populationSteps >= needed || !gpu || !cpu) return undefined;
  const software = isSoftwareAdapter(gpu.engine);
  const guess = software ? cpu : gpu;
  const why = software
    ? `${gpu.engine.adapter} is a software adapter: WebGPU runs on the CPU there, so the CPU engine is the better guess.`
    : `${gpu.engine.adapter} is not a software adapter, so WebGPU is the better guess.`;
  const which = software && unmeasured ? ` It is the TypeScript one because ${unmeasured}.` : '';
  return {
    engine: guess.engine,
    notice: `Training on ${guess.label}, not measured: this study trains ${study.populationSteps} population-steps (${study.trials} trials of ${spec.training.steps} steps, ${study.atOnce} at once), and measuring pays off only from ${needed} (${STUDY_PER_PROBE}x the ${PROBE_STEPS} it trains on each engine). ${why}${which} Choose another engine beside Run to override.`,
  };
}

/**
 * The notice that says which engine won and why, in the lab's words; `unmeasured` says why an
 * engine was left out of the measurement (the WASM engine for a study it cannot train), and
 * `earlier` that the figures are a cached measurement of an earlier study's like population.
 */
export function choiceNotice(
  winner: Measured,
  others: readonly Measured[],
  unmeasured?: string,
  earlier = false,
): string {
  const rate = (m: Measured) => `${Math.round(m.rate).toLocaleString('en-US')} trial-steps/s`;
  const failed = (m: Measured) => `${m.label} on ${m.engine.adapter} could not train it (${m.failure})`;
  const left = unmeasured ? ` Not measured: ${unmeasured}.` : '';
  const override = ' Choose another engine beside Run to override.';
  if (winner.failure !== undefined)
    return `No engine finished its measurement: ${[winner, ...others].map(failed).join('; ')}. Training on ${winner.label}.${left}${override}`;
  const beaten = others
    .map((o) =>
      o.failure !== undefined
        ? `while ${failed(o)}`
        : `${(winner.rate / o.rate).toFixed(1)}x faster than ${o.label} on ${o.engine.adapter} (${rate(winner)} vs ${rate(o)})`,
    )
    .join('; ');
  const software = [winner, ...others].find((m) => isSoftwareAdapter(m.engine));
  const why =
    software && software !== winner
      ? ` ${software.engine.adapter} is a software adapter: WebGPU runs on the CPU there.`
      : '';
  const measured = earlier
    ? `Engine chosen by a measurement made for an earlier study on this page whose population has this one's shape, steps and data size: ${winner.label} trained it`
    : `Engine chosen by measurement: ${winner.label} trained this study's population`;
  return `${measured} ${beaten}.${why}${left}${override}`;
}

/**
 * Measures every candidate, one after another (never sharing the cores), and returns them
 * fastest first (in the given order where none could be measured). `onMeasuring` hears of
 * each engine as its probe starts; `signal` ends the measurement (the user stopped the study).
 */
export async function rankEngines(
  candidates: readonly Candidate[],
  spec: StudySpec,
  data: TrainingData,
  time: TimeTraining = timeTraining,
  onMeasuring?: (candidate: Candidate, index: number) => void,
  signal?: AbortSignal,
): Promise<Measured[]> {
  const measured: Measured[] = [];
  for (const [index, candidate] of candidates.entries()) {
    onMeasuring?.(candidate, index);
    try {
      measured.push({ ...candidate, rate: await measureEngine(candidate.engine, spec, data, time, signal) });
    } catch (e) {
      signal?.throwIfAborted();
      measured.push({ ...candidate, rate: 0, failure: (e as Error).message });
    }
  }
  return measured.sort((a, b) => b.rate - a.rate);
}
