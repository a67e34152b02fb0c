// Keeps the GPU queue short, so that an abort or a lost device is acted on within a fraction
// of a second however slow one step is. Each command buffer holds about `targetMs` of work,
// by the time per step measured as the run goes: many steps when steps are fast, a share of
// one step's dispatches when a step takes longer (a report's validation pass likewise, by its
// estimated worth in steps). At most two command buffers are in flight
// (the GPU works on one while the next is recorded), so about 2 × targetMs of work is ever
// queued (or two dispatches, where a single dispatch takes longer).
import type { DeviceGuard } from './device-guard.ts';

/** GPU time one command buffer should hold: short enough to stop promptly, long enough that submits cost little. */
export const SUBMIT_TARGET_MS = 40;
/** Finished command buffers the time per step is measured over (at least one step's worth): completions can be reported in bursts. */
const MEASURED_BUFFERS = 4;

interface InFlight {
  done: Promise<undefined>;
  /** Steps in the command buffer: a fraction when it holds some of one step's dispatches. */
  steps: number;
  submittedAt: number;
  /** Whether its time measures the time per step (a validation pass's is only estimated in steps). */
  measured: boolean;
}

/** What the next command buffers hold: `steps` whole steps, or (steps = 1) one step cut into `parts` command buffers. */
export interface Chunk {
  steps: number;
  parts: number;
}

export class SubmitPacer {
  private readonly inFlight: InFlight[] = [];
  private readonly recent: Array<{ ms: number; steps: number }> = [];
  /** GPU time of one step; unknown until the first step has finished. */
  private msPerStep = Number.NaN;
  private size = 1;
  /** When the last awaited command buffer was seen to finish: the GPU started the next one then, if it was queued. */
  private lastDone = -Infinity;

  constructor(
    private readonly queue: GPUQueue,
    private readonly guard: DeviceGuard,
    /** Most steps one command buffer can hold (the population's step slots). */
    private readonly maxSteps: number,
    private readonly targetMs = SUBMIT_TARGET_MS,
  ) {}

  /** The next chunk of at most `remaining` steps. */
  next(remaining: number): Chunk {
    if (this.msPerStep > this.targetMs) return { steps: 1, parts: this.partsFor(1) };
    return { steps: Math.max(1, Math.min(this.size, this.maxSteps, remaining)), parts: 1 };
  }

  /** Command buffers to cut work worth `steps` steps into (one while the time per step is unknown). */
  partsFor(steps: number): number {
    return this.msPerStep > 0 ? Math.max(1, Math.ceil((steps * this.msPerStep) / this.targetMs)) : 1;
  }

  /**
   * Call after each submit of `steps` steps (a fraction for part of a step): returns once at
   * most one command buffer is left in flight (none while the time per step is unknown),
   * rejecting at once if `signal` aborts or the device fails meanwhile. `measure`: false for
   * work whose worth in steps is only estimated.
   */
  async submitted(steps: number, signal?: AbortSignal, measure = true): Promise<void> {
    const done = this.queue.onSubmittedWorkDone();
    done.catch(() => undefined); // a lost device rejects it; the engine learns that through the guard
    this.inFlight.push({ done, steps, submittedAt: performance.now(), measured: measure });
    while (this.inFlight.length > (Number.isNaN(this.msPerStep) ? 0 : 1)) {
      const oldest = this.inFlight.shift()!;
      await this.guard.race(oldest.done, signal);
      const now = performance.now();
      if (oldest.measured) this.measured(now - Math.max(oldest.submittedAt, this.lastDone), oldest.steps);
      this.lastDone = now;
    }
  }

  /** Everything submitted has finished (a read-back waited for it). */
  drained(): void {
    this.inFlight.length = 0;
    this.lastDone = performance.now();
  }

  /** One more finished command buffer; the `1 - 1e-9`: a step's parts (1/D each) may sum to just under one. */
  private measured(ms: number, steps: number): void {
    this.recent.push({ ms, steps });
    let covered = 0;
    let kept = 0;
    while (kept < this.recent.length && (covered < 1 - 1e-9 || kept < MEASURED_BUFFERS))
      covered += this.recent[this.recent.length - ++kept].steps;
    this.recent.splice(0, this.recent.length - kept);
    this.msPerStep = Math.max(0.001, this.recent.reduce((sum, r) => sum + r.ms, 0) / covered);
    // Grows by at most 2× per measurement: one fast outlier must not queue seconds of work.
    this.size = Math.max(1, Math.min(2 * this.size, Math.floor(this.targetMs / this.msPerStep)));
  }
}
