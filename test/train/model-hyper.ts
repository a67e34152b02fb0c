import type { ModelHyper } from '../../src/train/types.ts';

/** A model's hyperparameters for tests: Adam at PyTorch's defaults, lr 0.01, 16 units, no decay. */
export const modelHyper = (overrides: Partial<ModelHyper> = {}): ModelHyper => ({
  hiddenUnits: 16,
  optimizer: 'adam',
  learningRate: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  rmspropAlpha: 0.99,
  epsilon: 1e-8,
  weightDecay: 0,
  decay: 'none',
  decayRate: 0,
  decayEvery: 1,
  initSeed: 11,
  dataSeed: 12,
  ...overrides,
});
