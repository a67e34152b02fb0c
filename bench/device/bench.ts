// The real-GPU benchmark (bench/device/README section of bench/README.md): the lab's WebGPU
// engine in Node through Dawn on the machine's Vulkan driver, on S64 (the `npm run bench`
// workload: 64 trials of MLP 2-32-32-2, 320 steps) and a scaling table (populations 1 to 4096,
// widths 32 and 256), then, when python3 imports jax, the same workloads in JAX (vmap over
// trials, jit + lax.scan over steps, jax_anchor.py) as the anchor. Prints ONE JSON line:
// trial-steps per second, effective matmul GFLOP/s, the fraction of the GPU's FP32 peak, and
// engine ÷ JAX. Runs bundled (pack.mjs) by a carried Node, so it imports nothing from
// node_modules at run time but Dawn's dawn.node, which it finds beside the bundle.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installDawn } from '../../src/cli/webgpu.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import { createGpuEngine } from '../../src/train/gpu/engine.ts';
import type { PopulationJob, PopulationShape, TrainingData, TrainingEngine } from '../../src/train/types.ts';
import { matmulFlopsPerTrialStep, SHAPE, trialHyper, WORKLOAD } from '../workload.ts';

const { values: flags } = parseArgs({
  options: {
    populations: { type: 'string', default: '1,16,256,1024,4096' },
    widths: { type: 'string', default: '32,256' },
    /** Steps of each scaling run (S64 keeps its 320). */
    steps: { type: 'string', default: '64' },
    /** Seconds for the whole run: workloads that would not fit are listed as skipped. */
    'deadline-s': { type: 'string', default: '540' },
    repo: { type: 'string', default: '.' },
    python: { type: 'string', default: 'python3' },
  },
});
const startedAt = performance.now();
const elapsed = () => (performance.now() - startedAt) / 1000;
const deadline = Number(flags['deadline-s']);
const log = (line: string) => process.stderr.write(`[device bench ${elapsed().toFixed(0)} s] ${line}\n`);
const list = (text: string) => text.split(',').map(Number);

interface Workload {
  name: string;
  trials: number;
  width: number;
  steps: number;
}

const workloads: Workload[] = [
  { name: 'S64', trials: WORKLOAD.trials, width: WORKLOAD.hidden, steps: WORKLOAD.steps },
  ...list(flags.widths).flatMap((width) =>
    list(flags.populations).map((trials) => ({
      name: `p${trials}_w${width}`,
      trials,
      width,
      steps: Number(flags.steps),
    })),
  ),
];

const shapeOf = (w: Workload): PopulationShape => ({ ...SHAPE, maxHidden: w.width });
const flopsOf = (w: Workload) => matmulFlopsPerTrialStep(shapeOf(w)) * w.trials * w.steps;

/** 640 spiral points, 512 of them for training: the data of `npm run bench`. */
function spiralData(): TrainingData {
  return makeDataset('spiral', {
    count: WORKLOAD.points * 1.25,
    noise: 0.05,
    validationFraction: 0.2,
    seed: WORKLOAD.seed,
  });
}

function job(w: Workload, data: TrainingData, steps: number): PopulationJob {
  return {
    shape: shapeOf(w),
    models: Array.from({ length: w.trials }, (_, t) => ({ ...trialHyper(t), hiddenUnits: w.width })),
    data,
    steps,
    reportEvery: Math.min(WORKLOAD.reportEvery, steps),
  };
}

/** The device with the adapter's largest buffers, so that 4096 wide models fit if the GPU has the memory. */
async function openEngine(): Promise<{ engine: TrainingEngine; adapter: string }> {
  await installDawn();
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new Error('WebGPU found no adapter: no Vulkan driver for Dawn (see bench/README.md, device section)');
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
  const info = adapter.info;
  const name = `${info.description || info.architecture || info.device} (${info.vendor})`;
  return { engine: await createGpuEngine({ device }), adapter: name };
}

/** FP32 FMA lanes per SM of the NVIDIA GPUs this bench expects; peak = SMs × lanes × 2 × max SM clock. */
const NVIDIA_SMS: Array<[RegExp, number, number]> = [
  [/H200/, 132, 128],
  [/H100.*PCIe/, 114, 128],
  [/H100/, 132, 128],
  [/A100/, 108, 64],
  [/L40S/, 142, 128],
  [/L4\b/, 58, 128],
];

function fp32Peak(): { gpu: string | null; tflops: number | null; why?: string } {
  let line: string;
  try {
    line = execFileSync('nvidia-smi', ['--query-gpu=name,clocks.max.sm', '--format=csv,noheader,nounits'], {
      encoding: 'utf8',
    }).split('\n')[0];
  } catch {
    return { gpu: null, tflops: null, why: 'no nvidia-smi: not an NVIDIA machine' };
  }
  const [gpu, mhz] = line.split(',').map((s) => s.trim());
  const known = NVIDIA_SMS.find(([pattern]) => pattern.test(gpu));
  if (!known) return { gpu, tflops: null, why: `no SM count known for ${gpu} (add it to NVIDIA_SMS)` };
  return { gpu, tflops: (known[1] * known[2] * 2 * Number(mhz) * 1e6) / 1e12 };
}

const round = (x: number, digits = 3) => Number(x.toPrecision(digits));

interface Measured {
  seconds: number;
  trial_steps_per_s: number;
  gflops: number;
  final_train_loss_median?: number;
}

async function measure(engine: TrainingEngine, w: Workload, data: TrainingData): Promise<Measured> {
  await engine.train(job(w, data, Math.min(w.steps, WORKLOAD.reportEvery))); // compile, allocate
  const t0 = performance.now();
  const result = await engine.train(job(w, data, w.steps));
  const seconds = (performance.now() - t0) / 1000;
  const last = result.reports.at(-1)?.trainLoss ?? new Float32Array();
  const losses = Array.from(last).sort((a, b) => a - b);
  return {
    seconds: round(seconds, 4),
    trial_steps_per_s: round((w.trials * w.steps) / seconds),
    gflops: round(flopsOf(w) / seconds / 1e9),
    final_train_loss_median: round(losses[losses.length >> 1] ?? Number.NaN),
  };
}

/** JAX on the same workloads, through jax_anchor.py; its JSON line, or why it did not run. */
function runJax(
  data: TrainingData,
  todo: Workload[],
): { version?: string; results?: Record<string, Measured>; skipped?: string } {
  const left = deadline - elapsed();
  if (left < 20) return { skipped: 'no time left before the deadline' };
  try {
    execFileSync(flags.python, ['-c', 'import jax'], { stdio: 'ignore' });
  } catch {
    return { skipped: `${flags.python} cannot import jax` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'device-bench-'));
  const input = join(dir, 'workloads.json');
  const maxTrials = Math.max(...todo.map((w) => w.trials));
  writeFileSync(
    input,
    JSON.stringify({
      workloads: todo,
      flops: Object.fromEntries(todo.map((w) => [w.name, flopsOf(w)])),
      learning_rates: Array.from({ length: maxTrials }, (_, t) => trialHyper(t).learningRate),
      x: Array.from(data.train.x),
      y: Array.from(data.train.y),
      inputs: data.inputs,
      outputs: data.outputs,
      batch: WORKLOAD.batchSize,
      deadline_s: left - 5,
    }),
  );
  // What it printed counts even when the deadline cuts it short: a header line, then a line per workload.
  const run = spawnSync(flags.python, [join(flags.repo, 'bench/device/jax_anchor.py'), input], {
    encoding: 'utf8',
    timeout: Math.floor(left * 1000),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [header, ...lines] = (run.stdout ?? '').split('\n').filter((line) => line.startsWith('{'));
  if (!header) return { skipped: `jax_anchor.py printed nothing (${run.error?.message ?? `exit ${run.status}`})` };
  const results = Object.fromEntries(
    lines.map((line) => JSON.parse(line) as Measured & { name: string }).map(({ name, ...m }) => [name, m]),
  );
  return { version: (JSON.parse(header) as { version: string }).version, results };
}

const { engine, adapter } = await openEngine();
log(`adapter ${adapter}`);
const data = spiralData();
const engineResults: Record<string, Measured | { skipped: string }> = {};
let secondsPerFlop = 0;
// Cheapest first, so that the deadline drops the largest.
for (const w of [...workloads].sort((a, b) => flopsOf(a) - flopsOf(b))) {
  const estimate = secondsPerFlop * flopsOf(w) * 1.5;
  if (elapsed() + estimate > deadline * 0.6) {
    engineResults[w.name] = { skipped: `estimated ${estimate.toFixed(0)} s would pass the deadline` };
    log(`${w.name}: skipped`);
    continue;
  }
  try {
    const m = await measure(engine, w, data);
    // Larger populations use the GPU better, so the latest (largest) run's rate estimates the next.
    secondsPerFlop = m.seconds / flopsOf(w);
    engineResults[w.name] = m;
    log(`${w.name}: ${m.trial_steps_per_s} trial-steps/s, ${m.gflops} GFLOP/s`);
  } catch (e) {
    engineResults[w.name] = { skipped: `the engine failed: ${(e as Error).message}` };
    log(`${w.name}: failed: ${(e as Error).message}`);
  }
}
engine.dispose();
const ran = workloads.filter((w) => 'seconds' in engineResults[w.name]);
const jax = runJax(data, ran);
const peak = fp32Peak();
const rows = workloads.map((w) => {
  const e = engineResults[w.name];
  const j = jax.results?.[w.name];
  const row: Record<string, unknown> = { name: w.name, trials: w.trials, width: w.width, steps: w.steps, engine: e };
  if ('seconds' in e && peak.tflops) row.engine_fraction_of_fp32_peak = round(e.gflops / 1000 / peak.tflops);
  if (jax.results && !j && 'seconds' in e) row.jax = { skipped: 'not reached before the deadline' };
  if (j) {
    row.jax = j;
    if (peak.tflops) row.jax_fraction_of_fp32_peak = round(j.gflops / 1000 / peak.tflops);
    if ('seconds' in e) row.engine_vs_jax = round(e.trial_steps_per_s / j.trial_steps_per_s);
  }
  return row;
});
process.stdout.write(
  `${JSON.stringify({
    date: new Date().toISOString(),
    adapter,
    gpu: peak.gpu,
    fp32_peak_tflops: peak.tflops === null ? null : round(peak.tflops),
    ...(peak.why ? { fp32_peak_unknown: peak.why } : {}),
    jax: jax.skipped ? { skipped: jax.skipped } : { version: jax.version },
    workloads: rows,
    total_s: round(elapsed()),
  })}\n`,
);
process.exit(0);
