// The submit pacer against a simulated GPU queue (fake clock): command buffers of about
// SUBMIT_TARGET_MS whatever a step costs, never more than two in flight, a slow step cut into
// parts, and an abort seen while it waits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceGuard } from '../../../src/train/gpu/device-guard.ts';
import { SUBMIT_TARGET_MS, SubmitPacer } from '../../../src/train/gpu/pacing.ts';

/** A GPU that runs command buffers one after another, each taking `msPerStep` per step, on the fake clock. */
class SimulatedQueue {
  busyUntil = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** GPU work queued just after each submit, in ms. */
  readonly queuedMs: number[] = [];

  constructor(private readonly msPerStep: number) {}

  submit(steps: number): void {
    const now = performance.now();
    this.busyUntil = Math.max(now, this.busyUntil) + steps * this.msPerStep;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.queuedMs.push(this.busyUntil - now);
    setTimeout(() => this.inFlight--, this.busyUntil - now);
  }

  onSubmittedWorkDone(): Promise<undefined> {
    return new Promise((resolve) => setTimeout(() => resolve(undefined), this.busyUntil - performance.now()));
  }
}

const neverLost = { lost: new Promise(() => undefined), addEventListener: () => undefined } as unknown as GPUDevice;

/** Trains `steps` steps of `msPerStep` each through a pacer; the chunks it chose. */
async function pace(msPerStep: number, steps: number, signal?: AbortSignal) {
  const queue = new SimulatedQueue(msPerStep);
  const pacer = new SubmitPacer(queue as unknown as GPUQueue, new DeviceGuard(neverLost), 64);
  const chunks: Array<{ steps: number; parts: number }> = [];
  const run = (async () => {
    for (let step = 0; step < steps; ) {
      const chunk = pacer.next(steps - step);
      chunks.push(chunk);
      for (let part = 0; part < chunk.parts; part++) {
        queue.submit(chunk.steps / chunk.parts);
        await pacer.submitted(chunk.steps / chunk.parts, signal);
      }
      step += chunk.steps;
    }
  })();
  run.catch(() => undefined);
  await vi.runAllTimersAsync();
  return { chunks, queue, run, pacer };
}

describe('SubmitPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('puts about SUBMIT_TARGET_MS of fast steps in each command buffer, at most two in flight', async () => {
    const { chunks, queue, run } = await pace(5, 400);
    await run;
    const sizes = chunks.map((c) => c.steps);
    // Measured alone first, then growing (at most doubling) to 40 ms / 5 ms = 8 steps, never more.
    expect(sizes[0]).toBe(1);
    sizes.slice(1).forEach((size, i) => expect(size).toBeLessThanOrEqual(2 * sizes[i]));
    expect(Math.max(...sizes)).toBe(SUBMIT_TARGET_MS / 5);
    expect(sizes.slice(10, -1).every((size) => size === 8)).toBe(true);
    expect(chunks.every((c) => c.parts === 1)).toBe(true);
    expect(queue.maxInFlight).toBe(2);
    expect(Math.max(...queue.queuedMs)).toBeLessThanOrEqual(2 * SUBMIT_TARGET_MS);
  });

  it('stops at 64 steps per command buffer (the step slots), however fast a step', async () => {
    const { chunks, run } = await pace(0.01, 2000);
    await run;
    expect(Math.max(...chunks.map((c) => c.steps))).toBe(64);
  });

  it('cuts a step slower than SUBMIT_TARGET_MS into parts of at most about that length, two in flight', async () => {
    const { chunks, queue, run, pacer } = await pace(400, 5);
    await run;
    // Other work (a validation pass) by its worth in steps: a quarter of a 400 ms step in 40 ms parts.
    expect(pacer.partsFor(0.25)).toBe(3);
    expect(chunks[0]).toEqual({ steps: 1, parts: 1 });
    // 400 ms / 40 ms = 10 parts (11 where the measured time rounds just above 400 ms).
    for (const chunk of chunks.slice(1)) expect([10, 11]).toContain(chunk.parts);
    expect(queue.maxInFlight).toBe(2);
    // The first step runs alone (it is measured); after it, two parts at most are queued
    // (within 5% of 2 × 40 ms: a part is a tenth of the step, whose last estimate may run over 400 ms).
    expect(queue.queuedMs[0]).toBe(400);
    expect(Math.max(...queue.queuedMs.slice(1))).toBeLessThanOrEqual(2.1 * SUBMIT_TARGET_MS);
  });

  it('rejects with aborted while it waits for the GPU', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const { chunks, run } = await pace(400, 100, controller.signal);
    await expect(run).rejects.toMatchObject({ kind: 'aborted' });
    // About 1000 ms of 400 ms steps: the abort came during the third step, and nothing was submitted after it.
    expect(chunks).toHaveLength(3);
  });
});
