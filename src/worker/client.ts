// The page's handle on the trainer worker. The page never trains: it creates the worker,
// hands it studies and listens to events.
import { proxy, releaseProxy, wrap } from 'comlink';
import type { StudyEventHandler } from '../study/events.ts';
import type { StudyResult } from '../study/record.ts';
import type { StudySpec } from '../study/spec.ts';
import type { RunInputs, TrainerApi } from './api.ts';

export interface Trainer {
  run(spec: StudySpec, onEvent: StudyEventHandler, inputs?: RunInputs): Promise<StudyResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** Ends the worker (and whatever it was training). */
  terminate(): void;
}

export function connectTrainer(): Trainer {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module' });
  const api = wrap<TrainerApi>(worker);
  return {
    run: (spec, onEvent, inputs) => api.run(spec, proxy(onEvent), inputs),
    pause: () => api.pause(),
    resume: () => api.resume(),
    stop: () => api.stop(),
    terminate: () => {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
