// Turns everything a GPU device can report (a validation error, running out of memory, an
// uncaptured error, the device being lost) into an EngineError, and lets the engine race
// every wait against it, so a failing or lost device rejects the pending train() instead
// of leaving it hanging.
import { EngineError } from '../types.ts';

/**
 * How long a failed device operation waits for `device.lost` before counting as an error of
 * its own. A destroyed device or a crashed GPU process rejects the pending read-back ("Buffer
 * was unmapped before mapping was resolved") a moment before `lost` resolves.
 */
export const LOSS_GRACE_MS = 1000;

function describe(error: GPUError): EngineError {
  if (error instanceof GPUOutOfMemoryError) {
    return new EngineError(
      'out-of-memory',
      `The GPU ran out of memory (${error.message}): train fewer models at once, or a smaller batch or network.`,
    );
  }
  return new EngineError(
    'validation',
    `WebGPU rejected a command: ${error.message}. This is a bug in the GPU engine; the CPU engine can run the same job.`,
  );
}

export class DeviceGuard {
  /** Rejects with the first failure; every wait races against it. */
  readonly failed: Promise<never>;
  /** Resolves with the device-lost error once the device is lost. */
  private readonly lost: Promise<EngineError>;
  private failure: EngineError | null = null;
  private reject!: (error: EngineError) => void;
  private readonly scopes: Array<Promise<GPUError | null>> = [];

  constructor(private readonly device: GPUDevice) {
    this.failed = new Promise<never>((_, reject) => (this.reject = reject));
    this.failed.catch(() => undefined); // observed through race(), never unhandled
    this.lost = device.lost.then((info) => {
      const why =
        info.reason === 'destroyed'
          ? 'the device was destroyed'
          : `the browser reported: ${info.message || 'no reason given'}`;
      const error = new EngineError(
        'device-lost',
        `The GPU device was lost (${why}). Create a new engine to train again; the CPU engine works without a GPU.`,
      );
      this.fail(error);
      return error;
    });
    device.addEventListener('uncapturederror', (event) =>
      this.fail(describe((event as GPUUncapturedErrorEvent).error)),
    );
  }

  private fail(error: EngineError): void {
    if (this.failure) return;
    this.failure = error;
    this.reject(error);
  }

  /**
   * What a failed run threw, as the caller should see it: a device loss if the device is lost
   * now or within LOSS_GRACE_MS (whatever the failing operation said), else `error` itself.
   * The engine's own EngineErrors (a bad job, an abort, a scope's error) are never a loss.
   */
  async explain(error: unknown): Promise<unknown> {
    if (error instanceof EngineError) return error;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LOSS_GRACE_MS)));
    try {
      return (await Promise.race([this.lost, grace])) ?? error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throws the failure, if any, now. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Runs `record` inside validation and out-of-memory error scopes, checked at the next `check()`. */
  scoped<T>(record: () => T): T {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    try {
      return record();
    } finally {
      const popped = [this.device.popErrorScope(), this.device.popErrorScope()];
      // A crashed GPU process rejects them ("Instance dropped"); a run that fails before its
      // next check() never reads them, and check() still sees the rejection.
      for (const scope of popped) scope.catch(() => undefined);
      this.scopes.push(...popped);
    }
  }

  /** Waits for the scopes recorded so far and throws the first error they caught. */
  async check(): Promise<void> {
    const errors = await this.race(Promise.all(this.scopes.splice(0)));
    const error = errors.find((e) => e !== null);
    if (error) {
      const engineError = describe(error);
      this.fail(engineError);
      throw engineError;
    }
  }

  /** `promise`, unless the device fails (or `signal` aborts) first. */
  async race<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
    promise.catch(() => undefined); // a loser's later rejection is nobody's error
    this.throwIfFailed();
    if (signal?.aborted) throw aborted();
    let onAbort: () => void = () => undefined;
    const abort = new Promise<never>((_, reject) => (onAbort = () => reject(aborted())));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([promise, this.failed, abort]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

export function aborted(): EngineError {
  return new EngineError('aborted', 'Training was aborted by its AbortSignal.');
}
