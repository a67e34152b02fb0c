// The WebGPU population engine: trains the P models of a PopulationJob in lockstep with
// the WGSL kernels of shaders/. Steps are recorded many per command buffer (as many as fit
// in a short slice of GPU time, see pacing.ts); losses and metrics accumulate on the GPU and
// come back only at each report (every reportEvery steps and after the last), together with
// the validation pass. No DOM: it runs in a dedicated worker as well as in a page.

import type { PopulationJob, PopulationResult, ProgressReport, ReportHandler, TrainingEngine } from '../types.ts';
import { EngineError } from '../types.ts';
import { readReportAnswer, validateJob } from '../validate.ts';
import { aborted, DeviceGuard } from './device-guard.ts';
import type { StepKernelChoice } from './fused-fit.ts';
import { SubmitPacer } from './pacing.ts';
import { GpuPopulation } from './population.ts';
import { unpackModelState } from './structs.ts';

export interface GpuEngineOptions {
  /** Train on this device (the engine then leaves it alive on dispose); by default the engine requests its own. */
  device?: GPUDevice;
  /** GPU time one command buffer should hold (see pacing.ts); 0 submits every dispatch of every step alone. */
  submitTargetMs?: number;
  /** Which step kernel trains (fused-fit.ts): the table's choice by default; tests and the bench force one. */
  stepKernel?: StepKernelChoice;
}

export async function createGpuEngine(options: GpuEngineOptions = {}): Promise<TrainingEngine> {
  if (options.device) return new GpuEngine(options.device, false, options);
  if (typeof navigator === 'undefined' || !navigator.gpu) {
    throw new EngineError(
      'no-webgpu',
      'This browser has no WebGPU (navigator.gpu is missing): use a recent Chrome or Edge, or the CPU engine.',
    );
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter)
    throw new EngineError(
      'no-webgpu',
      'WebGPU found no adapter (requestAdapter() returned null): enable the GPU in the browser, or use the CPU engine.',
    );
  const device = await adapter.requestDevice();
  return new GpuEngine(device, true, options);
}

function adapterName(info: GPUAdapterInfo): string {
  const name = info.description || info.architecture || info.device || 'unknown adapter';
  return info.vendor ? `${name} (${info.vendor})` : name;
}

async function readBack(guard: DeviceGuard, buffer: GPUBuffer, signal?: AbortSignal): Promise<ArrayBuffer> {
  await guard.race(buffer.mapAsync(GPUMapMode.READ), signal);
  const copy = buffer.getMappedRange().slice(0);
  buffer.unmap();
  return copy;
}

function disposedError(): EngineError {
  return new EngineError('aborted', 'The GPU engine was disposed; create a new one to train again.');
}

class GpuEngine implements TrainingEngine {
  readonly kind = 'webgpu' as const;
  readonly adapter: string;
  private readonly guard: DeviceGuard;
  private readonly live = new Set<{ destroy(): void }>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly ownsDevice: boolean,
    private readonly options: GpuEngineOptions,
  ) {
    this.adapter = adapterName(device.adapterInfo);
    this.guard = new DeviceGuard(device);
  }

  /** Jobs run one after another on the device. */
  train(job: PopulationJob, onReport?: ReportHandler, signal?: AbortSignal): Promise<PopulationResult> {
    const run = this.queue.then(async () => {
      if (this.disposed) throw disposedError();
      try {
        return await this.run(job, onReport, signal);
      } catch (error) {
        // Whatever dispose() broke mid-run (destroyed buffers, a cancelled map) means one thing.
        if (this.disposed) throw disposedError();
        // A device operation that failed because the device is lost is that loss (the runner restarts its trials elsewhere).
        throw await this.guard.explain(error);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(job: PopulationJob, onReport?: ReportHandler, signal?: AbortSignal): Promise<PopulationResult> {
    validateJob(job);
    this.guard.throwIfFailed();
    if (signal?.aborted) throw aborted();
    const { device, guard } = this;
    const population = guard.scoped(() => new GpuPopulation(device, job, this.options.stepKernel));
    const stateStaging = device.createBuffer({
      label: 'state read-back',
      size: population.stateBytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const parameterStaging = device.createBuffer({
      label: 'parameter read-back',
      size: population.readBackBytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const owned = [population, stateStaging, parameterStaging];
    owned.forEach((o) => this.live.add(o));
    try {
      const submit = (record: (encoder: GPUCommandEncoder) => void) =>
        guard.scoped(() => {
          const encoder = device.createCommandEncoder();
          record(encoder);
          device.queue.submit([encoder.finish()]);
        });
      submit((encoder) => population.encodeInit(encoder));
      await guard.check();
      /** Every model's parameters and running statistics as the queue has them now. */
      const readModels = async () => {
        submit((encoder) => population.encodeReadBack(encoder, parameterStaging));
        await guard.check();
        return population.unpackReadBack(new Float32Array(await readBack(guard, parameterStaging, signal)));
      };
      const pacer = new SubmitPacer(device.queue, guard, population.stepSlots, this.options.submitTargetMs);
      const throwIfStopped = () => {
        if (signal?.aborted) throw aborted();
        if (this.disposed) throw disposedError();
      };

      const P = population.models;
      const reports: ProgressReport[] = [];
      const stoppedAtStep = new Int32Array(P).fill(job.steps);
      const frozen = new Uint8Array(P);
      /** Each model's hyperparameters now (PBT's copies and changes replace them). */
      const hypers = [...job.models];
      const classification = job.data.task === 'classification';
      const validationCount = job.data.validation.count;
      // A validation pass is a forward pass over its rows; a step is a forward and a backward
      // pass (about twice the forward's work) over a batch: so it is worth about this many steps.
      const validationSteps = validationCount / (3 * job.shape.batchSize);
      let step = 0;
      while (step < job.steps && frozen.some((f) => f === 0)) {
        const reportAt = Math.min(job.steps, (Math.floor(step / job.reportEvery) + 1) * job.reportEvery);
        while (step < reportAt) {
          const first = step;
          const chunk = pacer.next(reportAt - step);
          const D = population.stepDispatches;
          const parts = Math.min(chunk.parts, D);
          for (let part = 0; part < parts; part++) {
            throwIfStopped();
            if (parts === 1) {
              submit((encoder) => population.encodeSteps(encoder, first, chunk.steps));
            } else {
              submit((encoder) =>
                population.encodeStepPart(
                  encoder,
                  first,
                  Math.floor((part * D) / parts),
                  Math.floor(((part + 1) * D) / parts),
                ),
              );
            }
            await pacer.submitted(chunk.steps / parts, signal);
          }
          step += chunk.steps;
        }
        // The validation pass, cut like a slow step, then the states' copy in its last command buffer.
        const V = population.validationDispatches;
        const parts = Math.max(1, Math.min(V, pacer.partsFor(validationSteps)));
        for (let part = 0; part < parts; part++) {
          throwIfStopped();
          const last = part === parts - 1;
          submit((encoder) => {
            population.encodeValidationPart(
              encoder,
              Math.floor((part * V) / parts),
              Math.floor(((part + 1) * V) / parts),
            );
            if (last) population.encodeStateCopy(encoder, stateStaging);
          });
          if (!last) await pacer.submitted(validationSteps / parts, signal, false);
        }
        await guard.check();
        const bytes = await readBack(guard, stateStaging, signal);
        pacer.drained();
        const report: ProgressReport = {
          step,
          trainLoss: new Float32Array(P),
          trainAccuracy: new Float32Array(P),
          validationLoss: new Float32Array(P),
          validationAccuracy: new Float32Array(P),
          diverged: new Uint8Array(P),
        };
        for (let m = 0; m < P; m++) {
          const state = unpackModelState(bytes, m);
          const active = !state.diverged && !state.stopped;
          if (state.diverged && !frozen[m]) stoppedAtStep[m] = state.divergedAt;
          frozen[m] = active ? 0 : 1;
          report.diverged[m] = state.diverged ? 1 : 0;
          report.trainLoss[m] = active ? state.lossSum / state.steps : NaN;
          report.trainAccuracy[m] = active && classification ? state.accuracySum / state.steps : NaN;
          report.validationLoss[m] = active && validationCount > 0 ? state.validationLossSum / validationCount : NaN;
          report.validationAccuracy[m] =
            active && classification && validationCount > 0 ? state.validationCorrect / validationCount : NaN;
        }
        reports.push(report);
        const readModel = async (m: number) => {
          const weights = await readModels();
          return { parameters: weights.parameters[m], statistics: weights.statistics[m] };
        };
        const reply = onReport ? await guard.race(Promise.resolve(onReport(report, readModel)), signal) : undefined;
        const answer = readReportAnswer(reply, job, hypers, (m) => !frozen[m]);
        if (answer.copy.length > 0) submit((encoder) => population.encodeModelCopies(encoder, answer.copy));
        const before = [...hypers];
        for (const { from, to } of answer.copy) hypers[to] = before[from];
        for (const { model, hyper } of answer.retune) {
          population.setHyper(model, hyper);
          hypers[model] = hyper;
        }
        for (const m of answer.stop) {
          if (frozen[m]) continue;
          population.stop(m);
          frozen[m] = 1;
          stoppedAtStep[m] = step;
        }
      }
      const { parameters, statistics } = await readModels();
      return { reports, parameters, statistics, stoppedAtStep };
    } finally {
      for (const o of owned) {
        o.destroy();
        this.live.delete(o);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const o of this.live) o.destroy();
    this.live.clear();
    if (this.ownsDevice) this.device.destroy();
  }
}
