// The WASM engine: the CPU engine's contract and math (src/train/cpu/engine.ts, its oracle)
// on AssemblyScript kernels with 128-bit SIMD, four models per vector (assembly/kernels.ts),
// on every core: its thread workers share one WebAssembly memory, so it needs a
// SharedArrayBuffer, which browsers grant only to cross-origin isolated pages (COOP/COEP,
// see vite.config.ts). Without isolation, and in Node, it trains in the calling thread.
// Models are independent, so each thread trains its quads through a whole report interval
// on its own; the threads meet only at reports, and results never depend on their number.

import { kernelBytes } from '#wasm-kernels';
import type {
  ModelWeights,
  PopulationJob,
  PopulationResult,
  ProgressReport,
  ReportHandler,
  TrainingEngine,
} from '../types.ts';
import { EngineError } from '../types.ts';
import { readReportAnswer, validateJob } from '../validate.ts';
import { assignQuads, MAXIMUM_PAGES, type MemoryPlan, PAGE_BYTES, planMemory } from './layout.ts';
import {
  instantiateKernels,
  type Kernels,
  type ModelEntry,
  QuadTrainer,
  readParameters,
  trainerSetup,
} from './quad-trainer.ts';
import type { ThreadReply, ThreadRequest } from './thread-protocol.ts';

const DEFAULT_DIVERGENCE_FACTOR = 100;
/** Longest stretch of work between yields to the event loop in one-thread mode (the CPU engine's). */
const YIELD_AFTER_MS = 50;

const CANNOT_COPY_MODELS =
  'the WASM engine cannot copy or retune models mid-run (four models share each SIMD vector, grouped by width and optimizer, and each thread keeps its own): train population-based studies on the WebGPU or the TypeScript CPU engine';

export interface WasmEngineOptions {
  /** Threads to train on; default: every core when the page may share memory, else 1. */
  threads?: number;
}

/** Why the engine can or cannot use threads here, and how many it would use. */
export function wasmThreading(): { threads: number; why: string } {
  if (typeof Worker === 'undefined') return { threads: 1, why: 'no Web Workers here' };
  if (!globalThis.crossOriginIsolated)
    return {
      threads: 1,
      why: 'the page is not cross-origin isolated (no COOP/COEP headers), so it cannot share memory',
    };
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return { threads: Math.max(1, cores), why: `${cores} cores` };
}

function aborted(): EngineError {
  return new EngineError('aborted', 'training was aborted by the caller; start a new job to train again');
}

/** Thread workers, started once and reused by every job. */
class ThreadPool {
  private readonly workers: Worker[];
  private readonly pending: Array<{ resolve: (reply: ThreadReply) => void; reject: (e: Error) => void } | undefined>;

  constructor(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, control: Int32Array) {
    this.pending = new Array(size).fill(undefined);
    this.workers = Array.from({ length: size }, (_, t) => {
      const worker = new Worker(new URL('./thread.worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (event: MessageEvent<ThreadReply>) => this.settle(t)?.resolve(event.data);
      worker.onerror = (event) =>
        this.settle(t)?.reject(new Error(`a WASM engine thread failed: ${event.message || 'no message'}`));
      return worker;
    });
    this.started = Promise.all(this.workers.map((_, t) => this.request(t, { type: 'start', module, memory, control })));
  }

  readonly started: Promise<ThreadReply[]>;

  get size(): number {
    return this.workers.length;
  }

  private settle(t: number) {
    const waiting = this.pending[t];
    this.pending[t] = undefined;
    return waiting;
  }

  request(t: number, message: ThreadRequest): Promise<ThreadReply> {
    return new Promise((resolve, reject) => {
      this.pending[t] = { resolve, reject };
      this.workers[t].postMessage(message);
    });
  }

  terminate(): void {
    for (const worker of this.workers) worker.terminate();
  }
}

/**
 * Compiles the kernels and instantiates them on a new memory (shared for threads). A browser
 * without WebAssembly SIMD refuses to compile them: the caller falls back to the CPU engine.
 */
export async function loadKernels(
  shared: boolean,
): Promise<{ module: WebAssembly.Module; memory: WebAssembly.Memory; kernels: Kernels }> {
  const module = await WebAssembly.compile(await kernelBytes(shared));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared });
  return { module, memory, kernels: instantiateKernels(module, memory) };
}

/** Trains report intervals of one job; `entries` of all its models for each. */
type IntervalRunner = (from: number, to: number, stops: number[]) => Promise<ModelEntry[]>;

export async function createWasmEngine(options: WasmEngineOptions = {}): Promise<TrainingEngine> {
  const threading = wasmThreading();
  const threads = Math.max(1, Math.floor(options.threads ?? threading.threads));
  if (threads > 1 && threading.threads === 1)
    throw new Error(`the WASM engine cannot run ${threads} threads here: ${threading.why}`);
  const shared = threads > 1;
  const { module, memory, kernels } = await loadKernels(shared);
  const heapBase = kernels.heapBase();
  const control = new Int32Array(shared ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
  let pool: ThreadPool | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  function prepare(job: PopulationJob, plan: MemoryPlan): void {
    const pages = Math.ceil(plan.bytes / PAGE_BYTES);
    if (pages > MAXIMUM_PAGES)
      throw new EngineError(
        'out-of-memory',
        `this population needs ${Math.ceil(plan.bytes / 2 ** 20)} MiB of WebAssembly memory, more than the engine's ${(MAXIMUM_PAGES * PAGE_BYTES) / 2 ** 30} GiB: train fewer or narrower models at once`,
      );
    const have = memory.buffer.byteLength / PAGE_BYTES;
    if (pages > have) memory.grow(pages - have);
    const f32 = new Float32Array(memory.buffer);
    const { train, validation } = job.data;
    f32.set(train.x, plan.data.trainX / 4);
    f32.set(train.y, plan.data.trainY / 4);
    f32.set(validation.x, plan.data.validationX / 4);
    f32.set(validation.y, plan.data.validationY / 4);
  }

  function oneThread(setup: ReturnType<typeof trainerSetup>, signal?: AbortSignal): IntervalRunner {
    const trainer = new QuadTrainer(kernels, memory, setup);
    let lastYield = performance.now();
    const pause = () => {
      if (signal?.aborted) throw aborted();
      if (performance.now() - lastYield < YIELD_AFTER_MS) return undefined;
      return new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
        lastYield = performance.now();
        if (signal?.aborted) throw aborted();
      });
    };
    return (from, to, stops) => trainer.trainInterval(from, to, stops, pause);
  }

  async function manyThreads(setups: ReturnType<typeof trainerSetup>[]): Promise<IntervalRunner> {
    pool ??= new ThreadPool(threads, module, memory, control);
    await pool.started;
    Atomics.store(control, 0, 0);
    await Promise.all(setups.map((setup, t) => pool!.request(t, { type: 'setup', setup })));
    return async (from, to, stops) => {
      const replies = await Promise.all(setups.map((_, t) => pool!.request(t, { type: 'interval', from, to, stops })));
      const failed = replies.find((reply) => reply.type === 'error');
      if (failed) throw new Error(`a WASM engine thread failed: ${failed.message}`);
      if (replies.some((reply) => reply.type === 'aborted')) throw aborted();
      return replies.flatMap((reply) => (reply.type === 'entries' ? reply.entries : []));
    };
  }

  async function train(job: PopulationJob, onReport?: ReportHandler, signal?: AbortSignal): Promise<PopulationResult> {
    validateJob(job);
    if (signal?.aborted) throw aborted();
    const { steps, reportEvery, models } = job;
    const P = models.length;
    const used = Math.min(threads, Math.ceil(P / 4));
    const plan = planMemory(job, heapBase, used);
    prepare(job, plan);
    const factor = job.divergenceFactor ?? DEFAULT_DIVERGENCE_FACTOR;
    const setups = assignQuads(plan.quads, used).map((quads, t) => trainerSetup(job, plan, factor, quads, t));
    /** Model m's weights as the memory holds them (the threads are idle between intervals). */
    const weightsOf = (m: number): ModelWeights => {
      const quad = plan.quads.find((q) => q.lanes.includes(m));
      if (!quad) throw new Error(`model ${m} is in no quad of this job`);
      // No batch norm here (parameterLayout refuses every shape with a layer list), so no running statistics.
      return {
        parameters: readParameters(new Float32Array(memory.buffer), job.shape, quad, quad.lanes.indexOf(m)),
        statistics: new Float32Array(0),
      };
    };
    const onAbort = () => Atomics.store(control, 0, 1);
    signal?.addEventListener('abort', onAbort);
    try {
      const runInterval = shared ? await manyThreads(setups) : oneThread(setups[0], signal);
      const diverged = new Uint8Array(P);
      const stopped = new Uint8Array(P);
      const stoppedAtStep = new Int32Array(P).fill(steps);
      const reports: ProgressReport[] = [];
      let stops: number[] = [];
      const running = (m: number) => !diverged[m] && !stopped[m];
      const anyRunning = () => models.some((_, m) => running(m));
      for (let step = 0; step < steps && anyRunning(); ) {
        const next = Math.min(steps, step + reportEvery);
        const entries = await runInterval(step, next, stops);
        step = next;
        const report: ProgressReport = {
          step,
          trainLoss: new Float32Array(P).fill(Number.NaN),
          trainAccuracy: new Float32Array(P).fill(Number.NaN),
          validationLoss: new Float32Array(P).fill(Number.NaN),
          validationAccuracy: new Float32Array(P).fill(Number.NaN),
          diverged: new Uint8Array(P),
        };
        for (const e of entries) {
          report.trainLoss[e.model] = e.trainLoss;
          report.trainAccuracy[e.model] = e.trainAccuracy;
          report.validationLoss[e.model] = e.validationLoss;
          report.validationAccuracy[e.model] = e.validationAccuracy;
          report.diverged[e.model] = e.diverged ? 1 : 0;
          if (e.diverged && !diverged[e.model]) {
            diverged[e.model] = 1;
            stoppedAtStep[e.model] = e.stoppedAtStep;
          }
        }
        reports.push(report);
        const answer = readReportAnswer(
          await onReport?.(report, async (m) => weightsOf(m)),
          job,
          models,
          running,
          CANNOT_COPY_MODELS,
        );
        stops = answer.stop.filter(running);
        for (const m of stops) {
          stopped[m] = 1;
          stoppedAtStep[m] = step;
        }
        if (signal?.aborted) throw aborted();
      }
      const weights = models.map((_, m) => weightsOf(m));
      return {
        reports,
        parameters: weights.map((w) => w.parameters),
        statistics: weights.map((w) => w.statistics),
        stoppedAtStep,
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    kind: 'cpu',
    adapter: shared ? `CPU (WebAssembly SIMD, ${threads} threads)` : `CPU (WebAssembly SIMD, 1 thread)`,
    cannotCopyModels: CANNOT_COPY_MODELS,
    train(job, onReport, signal) {
      // One job at a time: jobs share the memory and the threads.
      const run = queue.then(() => train(job, onReport, signal));
      queue = run.catch(() => undefined);
      return run;
    },
    dispose(): void {
      pool?.terminate();
      pool = undefined;
    },
  };
}
