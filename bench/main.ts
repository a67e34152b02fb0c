// The benchmark page. bench/run.mjs opens it in headless Chromium and calls
// window.runTuningLabBench(); the object it resolves to is printed as the JSON line.
// Sections run one after another, never overlapping, so none steals the other's cores.
import { createCpuEngine } from '../src/train/cpu/engine.ts';
import { makeDataset } from '../src/train/data/synthetic.ts';
import { createGpuEngine } from '../src/train/gpu/engine.ts';
import { timeMatmul } from '../src/train/gpu/matmul.ts';
import type { PopulationResult, TrainingData, TrainingEngine } from '../src/train/types.ts';
import { createWasmEngine } from '../src/train/wasm/engine.ts';
import { benchCnn, CNN_FULL, CNN_QUICK } from './cnn.ts';
import { benchFused, FUSED_FULL, FUSED_QUICK } from './fused.ts';
import { profileStep, type StepProfile } from './kernel-profile.ts';
import { MATMUL_SIZES, type MatmulPlan, tfjsMatmulGflops } from './matmul.ts';
import { benchScaling } from './scaling.ts';
import { median, progress, round } from './stats.ts';
import { benchTfjs, type TfjsBaseline, type TfjsPlan, useTfjsBackend } from './tfjs-baseline.ts';
import { learningRate, matmulFlopsPerTrialStep, populationJob, WORKLOAD, WORKLOAD_LABEL } from './workload.ts';

interface BenchOptions {
  /** A smoke run: fewer repetitions and steps; figures are rough. */
  quick: boolean;
  /** Only the WebGPU engine's step: its ms per step and kernel profile (a minute, not the whole bench). */
  profile?: boolean;
  /** Only the fused step kernel against the layered path (`node bench/run.mjs --fused`). */
  fusedOnly?: boolean;
}

interface Plan {
  /** Timed full-workload runs of the GPU engine (after one short warm-up run). */
  engineRuns: number;
  cpuEngineRuns: number;
  /** Steps per engine run (the workload's 320 unless quick). */
  engineSteps: number;
  tfjsWebgpu: TfjsPlan;
  tfjsCpu: TfjsPlan;
  matmul: MatmulPlan;
}

/** Products per timed repetition: enough that n=64 is not all round-trip latency. */
const MATMUL_INNER = { 64: 32, 256: 4, 512: 1 };

const FULL: Plan = {
  engineRuns: 5,
  cpuEngineRuns: 1,
  engineSteps: WORKLOAD.steps,
  tfjsWebgpu: { warmupSteps: 5, trials: 3, stepsPerTrial: 20 },
  tfjsCpu: { warmupSteps: 20, trials: 5, stepsPerTrial: WORKLOAD.steps },
  matmul: { repetitions: 5, inner: MATMUL_INNER },
};

const QUICK: Plan = {
  engineRuns: 1,
  cpuEngineRuns: 1,
  engineSteps: 64,
  tfjsWebgpu: { warmupSteps: 2, trials: 1, stepsPerTrial: 5 },
  tfjsCpu: { warmupSteps: 5, trials: 1, stepsPerTrial: 64 },
  matmul: { repetitions: 2, inner: MATMUL_INNER },
};

/** Steps of the profiled job (2 reports at reportEvery 32). */
const PROFILE_STEPS = 64;
/** Timed runs of PROFILE_STEPS steps behind `--profile`'s ms per step. */
const PROFILE_RUNS = 5;

interface EngineFigures {
  trialStepsPerSecond: number;
  secondsPerRun: number[];
  /** Per trial, the last report's training loss. */
  finalTrainLoss: Float32Array;
  finalValidationAccuracyMedian: number;
  diverged: number;
}

/** 640 spiral points, split 512 for training (the workload's set) and 128 for validation. */
function spiralData(): TrainingData {
  const data = makeDataset('spiral', {
    count: WORKLOAD.points * 1.25,
    noise: 0.05,
    validationFraction: 0.2,
    seed: WORKLOAD.seed,
  });
  if (data.train.count !== WORKLOAD.points)
    throw new Error(`spiral split gave ${data.train.count} training points, expected ${WORKLOAD.points}`);
  return data;
}

/** The bench owns the device so the engine and the matmul kernel share one adapter. */
async function requestDevice(): Promise<GPUDevice> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter: run Chromium with --enable-unsafe-webgpu (bench/run.mjs does)');
  return adapter.requestDevice();
}

/** The project's matmul_forward kernel: median GFLOP/s over the plan's repetitions. */
async function engineMatmulGflops(
  device: GPUDevice,
  n: (typeof MATMUL_SIZES)[number],
  plan: MatmulPlan,
): Promise<number> {
  const runs: number[] = [];
  for (let r = 0; r < plan.repetitions; r++) runs.push((await timeMatmul(device, n, plan.inner[n])).gflops);
  return median(runs);
}

/** Trains the whole population `runs` times (after a short warm-up); trial-steps per second of the median run. */
async function benchEngine(
  engine: TrainingEngine,
  data: TrainingData,
  runs: number,
  steps: number,
): Promise<EngineFigures> {
  await engine.train(populationJob(data, WORKLOAD.reportEvery)); // warm-up: pipelines, buffers
  const secondsPerRun: number[] = [];
  let last: PopulationResult | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    last = await engine.train(populationJob(data, steps));
    secondsPerRun.push((performance.now() - start) / 1000);
    progress(
      `${engine.adapter} run ${run + 1}: ${WORKLOAD.trials}×${steps} trial-steps in ${secondsPerRun.at(-1)!.toFixed(2)} s`,
    );
  }
  const final = last!.reports.at(-1)!;
  return {
    trialStepsPerSecond: (WORKLOAD.trials * steps) / median(secondsPerRun),
    secondsPerRun,
    finalTrainLoss: final.trainLoss,
    finalValidationAccuracyMedian: median(Array.from(final.validationAccuracy)),
    diverged: final.diverged.reduce((n, d) => n + d, 0),
  };
}

/** How far the GPU engine's final losses are from the CPU oracle's on the same trials (same seeds, same math). */
function relativeDifferences(gpu: Float32Array, cpu: Float32Array): { median: number; max: number } {
  const diffs = Array.from(cpu, (c, i) => Math.abs(gpu[i] - c) / Math.abs(c));
  return { median: round(median(diffs), 3), max: round(Math.max(...diffs), 3) };
}

/**
 * The same figures from each measurement's fastest repetition: on a shared machine other
 * work only ever adds time, so the minimum is the least disturbed estimate.
 */
function bestOfRuns(
  engine: EngineFigures,
  tfjsWebgpu: TfjsBaseline,
  tfjsCpu: TfjsBaseline,
  steps: number,
): Record<string, number> {
  const engineRate = (WORKLOAD.trials * steps) / Math.min(...engine.secondsPerRun);
  const webgpuRate = 1000 / Math.min(...tfjsWebgpu.msPerStep);
  const cpuRate = 1000 / Math.min(...tfjsCpu.msPerStep);
  return {
    engine_trial_steps_per_s: round(engineRate),
    tfjs_webgpu_trial_steps_per_s: round(webgpuRate),
    tfjs_cpu_trial_steps_per_s: round(cpuRate),
    vs_tfjs_webgpu: round(engineRate / webgpuRate, 3),
    vs_tfjs_cpu: round(engineRate / cpuRate, 3),
  };
}

/** The kernel profile as the JSON line has it. */
function profileFields(profile: StepProfile): Record<string, unknown> {
  return {
    steps: profile.steps,
    calls: profile.calls,
    dispatches_per_step: profile.kernels.reduce((sum, k) => sum + k.dispatchesPerStep, 0),
    estimated_ms_per_step: round(profile.estimatedMsPerStep),
    kernels: profile.kernels.map((k) => ({
      kernel: k.kernel,
      per_step: k.dispatchesPerStep,
      grids: k.grids,
      ms_per_step: round(k.msPerStep, 3),
    })),
  };
}

/** The WebGPU engine's ms per step on the workload (median of `runs` runs of `steps`) and its kernel profile. */
async function benchGpuStep(
  device: GPUDevice,
  gpuEngine: TrainingEngine,
  data: TrainingData,
  runs: number,
  steps: number,
): Promise<{ engine: EngineFigures; engineMsPerStep: number; profile: StepProfile }> {
  const engine = await benchEngine(gpuEngine, data, runs, steps);
  const engineMsPerStep = (1000 * median(engine.secondsPerRun)) / steps;
  const profile = await profileStep(device, gpuEngine, populationJob(data, PROFILE_STEPS));
  progress(
    `profile: ${profile.estimatedMsPerStep.toFixed(2)} ms/step estimated from replayed kernels, ${engineMsPerStep.toFixed(2)} ms/step measured`,
  );
  return { engine, engineMsPerStep, profile };
}

/** `--profile`: the WebGPU engine's step alone. */
async function runProfile(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const device = await requestDevice();
  const gpuEngine = await createGpuEngine({ device });
  progress(`GPU engine on ${gpuEngine.adapter}`);
  const { engine, engineMsPerStep, profile } = await benchGpuStep(
    device,
    gpuEngine,
    spiralData(),
    PROFILE_RUNS,
    PROFILE_STEPS,
  );
  gpuEngine.dispose();
  device.destroy();
  return {
    adapter: gpuEngine.adapter,
    workload: WORKLOAD_LABEL,
    engine_trial_steps_per_s: round(engine.trialStepsPerSecond),
    engine_s_per_run: engine.secondsPerRun.map((s) => round(s)),
    engine_ms_per_step: round(engineMsPerStep),
    engine_final_train_loss_median: round(median(Array.from(engine.finalTrainLoss))),
    engine_profile: profileFields(profile),
    plan: { runs: PROFILE_RUNS, steps: PROFILE_STEPS },
    user_agent: navigator.userAgent,
    total_s: round((performance.now() - started) / 1000),
  };
}

async function runBench({ quick, profile: profileOnly, fusedOnly }: BenchOptions): Promise<Record<string, unknown>> {
  if (profileOnly) return runProfile();
  const plan = quick ? QUICK : FULL;
  const started = performance.now();
  const data = spiralData();
  const device = await requestDevice();
  const fusedPlan = quick ? FUSED_QUICK : FUSED_FULL;
  if (fusedOnly) {
    const fusedStep = await benchFused(device, data, fusedPlan);
    device.destroy();
    return {
      quick,
      fused_step: fusedStep,
      fused_plan: fusedPlan,
      total_s: round((performance.now() - started) / 1000),
    };
  }
  const gpuEngine = await createGpuEngine({ device });
  progress(`GPU engine on ${gpuEngine.adapter}`);
  const { engine, engineMsPerStep, profile } = await benchGpuStep(
    device,
    gpuEngine,
    data,
    plan.engineRuns,
    plan.engineSteps,
  );

  const fusedStep = await benchFused(device, data, fusedPlan);

  const tfjsWebgpu = await benchTfjs('webgpu', data, plan.tfjsWebgpu);
  const tfjsCpu = await benchTfjs('cpu', data, plan.tfjsCpu);

  const cpuEngine = createCpuEngine();
  const engineCpu = await benchEngine(cpuEngine, data, plan.cpuEngineRuns, plan.engineSteps);
  const wasmEngine = await createWasmEngine();
  progress(`WASM engine: ${wasmEngine.adapter}`);
  const engineWasm = await benchEngine(wasmEngine, data, plan.engineRuns, plan.engineSteps);
  const s64 = { webgpu: engine, wasm: engineWasm, cpu: engineCpu };
  const [bestName, best] = Object.entries(s64).sort((a, b) => b[1].trialStepsPerSecond - a[1].trialStepsPerSecond)[0];
  const scaling = await benchScaling({ wasm: wasmEngine, webgpu: gpuEngine, cpu: cpuEngine }, data, quick);
  const cnn = await benchCnn({ webgpu: gpuEngine, cpu: cpuEngine }, quick ? CNN_QUICK : CNN_FULL);
  progress(`cnn: ${JSON.stringify(cnn)}`);
  cpuEngine.dispose();
  wasmEngine.dispose();

  await useTfjsBackend('webgpu');
  const matmul: Record<string, { engine: number; tfjs_webgpu: number }> = {};
  for (const n of MATMUL_SIZES) {
    const figures = {
      engine: round(await engineMatmulGflops(device, n, plan.matmul)),
      tfjs_webgpu: round(await tfjsMatmulGflops(n, plan.matmul)),
    };
    matmul[`n${n}`] = figures;
    progress(`matmul n=${n}: engine ${figures.engine} GFLOP/s, tfjs-webgpu ${figures.tfjs_webgpu} GFLOP/s`);
  }
  gpuEngine.dispose();
  device.destroy();

  return {
    adapter: gpuEngine.adapter,
    workload: WORKLOAD_LABEL,
    quick,
    engine_trial_steps_per_s: round(engine.trialStepsPerSecond),
    tfjs_webgpu_trial_steps_per_s: round(tfjsWebgpu.trialStepsPerSecond),
    tfjs_cpu_trial_steps_per_s: round(tfjsCpu.trialStepsPerSecond),
    vs_tfjs_webgpu: round(engine.trialStepsPerSecond / tfjsWebgpu.trialStepsPerSecond, 3),
    vs_tfjs_cpu: round(engine.trialStepsPerSecond / tfjsCpu.trialStepsPerSecond, 3),
    best_of_runs: bestOfRuns(engine, tfjsWebgpu, tfjsCpu, plan.engineSteps),
    engine_cpu_trial_steps_per_s: round(engineCpu.trialStepsPerSecond),
    engine_cpu_vs_tfjs_cpu: round(engineCpu.trialStepsPerSecond / tfjsCpu.trialStepsPerSecond, 3),
    engine_s_per_run: engine.secondsPerRun.map((s) => round(s)),
    engine_cpu_s_per_run: engineCpu.secondsPerRun.map((s) => round(s)),
    tfjs_webgpu_ms_per_step: tfjsWebgpu.msPerStep.map((ms) => round(ms)),
    tfjs_cpu_ms_per_step: tfjsCpu.msPerStep.map((ms) => round(ms)),
    engine_final_train_loss_median: round(median(Array.from(engine.finalTrainLoss))),
    engine_final_val_accuracy_median: round(engine.finalValidationAccuracyMedian),
    engine_diverged: engine.diverged,
    engine_ms_per_step: round(engineMsPerStep),
    engine_matmul_gflops_effective: round((engine.trialStepsPerSecond * matmulFlopsPerTrialStep()) / 1e9),
    engine_profile: profileFields(profile),
    engine_cpu_final_train_loss_median: round(median(Array.from(engineCpu.finalTrainLoss))),
    engine_wasm_adapter: wasmEngine.adapter,
    engine_wasm_trial_steps_per_s: round(engineWasm.trialStepsPerSecond),
    engine_wasm_vs_tfjs_cpu: round(engineWasm.trialStepsPerSecond / tfjsCpu.trialStepsPerSecond, 3),
    engine_wasm_s_per_run: engineWasm.secondsPerRun.map((s) => round(s)),
    engine_wasm_final_train_loss_median: round(median(Array.from(engineWasm.finalTrainLoss))),
    wasm_vs_cpu_final_loss_rel_diff: relativeDifferences(engineWasm.finalTrainLoss, engineCpu.finalTrainLoss),
    best_engine_s64: { engine: bestName, trial_steps_per_s: round(best.trialStepsPerSecond) },
    scaling,
    cnn,
    fused_step: fusedStep,
    // For bench/run.mjs's JAX anchor (the same spiral and learning rates); not printed.
    anchor_inputs: {
      x: Array.from(data.train.x),
      y: Array.from(data.train.y),
      learning_rates: Array.from({ length: 1024 }, (_, t) => learningRate(t)),
      batch: WORKLOAD.batchSize,
      s64: { trials: WORKLOAD.trials, width: WORKLOAD.hidden, steps: plan.engineSteps },
    },
    gpu_vs_cpu_final_loss_rel_diff: relativeDifferences(engine.finalTrainLoss, engineCpu.finalTrainLoss),
    matmul_gflops: matmul,
    plan,
    user_agent: navigator.userAgent,
    total_s: round((performance.now() - started) / 1000),
  };
}

declare global {
  interface Window {
    runTuningLabBench(options: BenchOptions): Promise<Record<string, unknown>>;
  }
}
window.runTuningLabBench = runBench;
