// THE table of hyperparameters: one row each, read by everything that knows one — the
// catalog (default search space, search/catalog.ts), the study schema and its value rules
// (study/spec.ts, study/spaceRules.ts), the trial-to-model mapping (study/population.ts),
// the engines' contract and job check (train/types.ts, train/validate.ts), the WGSL
// ModelHyper struct and enum constants (train/gpu/structs.ts) and the views' labels.
// Adding a hyperparameter adds a row here, plus its math (README, "How to add a
// hyperparameter"). It lives in search/ because search imports nothing of the rest and
// every other layer may import search.
//
// Row order is the search space's order, which a link's samples depend on: new rows go at
// the end. A choice's code (its index, as the WGSL reads it) is fixed: new choices go at
// the end of their list.

import type { Distribution, ParamValue, Tier } from './space.ts';

/** Optimizers in order of growing state (tinygrad's order), as torch.optim defines them (train/types.ts). */
export const OPTIMIZERS = ['sgd', 'momentum', 'rmsprop', 'adam'] as const;
export const ACTIVATIONS = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'gelu', 'linear', 'gelu_tanh'] as const;
/** Learning-rate schedules (train/types.ts, DecayKind). */
export const DECAYS = ['none', 'inverse_time', 'exponential', 'step', 'cosine'] as const;
/** The model's kind: dense layers only, or convolution blocks before them (image data only; study/population.ts builds its layers). */
export const ARCHITECTURES = ['mlp', 'cnn'] as const;
/** A convolution's kernel side (conv2d takes 3×3 and 5×5). */
export const KERNEL_SIZES = ['3', '5'] as const;
/** The 2×2 pooling after each convolution (train/layers.ts PoolMode). */
export const POOL_MODES = ['max', 'avg'] as const;
/** Batch normalization after each hidden dense layer (Linear → BatchNorm1d → activation, PyTorch's order), or none. */
export const BATCH_NORM = ['off', 'on'] as const;

/** An interval; an open end excludes its bound. */
export interface Interval {
  readonly min: number;
  readonly max: number;
  readonly openMin?: boolean;
  readonly openMax?: boolean;
}

export interface HyperparameterRow {
  /** The engine's field (ModelHyper or PopulationShape) and the name a link carries. */
  readonly name: string;
  /** The editor's words: the search-space table, the views and every message about a value. */
  readonly label: string;
  /** What the engine takes: a float, a whole number, or one of `choices` (a choice's code in WGSL is its index). */
  readonly value:
    | { readonly kind: 'float' }
    | { readonly kind: 'int' }
    | { readonly kind: 'choice'; readonly choices: readonly string[] };
  /**
   * Where it lands: a field of ModelHyper (each model its own, a row of the per-model GPU
   * buffer), a field of PopulationShape (shared by the models of one population), or the
   * population's layer list (`layers`: study/population.ts builds PopulationShape.layers
   * from these rows, so trials differing in one train in different populations).
   */
  readonly target: 'model' | 'shape' | 'layers';
  /** The catalog's row: default search range and scale, value while not searched, tier, searched by default. */
  readonly distribution: Distribution;
  readonly default: ParamValue;
  readonly tier: Tier;
  readonly enabled: boolean;
  /**
   * The values a study may give it (study/spaceRules.ts), with why in a few words; numbers
   * only. Chosen so every value is finite and exact enough in float32 and no model outgrows
   * the lab.
   */
  readonly limits?: { readonly min: number; readonly max: number; readonly why?: string };
  /** The values the engine computes with at all (train/validate.ts); wider than `limits`. Numbers only. */
  readonly domain?: Interval;
  /**
   * It has an effect only while hyperparameter `param` holds one of `values` (e.g. β2 only
   * with Adam); a trial's value is otherwise ignored by the engine (see `inEffect`).
   */
  readonly condition?: { readonly param: string; readonly values: readonly string[] };
}

const BELOW_ONE: Interval = { min: 0, max: 1, openMax: true };
const NON_NEGATIVE: Interval = { min: 0, max: Number.POSITIVE_INFINITY };

export const HYPERPARAMETERS = [
  // Tier 1: spans decades, so log-uniform; 0.01 suits Adam/momentum on the lab's small MLPs.
  {
    name: 'learningRate',
    label: 'learning rate α',
    value: { kind: 'float' },
    target: 'model',
    distribution: { kind: 'float', scale: 'log', low: 1e-4, high: 1 },
    default: 0.01,
    tier: 1,
    enabled: true,
    limits: { min: 1e-8, max: 10, why: 'a step size must be above 0' },
    domain: NON_NEGATIVE,
  },
  // Tier 2: β averages over ~1/(1-β) steps, so 1-β is log-uniform. Momentum's β or Adam's β1.
  {
    name: 'beta1',
    label: 'momentum / Adam β1',
    value: { kind: 'float' },
    target: 'model',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 },
    default: 0.9,
    tier: 2,
    enabled: true,
    // 0.9999999 is the float32 closest to 1 that is not 1.
    limits: { min: 0, max: 0.9999999, why: 'β must stay below 1' },
    domain: BELOW_ONE,
    condition: { param: 'optimizer', values: ['momentum', 'adam'] },
  },
  {
    name: 'batchSize',
    label: 'batch size',
    value: { kind: 'int' },
    target: 'shape',
    distribution: { kind: 'power-of-two', low: 16, high: 512 },
    default: 32,
    tier: 2,
    enabled: true,
    limits: { min: 1, max: 4096 },
    domain: { min: 1, max: Number.POSITIVE_INFINITY },
  },
  // Each model's own width; a population's hidden layers are as wide as its widest model, the rest masked.
  {
    name: 'hiddenUnits',
    label: 'hidden units',
    value: { kind: 'int' },
    target: 'model',
    distribution: { kind: 'int', scale: 'log', low: 4, high: 128 },
    default: 32,
    tier: 2,
    enabled: true,
    limits: { min: 1, max: 1024 },
    domain: { min: 1, max: Number.POSITIVE_INFINITY },
  },
  // Tier 3. 0 hidden layers is a linear model.
  {
    name: 'hiddenLayers',
    label: 'hidden layers',
    value: { kind: 'int' },
    target: 'shape',
    distribution: { kind: 'int', scale: 'linear', low: 1, high: 4 },
    default: 1,
    tier: 3,
    enabled: true,
    limits: { min: 0, max: 8 },
    domain: NON_NEGATIVE,
  },
  {
    name: 'decay',
    label: 'learning-rate decay',
    value: { kind: 'choice', choices: DECAYS },
    target: 'model',
    distribution: { kind: 'categorical', choices: DECAYS },
    default: 'none',
    tier: 3,
    enabled: true,
  },
  // The decay factor k (exponential/step: α·k^epoch; inverse_time: α/(1+k·epoch)): a retention near 1, so 1-k on a log scale.
  {
    name: 'decayRate',
    label: 'decay rate',
    value: { kind: 'float' },
    target: 'model',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.5, high: 0.99 },
    default: 0.9,
    tier: 3,
    enabled: true,
    limits: { min: 1e-6, max: 1, why: 'the share of the rate kept per epoch' },
    domain: NON_NEGATIVE,
    condition: { param: 'decay', values: ['inverse_time', 'exponential', 'step'] },
  },
  // Decoupled weight decay (every optimizer); 0 (off) unless searched, then a strength on a log scale.
  {
    name: 'weightDecay',
    label: 'weight decay',
    value: { kind: 'float' },
    target: 'model',
    distribution: { kind: 'float', scale: 'log', low: 1e-5, high: 1e-1 },
    default: 0,
    tier: 3,
    enabled: false,
    limits: { min: 0, max: 1, why: '0 turns it off' },
    domain: NON_NEGATIVE,
  },
  // Held at their defaults (PyTorch's) unless the user unlocks them.
  {
    name: 'beta2',
    label: 'Adam β2',
    value: { kind: 'float' },
    target: 'model',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.99, high: 0.9999 },
    default: 0.999,
    tier: 'fixed',
    enabled: false,
    limits: { min: 0, max: 0.9999999, why: 'β must stay below 1' },
    domain: BELOW_ONE,
    condition: { param: 'optimizer', values: ['adam'] },
  },
  // RMSprop's own decay α (torch.optim.RMSprop alpha=0.99), not Adam's β2: each keeps PyTorch's default.
  {
    name: 'rmspropAlpha',
    label: 'RMSprop α',
    value: { kind: 'float' },
    target: 'model',
    distribution: { kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 },
    default: 0.99,
    tier: 'fixed',
    enabled: false,
    limits: { min: 0, max: 0.9999999, why: 'α must stay below 1' },
    domain: BELOW_ONE,
    condition: { param: 'optimizer', values: ['rmsprop'] },
  },
  {
    name: 'epsilon',
    label: 'Adam ε',
    value: { kind: 'float' },
    target: 'model',
    distribution: { kind: 'float', scale: 'log', low: 1e-10, high: 1e-6 },
    default: 1e-8,
    tier: 'fixed',
    enabled: false,
    limits: { min: 1e-12, max: 1, why: 'ε must be above 0' },
    domain: { min: 0, max: Number.POSITIVE_INFINITY, openMin: true },
    condition: { param: 'optimizer', values: ['rmsprop', 'adam'] },
  },
  {
    name: 'optimizer',
    label: 'optimizer',
    value: { kind: 'choice', choices: OPTIMIZERS },
    target: 'model',
    distribution: { kind: 'categorical', choices: OPTIMIZERS },
    default: 'adam',
    tier: 'fixed',
    enabled: false,
  },
  // The hidden layers' activation; the init follows it (He for the relu family, Xavier otherwise).
  {
    name: 'activation',
    label: 'activation',
    value: { kind: 'choice', choices: ACTIVATIONS },
    target: 'shape',
    distribution: { kind: 'categorical', choices: ACTIVATIONS },
    default: 'relu',
    tier: 'fixed',
    enabled: false,
  },
  // A CNN (image data sets only): convBlocks blocks of conv2d (convFilters filters in the first,
  // doubling per block) + activation + 2×2 pooling, then flatten, the hidden dense layers (hidden
  // layers × hidden units, masked as an MLP's) and dropout before the output layer. Filters are
  // not masked inside a population (train/layers.ts ModelWidths holds only hidden units), so
  // trials differing in any of these rows train in different populations.
  {
    name: 'architecture',
    label: 'architecture',
    value: { kind: 'choice', choices: ARCHITECTURES },
    target: 'layers',
    distribution: { kind: 'categorical', choices: ARCHITECTURES },
    default: 'mlp',
    tier: 'fixed',
    enabled: false,
  },
  {
    name: 'convBlocks',
    label: 'conv blocks',
    value: { kind: 'int' },
    target: 'layers',
    distribution: { kind: 'int', scale: 'linear', low: 1, high: 2 },
    default: 2,
    tier: 'fixed',
    enabled: false,
    // Each block halves the image: 28×28 digits take 4 blocks at most (28 → 14 → 7 → 3 → 1).
    limits: { min: 1, max: 4, why: 'each block halves the image' },
    domain: { min: 1, max: Number.POSITIVE_INFINITY },
    condition: { param: 'architecture', values: ['cnn'] },
  },
  {
    name: 'convFilters',
    label: 'conv filters',
    value: { kind: 'int' },
    target: 'layers',
    distribution: { kind: 'power-of-two', low: 4, high: 16 },
    default: 8,
    tier: 'fixed',
    enabled: false,
    limits: { min: 1, max: 64, why: "the first block's; each next block doubles them, up to 64" },
    domain: { min: 1, max: 64 },
    condition: { param: 'architecture', values: ['cnn'] },
  },
  {
    name: 'kernelSize',
    label: 'kernel size',
    value: { kind: 'choice', choices: KERNEL_SIZES },
    target: 'layers',
    distribution: { kind: 'categorical', choices: KERNEL_SIZES },
    default: '3',
    tier: 'fixed',
    enabled: false,
    condition: { param: 'architecture', values: ['cnn'] },
  },
  {
    name: 'poolMode',
    label: 'pooling',
    value: { kind: 'choice', choices: POOL_MODES },
    target: 'layers',
    distribution: { kind: 'categorical', choices: POOL_MODES },
    default: 'max',
    tier: 'fixed',
    enabled: false,
    condition: { param: 'architecture', values: ['cnn'] },
  },
  // Inverted dropout before the output layer (nn.Dropout(p)); 0 is none. A rate is a population's
  // own, so a searched rate trains each trial in its own population.
  {
    name: 'dropout',
    label: 'dropout rate',
    value: { kind: 'float' },
    target: 'layers',
    distribution: { kind: 'float', scale: 'linear', low: 0, high: 0.5 },
    default: 0,
    tier: 'fixed',
    enabled: false,
    limits: { min: 0, max: 0.9, why: '0 turns it off' },
    domain: BELOW_ONE,
    condition: { param: 'architecture', values: ['cnn'] },
  },
  // An MLP with batch norm lists its layers, so like a CNN it trains on WebGPU or the TypeScript CPU engine.
  {
    name: 'batchNorm',
    label: 'batch norm',
    value: { kind: 'choice', choices: BATCH_NORM },
    target: 'layers',
    distribution: { kind: 'categorical', choices: BATCH_NORM },
    default: 'off',
    tier: 'fixed',
    enabled: false,
  },
] as const satisfies readonly HyperparameterRow[];

type Row = (typeof HYPERPARAMETERS)[number];
export type HyperparameterName = Row['name'];
type ValueOf<R> = R extends { value: { choices: readonly (infer C)[] } } ? C : number;
type Fields<Target> = {
  -readonly [R in Row as R extends { target: Target } ? R['name'] : never]: ValueOf<R>;
};
/** The values of the rows that land in ModelHyper (train/types.ts extends it). */
export type ModelHyperparameters = Fields<'model'>;
/** The values of the rows that land in PopulationShape. */
export type ShapeHyperparameters = Fields<'shape'>;
/** The values of the rows that decide a population's layer list (study/population.ts). */
export type LayerHyperparameters = Fields<'layers'>;

function rowsLandingIn<N extends string>(
  target: HyperparameterRow['target'],
): ReadonlyArray<HyperparameterRow & { readonly name: N }> {
  return (HYPERPARAMETERS as readonly HyperparameterRow[]).filter((row) => row.target === target) as Array<
    HyperparameterRow & { readonly name: N }
  >;
}
/** The rows that land in ModelHyper, in table order (the WGSL struct's order too). */
export const MODEL_ROWS = rowsLandingIn<keyof ModelHyperparameters>('model');
/** The rows that land in PopulationShape, in table order. */
export const SHAPE_ROWS = rowsLandingIn<keyof ShapeHyperparameters>('shape');
/** The rows that decide a population's layer list, in table order. */
export const LAYER_ROWS = rowsLandingIn<keyof LayerHyperparameters>('layers');

const BY_NAME: ReadonlyMap<string, HyperparameterRow> = new Map(HYPERPARAMETERS.map((row) => [row.name, row]));

/** The row of `name`, or undefined for a name no row has. */
export function hyperparameterRow(name: string): HyperparameterRow | undefined {
  return BY_NAME.get(name);
}

/**
 * Whether `name` affects a trial with these `params`: its condition holds, it has none, or
 * `params` do not set the parameter it depends on (a space without an optimizer: β1 counts).
 */
export function inEffect(name: string, params: Readonly<Record<string, ParamValue>>): boolean {
  const condition = BY_NAME.get(name)?.condition;
  const value = condition && params[condition.param];
  return value === undefined || condition!.values.includes(String(value));
}

/**
 * `params` without the hyperparameters whose condition fails: what a trial records, as
 * Optuna's define-by-run spaces do (a value the model never used is no result to learn from or plot).
 */
export function activeParams<P extends Readonly<Record<string, ParamValue>>>(params: P): P {
  return Object.fromEntries(Object.entries(params).filter(([name]) => inEffect(name, params))) as P;
}

/** The condition in the editor's words, e.g. "only with optimizer momentum or adam"; '' when it has none. */
export function conditionText(name: string): string {
  const condition = BY_NAME.get(name)?.condition;
  if (!condition) return '';
  const values = condition.values;
  const list = values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` : values[0];
  return `only with ${BY_NAME.get(condition.param)?.label ?? condition.param} ${list}`;
}
