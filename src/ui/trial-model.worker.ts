// Trains one trial again off the page's thread (see trial-model.ts): a few hundred CPU steps
// of a small net still take far longer than a frame.
import type { StudySpec } from '../study/spec.ts';
import type { TrainingData } from '../train/types.ts';
import { type RetrainedTrial, retrainTrial } from './trial-model.ts';

export interface RetrainRequest {
  spec: Pick<StudySpec, 'seed' | 'training'>;
  trial: RetrainedTrial;
  data: TrainingData;
}

self.onmessage = async ({ data: request }: MessageEvent<RetrainRequest>) => {
  try {
    const model = await retrainTrial(request.spec, request.trial, request.data);
    const buffers = [model.parameters.buffer, ...(model.statistics ? [model.statistics.buffer] : [])];
    self.postMessage({ model }, { transfer: buffers });
  } catch (e) {
    self.postMessage({ error: (e as Error).message });
  }
};
