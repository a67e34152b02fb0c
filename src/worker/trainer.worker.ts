// The trainer worker: owns the engine and runs studies (implementation lands with the runner).
import { expose } from 'comlink';
import type { TrainerApi } from './api.ts';

const api: TrainerApi = {
  run: () => Promise.reject(new Error('trainer worker: the study runner is not built yet')),
  pause: () => {},
  resume: () => {},
  stop: () => {},
};
expose(api);
