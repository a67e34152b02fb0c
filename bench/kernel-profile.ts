// Where a training step's time goes, kernel by kernel. While the engine trains a short job,
// every dispatch is captured with its pipeline, bind group and grid, submits and read-backs
// (mapAsync) are counted (each a queue round trip), and buffer destruction is deferred; afterwards each distinct dispatch of a step is replayed alone, `REPLAYS`
// times in one submit, and timed up to onSubmittedWorkDone, less an empty submit's round
// trip. Replays overwrite the finished job's buffers, which nobody reads any more.
import type { PopulationJob, TrainingEngine } from '../src/train/types.ts';
import { median } from './stats.ts';

export interface KernelTime {
  kernel: string;
  /** Dispatches of this kernel in one training step. */
  dispatchesPerStep: number;
  /** Distinct workgroup grids it runs with, e.g. "1x1x64". */
  grids: string[];
  msPerStep: number;
}

export interface StepProfile {
  steps: number;
  /** WebGPU calls of the whole profiled job (init, steps, reports). */
  calls: { dispatches: number; submits: number; readbacks: number };
  /** Sum over the step's dispatches of each one's replayed time. */
  estimatedMsPerStep: number;
  kernels: KernelTime[];
}

const REPLAYS = 10;
const TIMINGS = 3;

interface Captured {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  offsets: number[];
  grid: [number, number, number];
  count: number;
}

/** Trains `job` (its steps all recorded) and profiles the dispatches that run once per step. */
export async function profileStep(device: GPUDevice, engine: TrainingEngine, job: PopulationJob): Promise<StepProfile> {
  const { dispatches, calls, deferred } = await capture(() => engine.train(job));
  try {
    const perStep = [...dispatches.values()].filter((d) => d.count >= job.steps);
    const roundTripMs = await timeSubmit(device, () => undefined);
    const byKernel = new Map<string, KernelTime>();
    for (const d of perStep) {
      const ms = await timeSubmit(device, (pass) => {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup, d.offsets);
        for (let r = 0; r < REPLAYS; r++) pass.dispatchWorkgroups(...d.grid);
      });
      const times = Math.round(d.count / job.steps);
      const kernel = d.pipeline.label;
      const entry = byKernel.get(kernel) ?? { kernel, dispatchesPerStep: 0, grids: [], msPerStep: 0 };
      entry.dispatchesPerStep += times;
      const grid = d.grid.join('x');
      if (!entry.grids.includes(grid)) entry.grids.push(grid);
      entry.msPerStep += (times * Math.max(0, ms - roundTripMs)) / REPLAYS;
      byKernel.set(kernel, entry);
    }
    const kernels = [...byKernel.values()].sort((a, b) => b.msPerStep - a.msPerStep);
    return { steps: job.steps, calls, estimatedMsPerStep: kernels.reduce((sum, k) => sum + k.msPerStep, 0), kernels };
  } finally {
    for (const buffer of deferred) buffer.destroy();
  }
}

/** Median ms of TIMINGS submits of one pass recorded by `record`, waited for with onSubmittedWorkDone. */
async function timeSubmit(device: GPUDevice, record: (pass: GPUComputePassEncoder) => void): Promise<number> {
  const ms: number[] = [];
  for (let t = 0; t < TIMINGS; t++) {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    record(pass);
    pass.end();
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    ms.push(performance.now() - start);
  }
  return median(ms);
}

/** The WebGPU calls (dispatches, submits, read-backs) of `work`. */
export async function countCalls(work: () => Promise<unknown>): Promise<StepProfile['calls']> {
  const { calls, deferred } = await capture(work);
  for (const buffer of deferred) buffer.destroy();
  return calls;
}

/** Runs `work` with the WebGPU methods wrapped: dispatches recorded, submits and read-backs counted, destroy deferred. */
async function capture(
  work: () => Promise<unknown>,
): Promise<{ dispatches: Map<string, Captured>; calls: StepProfile['calls']; deferred: GPUBuffer[] }> {
  const pass = GPUComputePassEncoder.prototype;
  const { setPipeline, setBindGroup, dispatchWorkgroups } = pass;
  const { destroy, mapAsync } = GPUBuffer.prototype;
  const { submit } = GPUQueue.prototype;
  const calls = { dispatches: 0, submits: 0, readbacks: 0 };
  let nextId = 0;
  const state = new WeakMap<
    GPUComputePassEncoder,
    { pipeline?: GPUComputePipeline; bindGroup?: GPUBindGroup; offsets: number[] }
  >();
  const ids = new WeakMap<GPUBindGroup, number>();
  const dispatches = new Map<string, Captured>();
  const deferred: GPUBuffer[] = [];
  const stateOf = (encoder: GPUComputePassEncoder) =>
    state.get(encoder) ?? state.set(encoder, { offsets: [] }).get(encoder)!;
  pass.setPipeline = function (this: GPUComputePassEncoder, pipeline: GPUComputePipeline) {
    stateOf(this).pipeline = pipeline;
    return setPipeline.call(this, pipeline);
  };
  pass.setBindGroup = function (this: GPUComputePassEncoder, ...args: unknown[]) {
    const [index, bindGroup, offsets] = args as [number, GPUBindGroup | null, Iterable<number> | undefined];
    if (index === 0 && bindGroup) Object.assign(stateOf(this), { bindGroup, offsets: [...(offsets ?? [])] });
    return (setBindGroup as (...a: unknown[]) => undefined).apply(this, args);
  };
  pass.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y = 1, z = 1) {
    calls.dispatches++;
    const { pipeline, bindGroup, offsets } = stateOf(this);
    if (pipeline && bindGroup) {
      if (!ids.has(bindGroup)) ids.set(bindGroup, nextId++);
      const key = `${pipeline.label}|${ids.get(bindGroup)}|${x}x${y}x${z}`;
      const seen = dispatches.get(key);
      if (seen) seen.count++;
      else dispatches.set(key, { pipeline, bindGroup, offsets, grid: [x, y, z], count: 1 });
    }
    return dispatchWorkgroups.call(this, x, y, z);
  };
  GPUQueue.prototype.submit = function (this: GPUQueue, buffers: Iterable<GPUCommandBuffer>) {
    calls.submits++;
    return submit.call(this, buffers);
  };
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
    calls.readbacks++;
    return mapAsync.apply(this, args);
  };
  GPUBuffer.prototype.destroy = function (this: GPUBuffer) {
    deferred.push(this);
  };
  try {
    await work();
    return { dispatches, calls, deferred };
  } catch (error) {
    for (const buffer of deferred) destroy.call(buffer);
    throw error;
  } finally {
    Object.assign(pass, { setPipeline, setBindGroup, dispatchWorkgroups });
    Object.assign(GPUBuffer.prototype, { destroy, mapAsync });
    GPUQueue.prototype.submit = submit;
  }
}
