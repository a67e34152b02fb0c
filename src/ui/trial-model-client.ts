// The page's side of trial-model.worker.ts: one worker per request, ended when the request is
// answered or superseded (selecting another trial cancels the previous one's training).
import type { TrainedModel } from '../study/record.ts';
import type { RetrainRequest } from './trial-model.worker.ts';

let running: { worker: Worker; reject: (e: Error) => void } | undefined;

export class RetrainSuperseded extends Error {}

export function retrainInWorker(request: RetrainRequest): Promise<TrainedModel> {
  running?.worker.terminate();
  running?.reject(new RetrainSuperseded('another trial was selected'));
  const worker = new Worker(new URL('./trial-model.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<TrainedModel>((resolve, reject) => {
    running = { worker, reject };
    worker.onmessage = ({ data }: MessageEvent<{ model?: TrainedModel; error?: string }>) => {
      worker.terminate();
      running = undefined;
      if (data.model) resolve(data.model);
      else reject(new Error(data.error ?? 'the trial could not be trained again'));
    };
    worker.onerror = (e) => {
      worker.terminate();
      running = undefined;
      reject(new Error(`the trial could not be trained again: ${e.message}`));
    };
    worker.postMessage(request);
  });
}
