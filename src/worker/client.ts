// The page's handle on the trainer worker. The page never trains: it creates the worker,
// hands it studies and listens to events — in the order they were sent (they carry sequence
// numbers), and it watches the worker: one that dies or stops answering ends the run with a
// TrainerLostError instead of leaving the page "running" forever.
import { proxy, releaseProxy, wrap } from 'comlink';
import type { LiveBestHandler, StudyEvent, StudyEventHandler } from '../study/events.ts';
import type { StudySpec } from '../study/spec.ts';
import type { RunInputs, TrainerApi } from './api.ts';

/**
 * How often a running study's worker is asked whether it is alive, and how long it may go
 * without answering once it has answered. Where the browser has Web Locks, a worker's death
 * is reported at once through its life lock (see holdLifeLock), so only a hung worker is left
 * to the pings, and a silence counts as one after HUNG_TIMEOUT_MS: a long synchronous stretch
 * (planning a large population, a starved machine) is not a death. Without Web Locks a silence
 * of PING_TIMEOUT_MS counts (training yields to its event loop far more often). A worker still
 * starting (loading its module) gets STARTUP_TIMEOUT_MS; one whose script fails to load fires
 * `error` at once.
 */
const PING_EVERY_MS = 250;
const PING_TIMEOUT_MS = 1500;
const HUNG_TIMEOUT_MS = 30_000;
const STARTUP_TIMEOUT_MS = 20_000;

export class TrainerLostError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'TrainerLostError';
  }
}

export interface Trainer {
  /**
   * Resolves once every event of the run was delivered, in order; rejects with TrainerLostError
   * if the worker dies. Live best models come on their own channel, unordered with the events.
   */
  run(spec: StudySpec, onEvent: StudyEventHandler, inputs?: RunInputs, onLiveBest?: LiveBestHandler): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** Ends the worker (and whatever it was training). */
  terminate(): void;
}

/** Delivers numbered events in order, holding back any that arrive early. */
export class EventSequencer {
  private next = 0;
  private readonly early = new Map<number, StudyEvent>();
  private waiting?: { count: number; resolve: () => void };

  constructor(private readonly deliver: StudyEventHandler) {}

  receive(seq: number, event: StudyEvent): void {
    this.early.set(seq, event);
    for (let e = this.early.get(this.next); e; e = this.early.get(this.next)) {
      this.early.delete(this.next++);
      this.deliver(e);
    }
    if (this.waiting && this.next >= this.waiting.count) this.waiting.resolve();
  }

  /** Resolves once `count` events were delivered. */
  delivered(count: number): Promise<void> {
    if (this.next >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = { count, resolve }));
  }
}

export function connectTrainer(): Trainer {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module' });
  const api = wrap<TrainerApi>(worker);
  let lost: ((error: TrainerLostError) => void) | undefined;
  worker.addEventListener('error', (event) =>
    lost?.(new TrainerLostError(`the trainer worker failed (${event.message || 'no message'})`)),
  );
  // The worker holds this lock for its life; the page's request for it is granted when it ends.
  let watchedByLock = false;
  const locks = globalThis.navigator?.locks;
  if (locks) {
    const lifeLock = `tuning-lab-trainer-${crypto.randomUUID()}`;
    void api.holdLifeLock(lifeLock).then(
      (held) => {
        if (!held) return;
        watchedByLock = true;
        void locks.request(lifeLock, () =>
          lost?.(new TrainerLostError('the trainer worker ended (it crashed or was closed)')),
        );
      },
      () => undefined,
    );
  }

  /** Rejects when the worker stops answering pings; `stop()` ends the watch. */
  function watch(): { dead: Promise<never>; stop: () => void } {
    let timer: ReturnType<typeof setInterval> | undefined;
    const dead = new Promise<never>((_, reject) => {
      lost = reject;
      const since = Date.now();
      let answered: number | undefined;
      timer = setInterval(() => {
        const now = Date.now();
        const timeout = watchedByLock ? HUNG_TIMEOUT_MS : PING_TIMEOUT_MS;
        if (answered !== undefined && now - answered > timeout)
          reject(new TrainerLostError(`the trainer worker stopped answering (no reply for ${timeout / 1000} s)`));
        else if (answered === undefined && now - since > STARTUP_TIMEOUT_MS)
          reject(new TrainerLostError(`the trainer worker did not start within ${STARTUP_TIMEOUT_MS / 1000} s`));
        else
          void api.ping().then(
            () => (answered = Date.now()),
            () => undefined,
          );
      }, PING_EVERY_MS);
    });
    dead.catch(() => undefined);
    return {
      dead,
      stop: () => {
        lost = undefined;
        clearInterval(timer);
      },
    };
  }

  return {
    async run(spec, onEvent, inputs, onLiveBest) {
      const sequencer = new EventSequencer(onEvent);
      const watcher = watch();
      try {
        const { events } = await Promise.race([
          api.run(
            spec,
            proxy((seq: number, event: StudyEvent) => sequencer.receive(seq, event)),
            inputs,
            onLiveBest && proxy(onLiveBest),
          ),
          watcher.dead,
        ]);
        await Promise.race([sequencer.delivered(events), watcher.dead]);
      } finally {
        watcher.stop();
      }
    },
    pause: () => api.pause(),
    resume: () => api.resume(),
    stop: () => api.stop(),
    terminate: () => {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
