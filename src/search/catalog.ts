// The standard hyperparameters, named as the engine's fields (ModelHyper and
// PopulationShape in src/train/types.ts), with their defaults, default search ranges and
// scales, and their tier in the hierarchy (the seed's ordering: the learning rate first;
// then momentum, batch size and hidden units; then layers and learning-rate decay; Adam's
// β2, RMSprop's α and ε are held at their defaults unless unlocked). Defaults are PyTorch's
// (torch.optim), so a value found here pastes into PyTorch unchanged. search/ imports nothing from
// train/, so the engine's enum values are repeated here and a test checks they match.

import type { HyperparameterSpec, SearchSpace } from './space.ts';

export const OPTIMIZER_CHOICES = ['sgd', 'momentum', 'rmsprop', 'adam'] as const;
export const ACTIVATION_CHOICES = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'gelu', 'linear', 'gelu_tanh'] as const;
export const DECAY_CHOICES = ['none', 'inverse_time', 'exponential', 'step', 'cosine'] as const;

const CATALOG: readonly HyperparameterSpec[] = [
  // Tier 1: spans decades, so log-uniform; 0.01 suits Adam/momentum on the lab's small MLPs.
  {
    name: 'learningRate',
    distribution: { kind: 'float', scale: 'log', low: 1e-4, high: 1 },
    default: 0.01,
    tier: 1,
    enabled: true,
  },
  // Tier 2: β averages over ~1/(1-β) steps, so 1-β is log-uniform.
  {
    name: 'beta1',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 },
    default: 0.9,
    tier: 2,
    enabled: true,
  },
  {
    name: 'batchSize',
    distribution: { kind: 'power-of-two', low: 16, high: 512 },
    default: 32,
    tier: 2,
    enabled: true,
  },
  {
    name: 'hiddenUnits',
    distribution: { kind: 'int', scale: 'log', low: 4, high: 128 },
    default: 32,
    tier: 2,
    enabled: true,
  },
  // Tier 3.
  {
    name: 'hiddenLayers',
    distribution: { kind: 'int', scale: 'linear', low: 1, high: 4 },
    default: 1,
    tier: 3,
    enabled: true,
  },
  {
    name: 'decay',
    distribution: { kind: 'categorical', choices: DECAY_CHOICES },
    default: 'none',
    tier: 3,
    enabled: true,
  },
  // The decay factor k (exponential/step: α·k^epoch; inverse_time: α/(1+k·epoch)): a retention near 1, so 1-k on a log scale.
  {
    name: 'decayRate',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.5, high: 0.99 },
    default: 0.9,
    tier: 3,
    enabled: true,
  },
  // Decoupled weight decay; 0 (off) unless searched, then a regularisation strength on a log scale.
  {
    name: 'weightDecay',
    distribution: { kind: 'float', scale: 'log', low: 1e-5, high: 1e-1 },
    default: 0,
    tier: 3,
    enabled: false,
  },
  // Held at their defaults unless the user unlocks them.
  {
    name: 'beta2',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.99, high: 0.9999 },
    default: 0.999,
    tier: 'fixed',
    enabled: false,
  },
  // RMSprop's own decay α (torch.optim.RMSprop alpha=0.99), not Adam's β2: each keeps PyTorch's default.
  {
    name: 'rmspropAlpha',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 },
    default: 0.99,
    tier: 'fixed',
    enabled: false,
  },
  {
    name: 'epsilon',
    distribution: { kind: 'float', scale: 'log', low: 1e-10, high: 1e-6 },
    default: 1e-8,
    tier: 'fixed',
    enabled: false,
  },
  {
    name: 'optimizer',
    distribution: { kind: 'categorical', choices: OPTIMIZER_CHOICES },
    default: 'adam',
    tier: 'fixed',
    enabled: false,
  },
  {
    name: 'activation',
    distribution: { kind: 'categorical', choices: ACTIVATION_CHOICES },
    default: 'relu',
    tier: 'fixed',
    enabled: false,
  },
];

export type StandardHyperparameter =
  | 'learningRate'
  | 'beta1'
  | 'batchSize'
  | 'hiddenUnits'
  | 'hiddenLayers'
  | 'decay'
  | 'decayRate'
  | 'weightDecay'
  | 'beta2'
  | 'rmspropAlpha'
  | 'epsilon'
  | 'optimizer'
  | 'activation';

/**
 * The hyperparameters as the editor names them (the search-space table, the views, and every
 * message about a study's values): one table, so a message names a field as the user sees it.
 */
export const PARAM_LABELS: Readonly<Record<string, string>> = {
  learningRate: 'learning rate α',
  optimizer: 'optimizer',
  activation: 'activation',
  beta1: 'momentum / Adam β1',
  beta2: 'Adam β2',
  rmspropAlpha: 'RMSprop α',
  epsilon: 'Adam ε',
  weightDecay: 'weight decay',
  batchSize: 'batch size',
  hiddenUnits: 'hidden units',
  hiddenLayers: 'hidden layers',
  decay: 'learning-rate decay',
  decayRate: 'decay rate',
} satisfies Record<StandardHyperparameter, string>;

/** A fresh copy of the standard space (safe to edit). */
export function standardSpace(): SearchSpace {
  return CATALOG.map((p) => structuredClone(p) as HyperparameterSpec);
}

/** A fresh copy of one standard hyperparameter. */
export function standardHyperparameter(name: StandardHyperparameter): HyperparameterSpec {
  const p = CATALOG.find((q) => q.name === name);
  if (!p) throw new Error(`no standard hyperparameter named ${name}`);
  return structuredClone(p) as HyperparameterSpec;
}
