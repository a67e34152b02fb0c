// The contract between the engines (CPU reference in cpu/, WebGPU population engine in
// gpu/), the trainer worker and the lab. Both engines implement exactly this math; the
// CPU one is the oracle the GPU one is tested against. Every formula is PyTorch's definition
// (README, "Conventions"), so a value found here means the same in torch.optim / torch.nn.

import {
  ACTIVATIONS,
  DECAYS,
  type ModelHyperparameters,
  OPTIMIZERS,
  type ShapeHyperparameters,
} from '../search/hyperparameters.ts';
import type { Dims, HiddenLayerSpec } from './layers.ts';
import { block, modelLayout } from './layers.ts';

// The kinds' lists come from the table of hyperparameters; a kind's code (its index, which
// the WGSL switches read as a generated constant) is fixed: new kinds go at the end.
export { ACTIVATIONS, DECAYS, OPTIMIZERS };

export type Activation = (typeof ACTIVATIONS)[number];
export type LossKind = 'softmax_cross_entropy' | 'mse';
/**
 * Optimizers in order of growing state (tinygrad's order), as torch.optim defines them; the
 * states v, s, m start at 0. Every kind applies decoupled weight decay
 * `w -= lr_t * weightDecay * w` to all parameters when weightDecay > 0 (torch.optim.AdamW's
 * form), so 'adam' with weightDecay > 0 is AdamW.
 *  sgd:      w -= lr_t * g                                              (torch.optim.SGD)
 *  momentum: v = β1 v + g;  w -= lr_t * v      (SGD(momentum=β1), dampening 0: first v = g)
 *  rmsprop:  s = α s + (1-α) g²;  w -= lr_t * g / (sqrt(s) + ε)   (RMSprop(alpha=α), ε outside the root)
 *  adam:     m = β1 m + (1-β1) g;  s = β2 s + (1-β2) g²;
 *            w -= lr_t * (m / (1-β1^t)) / (sqrt(s / (1-β2^t)) + ε)     (t = step + 1)
 * α is ModelHyper.rmspropAlpha, its own field (and search-space row, default 0.99) rather
 * than a reading of β2, so RMSprop and Adam each keep PyTorch's default (0.99, 0.999).
 * Decided (CPU engine): the decay term uses the weight from before this step's update, i.e.
 * w_new = w - lr_t * update - lr_t * weightDecay * w; it applies to biases too.
 */
export type OptimizerKind = (typeof OPTIMIZERS)[number];
/**
 * Learning-rate schedules; epoch = floor(step * batchSize / trainCount), k = decayRate.
 *  none: lr0;  inverse_time: lr0 / (1 + k·epoch);  exponential: lr0 · k^epoch;
 *  step: lr0 · k^floor(epoch / decayEvery);  cosine: lr0 · ½(1 + cos(π · step / totalSteps)).
 */
export type DecayKind = (typeof DECAYS)[number];
/** He: N(0, 2/fanIn) (relu family); Xavier: N(0, 2/(fanIn+fanOut)). Biases start at 0. */
export type InitKind = 'he' | 'xavier';

/**
 * leaky_relu's slope for negative inputs (torch.nn.LeakyReLU's default). gelu is exact,
 * z·Φ(z) = ½z(1 + erf(z/√2)) (torch.nn.GELU()); gelu_tanh is its tanh approximation
 * ½z(1 + tanh(√(2/π)(z + 0.044715z³))) (GELU(approximate='tanh')). At z = 0 relu' = 0 and
 * leaky_relu' = LEAKY_SLOPE. The output layer is always linear (no activation).
 */
export const LEAKY_SLOPE = 0.01;

/**
 * What every model of one population shares (its bucket): the table's 'shape'
 * hyperparameters (batch size, hidden layers, activation) and what the data and the
 * activation decide. Hidden layers are all `maxHidden` wide in memory; model m uses only its
 * own `hiddenUnits` of them, the rest stay exactly zero, so padding never changes a model's math.
 */
export interface PopulationShape extends ShapeHyperparameters {
  inputs: number;
  outputs: number;
  maxHidden: number;
  loss: LossKind;
  init: InitKind;
  /**
   * The layers before the output layer, for models other than an MLP (src/train/layers.ts):
   * when given, they replace the hiddenLayers dense layers; its hidden dense layers are
   * maxHidden units wide and masked like an MLP's. An engine that trains only MLPs refuses
   * a shape with layers.
   */
  layers?: HiddenLayerSpec[];
  /** Each row's features as an image [channels × height × width] (channel-major); needed by conv2d and pool2d. */
  image?: Dims;
}

/**
 * One model's own hyperparameters, a row of the per-model buffer: the table's 'model'
 * hyperparameters (src/search/hyperparameters.ts; beta1 is momentum's β or Adam's β1,
 * rmspropAlpha is torch.optim.RMSprop's alpha) and what the study derives for each trial.
 */
export interface ModelHyper extends ModelHyperparameters {
  /** Epochs between drops of the 'step' schedule. */
  decayEvery: number;
  /** Seeds weight init: weight (layer l, row i, col j) = normal(initSeed, l, i, j) * scale. */
  initSeed: number;
  /**
   * Seeds data order: training sample for position p = step*batchSize + b is
   * permuteIndex(p mod n, n, hash32(dataSeed, floor(p / n))) — a fresh shuffle per epoch.
   */
  dataSeed: number;
}

/** Rows of features x [count × inputs]; targets y: class index per row (classification) or [count × outputs] (regression). */
export interface DataSplit {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

export interface TrainingData {
  task: 'classification' | 'regression';
  inputs: number;
  /** Classes (classification) or target columns (regression). */
  outputs: number;
  train: DataSplit;
  validation: DataSplit;
  /** Each row's features as an image [channels × height × width], for data whose rows are images (digits). */
  image?: Dims;
}

export interface PopulationJob {
  shape: PopulationShape;
  models: ModelHyper[];
  data: TrainingData;
  steps: number;
  /** Losses come back every `reportEvery` steps (and after the last step), never per step. */
  reportEvery: number;
  /**
   * A model is frozen as diverged when its batch loss is NaN/±Inf or exceeds
   * `divergenceFactor` × its first batch loss. Default 100.
   * Decided (CPU engine): checked on each step's float32 batch loss before that step's update,
   * which is then not applied; stoppedAtStep is that step's 0-based index (= updates applied).
   */
  divergenceFactor?: number;
}

export const TrialState = {
  RUNNING: 'RUNNING',
  COMPLETE: 'COMPLETE',
  PRUNED: 'PRUNED',
  DIVERGED: 'DIVERGED',
  FAILED: 'FAILED',
  STOPPED: 'STOPPED',
} as const;
export type TrialState = (typeof TrialState)[keyof typeof TrialState];

/**
 * One read-back: one entry per model of the population. Decided (CPU engine): a model that
 * diverged or was stopped has NaN in all four metrics from the report in which that happened
 * (diverged) or the next one (stopped) on; an empty validation split gives NaN validation
 * metrics; accuracy counts a row correct when its first maximal logit is the label. Training
 * ends early, without further reports, once no model is left running.
 */
export interface ProgressReport {
  /** Steps completed so far. */
  step: number;
  /** Mean training batch loss over the steps since the previous report (NaN once frozen). */
  trainLoss: Float32Array;
  /** Mean training batch accuracy over the same steps (classification; NaN for regression). */
  trainAccuracy: Float32Array;
  /** Loss and accuracy on the whole validation split at this step. */
  validationLoss: Float32Array;
  validationAccuracy: Float32Array;
  /** 1 where the model has diverged (and is frozen). */
  diverged: Uint8Array;
}

/**
 * Population-based training's exploit (Jaderberg et al. 2017), inside the engine: model `to`
 * becomes model `from` as it is at this report — parameters, optimizer moments, divergence
 * reference and hyperparameters (the step count is the population's, shared) — so that, with
 * the same hyperparameters and data seed, its next steps are bit for bit `from`'s.
 */
export interface ModelCopy {
  from: number;
  to: number;
}

/** PBT's explore: the model trains with `hyper` from the next step on; its hiddenUnits cannot change (a copy changes it). */
export interface HyperChange {
  model: number;
  hyper: ModelHyper;
}

/**
 * What the caller may answer to a report (a bare array means `{ stop }`). Copies are taken from
 * the models as they were before any of them, then hyperparameters change, then models stop.
 * Copies and changes touch only running models, each model at most once per list.
 */
export interface ReportAnswer {
  /** Models to stop now (pruned, or the user stopped them). */
  stop?: readonly number[];
  copy?: readonly ModelCopy[];
  retune?: readonly HyperChange[];
}

// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing (void) is the common case; one that returns trial indices stops them
export type ReportReply = void | readonly number[] | ReportAnswer;

/** One model's trained state: parameters and running statistics, in PopulationResult's layouts. */
export interface ModelWeights {
  parameters: Float32Array;
  statistics: Float32Array;
}

/**
 * Reads model m's weights as they are at the report being handled (e.g. for a live view of the
 * best model), before the handler's answer applies; call it only while the handler runs. It
 * copies and changes nothing the training reads, so results are bit-identical with or without it.
 * The three engines pass one; an engine that cannot read a model mid-run passes none.
 */
export type ReadModel = (model: number) => Promise<ModelWeights>;
export type ReportHandler = (report: ProgressReport, readModel?: ReadModel) => ReportReply | Promise<ReportReply>;

export interface PopulationResult {
  reports: ProgressReport[];
  /** Final parameters, one Float32Array per model in the padded layout of `parameterLayout`. */
  parameters: Float32Array[];
  /**
   * Final running statistics (batch norm's mean and variance, which evaluation reads; no
   * parameters: the optimizer never touches them), one Float32Array per model in the padded
   * layout of `modelLayout`'s statistics blocks; empty for a model without batch norm.
   */
  statistics: Float32Array[];
  /** Step at which each model stopped (diverged, pruned or finished). */
  stoppedAtStep: Int32Array;
}

export interface TrainingEngine {
  readonly kind: 'webgpu' | 'cpu';
  /** Human-readable adapter, e.g. "swiftshader (Google)" or "CPU (TypeScript)". */
  readonly adapter: string;
  /**
   * Trains the job, calling `onReport` at each report. When `signal` aborts, train() rejects
   * promptly with EngineError('aborted') and returns nothing trained: the caller keeps the
   * reports it has received (the runner records each running trial as stopped at its last
   * one). Both engines check the signal between steps, not only at reports (the GPU engine
   * between command buffers of about 40 ms, the CPU engine at least every 50 ms and after
   * every step). A GPU device lost mid-run rejects with EngineError('device-lost'), whichever
   * device operation failed first; nothing of the run is kept.
   */
  train(job: PopulationJob, onReport?: ReportHandler, signal?: AbortSignal): Promise<PopulationResult>;
  /** Why this engine refuses a report answer's `copy` and `retune` (population-based training); absent where it can. */
  readonly cannotCopyModels?: string;
  dispose(): void;
}

/** Errors any engine raises: the kind says what went wrong, the message how to fix it. */
export class EngineError extends Error {
  constructor(
    readonly kind: 'no-webgpu' | 'device-lost' | 'validation' | 'out-of-memory' | 'invalid-job' | 'aborted',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** Dense layer l maps [rows × cols]: inputs→maxHidden→…→maxHidden→outputs (padded widths). */
export function layerDims(shape: PopulationShape): Array<{ rows: number; cols: number }> {
  return parameterLayout(shape).map(({ rows, cols }) => ({ rows, cols }));
}

/**
 * Per model, parameters are one flat Float32Array: for each layer, W [rows × cols]
 * row-major (W[i*cols + j] connects input i to unit j) then b [cols] (the dense layers of
 * modelLayout, src/train/layers.ts, which places every kind's blocks).
 */
export function parameterLayout(
  shape: PopulationShape,
): Array<{ weights: number; bias: number; rows: number; cols: number }> {
  if (shape.layers)
    throw new EngineError(
      'invalid-job',
      `this shape lists its layers (${shape.layers.map((l) => l.kind).join(', ')}) but this engine trains MLPs only: use the WebGPU or CPU engine`,
    );
  return modelLayout(shape).map((layer) => {
    const weights = block(layer, 'weights');
    return { weights: weights.offset, bias: block(layer, 'bias').offset, rows: weights.rows, cols: weights.cols };
  });
}

/** Floats of one model's parameters (every layer's blocks). */
export function parameterCount(shape: PopulationShape): number {
  return modelLayout(shape).reduce((n, layer) => n + layer.blocks.reduce((m, b) => m + b.rows * b.cols, 0), 0);
}
