// Studies to start from, offered in the model editor: each a whole study (data, space, budget,
// training) that runs as it is.
import { defaultStudy, type StudySpec } from './spec.ts';

/**
 * A small CNN on 14×14 digits, sized for a software GPU (SwiftShader) in minutes:
 * 8 trials by auto (quasi-random points at first) over the learning rate (log, Adam) and the
 * number of conv blocks (1 or 2: 8 then 16 filters, 3×3, max pooling, straight to the output
 * layer), 200 steps of 32 on 800 training digits (8 epochs).
 */
export function cnnDigitsStudy(): StudySpec {
  const base = defaultStudy();
  return {
    ...base,
    data: { kind: 'digits', side: 14, count: 1000, validationFraction: 0.2, seed: 1 },
    space: base.space.map((row) => {
      switch (row.name) {
        case 'learningRate':
          return { ...row, enabled: true, distribution: { kind: 'float', scale: 'log', low: 1e-3, high: 1e-2 } };
        case 'beta1':
          return { ...row, enabled: false };
        case 'hiddenLayers':
          return { ...row, default: 0 };
        case 'architecture':
          return { ...row, default: 'cnn' };
        case 'convBlocks':
          return { ...row, enabled: true, distribution: { kind: 'int', scale: 'linear', low: 1, high: 2 } };
        default:
          return row;
      }
    }),
    scheduler: { ...base.scheduler, budget: { kind: 'trials', trials: 8 } },
    parallelism: 8,
    training: { steps: 200, reportEvery: 20 },
  };
}

export const STUDY_PRESETS: ReadonlyArray<{ id: string; label: string; study: () => StudySpec }> = [
  { id: 'cnn-digits', label: 'CNN for digits', study: cnnDigitsStudy },
];
