// The CPU population engine: the same contract and math as the WebGPU engine (types.ts),
// model by model in plain TypeScript. It is the oracle of the GPU tests and the fallback
// where a browser has no WebGPU. Models are independent, so training each one through a
// report interval before the next gives exactly the lockstep population's numbers. Since
// padding never changes a model's math, each model trains unpadded (a narrow model costs
// only its own width) and its parameters are padded into the population layout on return.

import { statisticsCount } from '../layers.ts';
import type {
  ModelHyper,
  ModelWeights,
  PopulationJob,
  PopulationResult,
  PopulationShape,
  ProgressReport,
  ReportHandler,
  TrainingEngine,
} from '../types.ts';
import { EngineError } from '../types.ts';
import { readReportAnswer, validateJob } from '../validate.ts';
import type { ModelViews } from './network.ts';
import { modelViews, NetworkWorkspace, padParameters, padStatistics, unpaddedShape } from './network.ts';
import type { Floats } from './ops.ts';
import {
  batchSampleIndex,
  initParameters,
  initStatistics,
  learningRateAt,
  meanSquaredError,
  optimizerStep,
  softmaxCrossEntropy,
} from './ops.ts';

const DEFAULT_DIVERGENCE_FACTOR = 100;
/** Longest stretch of work between yields to the event loop, so an abort can arrive. */
const YIELD_AFTER_MS = 50;

interface ModelState {
  hyper: ModelHyper;
  /** Unpadded parameters, trained by the workspace of the model's width. */
  params: Float32Array;
  /** Unpadded running statistics (batch norm's), moved by training steps, never by the optimizer. */
  statistics: Float32Array;
  workspace: NetworkWorkspace;
  views: ModelViews;
  m: Float32Array;
  v: Float32Array;
  /** Float32 loss of step 0, the divergence reference. */
  firstLoss: number;
  diverged: boolean;
  /** Pruned or stopped by the report handler. */
  stopped: boolean;
  stoppedAtStep: number;
  lossSum: number;
  accuracySum: number;
  stepsSinceReport: number;
}

/** A batch's loss and its output gradient written into the workspace; `correct` is NaN for regression. */
function batchLoss(
  workspace: NetworkWorkspace,
  shape: PopulationShape,
  outputs: Floats,
  y: Floats,
  B: number,
): { loss: number; correct: number } {
  if (shape.loss === 'softmax_cross_entropy')
    return softmaxCrossEntropy(outputs, y, workspace.outputGradient, B, shape.outputs);
  return { loss: meanSquaredError(outputs, y, workspace.outputGradient, B, shape.outputs).loss, correct: Number.NaN };
}

/** One population trained on the CPU, model by model (the GPU engine's counterpart is GpuPopulation). */
class CpuPopulation {
  /** One workspace per hidden width in the population. */
  private readonly workspaces = new Map<number, NetworkWorkspace>();
  private readonly batchX: Float32Array;
  private readonly batchY: Float32Array;
  private readonly yPerRow: number;
  private readonly divergenceFactor: number;
  private lastYield = performance.now();

  constructor(
    private readonly job: PopulationJob,
    private readonly signal?: AbortSignal,
  ) {
    const { shape, data } = job;
    this.yPerRow = data.task === 'classification' ? 1 : data.outputs;
    this.batchX = new Float32Array(shape.batchSize * shape.inputs);
    this.batchY = new Float32Array(shape.batchSize * this.yPerRow);
    this.divergenceFactor = job.divergenceFactor ?? DEFAULT_DIVERGENCE_FACTOR;
  }

  newModel(hyper: ModelHyper): ModelState {
    const shape = unpaddedShape(this.job.shape, hyper.hiddenUnits);
    let workspace = this.workspaces.get(hyper.hiddenUnits);
    if (!workspace) {
      workspace = new NetworkWorkspace(shape, shape.batchSize);
      this.workspaces.set(hyper.hiddenUnits, workspace);
    }
    const params = initParameters(shape, hyper);
    const statistics = initStatistics(shape);
    return {
      hyper,
      params,
      statistics,
      workspace,
      views: modelViews(shape, params, statistics),
      m: new Float32Array(params.length),
      v: new Float32Array(params.length),
      firstLoss: Number.NaN,
      diverged: false,
      stopped: false,
      stoppedAtStep: this.job.steps,
      lossSum: 0,
      accuracySum: 0,
      stepsSinceReport: 0,
    };
  }

  /** PBT's exploit: a model that continues exactly as `model` would (a report has just cleared its sums). */
  private copyOf(model: ModelState): ModelState {
    const shape = unpaddedShape(this.job.shape, model.hyper.hiddenUnits);
    const params = model.params.slice();
    const statistics = model.statistics.slice();
    return {
      ...model,
      params,
      statistics,
      views: modelViews(shape, params, statistics),
      m: model.m.slice(),
      v: model.v.slice(),
    };
  }

  private gatherBatch(dataSeed: number, step: number): void {
    const { inputs, batchSize } = this.job.shape;
    const { x, y, count } = this.job.data.train;
    const perRow = this.yPerRow;
    for (let b = 0; b < batchSize; b++) {
      const row = batchSampleIndex(dataSeed, step, b, batchSize, count);
      this.batchX.set(x.subarray(row * inputs, (row + 1) * inputs), b * inputs);
      for (let k = 0; k < perRow; k++) this.batchY[b * perRow + k] = y[row * perRow + k];
    }
  }

  /**
   * One step (0-based `step`) of one model. A batch loss that is NaN/±Inf or above
   * divergenceFactor × the first batch loss freezes the model before this step's update.
   */
  private trainStep(model: ModelState, step: number): void {
    const { shape, data, steps } = this.job;
    const B = shape.batchSize;
    this.gatherBatch(model.hyper.dataSeed, step);
    const outputs = model.workspace.forward(model.views, model.hyper.hiddenUnits, this.batchX, B, {
      seed: model.hyper.dataSeed,
      step,
    });
    const { loss, correct } = batchLoss(model.workspace, shape, outputs, this.batchY, B);
    const loss32 = Math.fround(loss);
    if (step === 0) model.firstLoss = loss32;
    if (!Number.isFinite(loss32) || loss32 > this.divergenceFactor * model.firstLoss) {
      model.diverged = true;
      model.stoppedAtStep = step;
      return;
    }
    model.lossSum += loss32;
    model.accuracySum += correct / B;
    model.stepsSinceReport++;
    model.workspace.backward(model.views, model.hyper.hiddenUnits, this.batchX, B);
    const lr = learningRateAt(model.hyper, step, B, data.train.count, steps);
    optimizerStep(model.params, model.workspace.gradients, model.m, model.v, model.hyper, lr, step + 1);
  }

  /** Mean loss and accuracy over the whole validation split (NaN when it is empty). */
  private validate(model: ModelState): { loss: number; accuracy: number } {
    const { shape } = this.job;
    const { x, y, count } = this.job.data.validation;
    let lossSum = 0;
    let correctSum = 0;
    for (let start = 0; start < count; start += shape.batchSize) {
      const B = Math.min(shape.batchSize, count - start);
      const outputs = model.workspace.forward(
        model.views,
        model.hyper.hiddenUnits,
        x.subarray(start * shape.inputs),
        B,
      );
      const { loss, correct } = batchLoss(model.workspace, shape, outputs, y.subarray(start * this.yPerRow), B);
      lossSum += loss * B;
      correctSum += correct;
    }
    return { loss: lossSum / count, accuracy: correctSum / count };
  }

  /**
   * Called between steps (and between models' validations): throws once the signal has
   * aborted, and every YIELD_AFTER_MS returns a wait that lets the event loop run, where an
   * abort (a message to the worker) arrives; so an abort lands within YIELD_AFTER_MS plus one
   * step. Most calls return nothing to await: a tiny model's step costs only microseconds.
   */
  private pauseIfDue(): Promise<void> | undefined {
    this.throwIfAborted();
    return performance.now() - this.lastYield >= YIELD_AFTER_MS ? this.yieldNow() : undefined;
  }

  private async yieldNow(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.lastYield = performance.now();
    this.throwIfAborted();
  }

  private throwIfAborted(): void {
    if (this.signal?.aborted)
      throw new EngineError('aborted', 'training was aborted by the caller; start a new job to train again');
  }

  async trainInterval(model: ModelState, from: number, to: number): Promise<void> {
    for (let step = from; step < to && !model.diverged; step++) {
      this.trainStep(model, step);
      const pause = this.pauseIfDue();
      if (pause) await pause;
    }
  }

  async report(models: ModelState[], step: number): Promise<ProgressReport> {
    const P = models.length;
    const report: ProgressReport = {
      step,
      trainLoss: new Float32Array(P).fill(Number.NaN),
      trainAccuracy: new Float32Array(P).fill(Number.NaN),
      validationLoss: new Float32Array(P).fill(Number.NaN),
      validationAccuracy: new Float32Array(P).fill(Number.NaN),
      diverged: new Uint8Array(P),
    };
    for (const [i, model] of models.entries()) {
      report.diverged[i] = model.diverged ? 1 : 0;
      if (model.diverged || model.stopped) continue;
      if (model.stepsSinceReport > 0) {
        report.trainLoss[i] = model.lossSum / model.stepsSinceReport;
        report.trainAccuracy[i] = model.accuracySum / model.stepsSinceReport;
      }
      const validation = this.validate(model);
      report.validationLoss[i] = validation.loss;
      report.validationAccuracy[i] = validation.accuracy;
      model.lossSum = 0;
      model.accuracySum = 0;
      model.stepsSinceReport = 0;
      const pause = this.pauseIfDue();
      if (pause) await pause;
    }
    return report;
  }

  async run(onReport?: ReportHandler): Promise<PopulationResult> {
    const { steps, reportEvery } = this.job;
    const models = this.job.models.map((hyper) => this.newModel(hyper));
    const reports: ProgressReport[] = [];
    const active = () => models.filter((model) => !model.diverged && !model.stopped);
    await this.pauseIfDue();
    for (let step = 0; step < steps && active().length > 0; ) {
      const next = Math.min(steps, step + reportEvery);
      for (const model of active()) await this.trainInterval(model, step, next);
      step = next;
      const report = await this.report(models, step);
      reports.push(report);
      const answer = readReportAnswer(
        await onReport?.(report, async (m) => this.weightsOf(models[m])),
        this.job,
        models.map((model) => model.hyper),
        (m) => !models[m].diverged && !models[m].stopped,
      );
      const copies = answer.copy.map(({ from, to }) => ({ to, model: this.copyOf(models[from]) }));
      for (const { to, model } of copies) models[to] = model;
      for (const { model, hyper } of answer.retune) models[model].hyper = hyper;
      for (const index of answer.stop) {
        const model = models[index];
        if (!model.diverged && !model.stopped) {
          model.stopped = true;
          model.stoppedAtStep = step;
        }
      }
      await this.pauseIfDue();
    }
    const weights = models.map((model) => this.weightsOf(model));
    return {
      reports,
      parameters: weights.map((w) => w.parameters),
      statistics: weights.map((w) => w.statistics),
      stoppedAtStep: Int32Array.from(models, (model) => model.stoppedAtStep),
    };
  }

  /** A copy of the model's weights in the padded layouts. */
  private weightsOf(model: ModelState): ModelWeights {
    const { shape } = this.job;
    return {
      parameters: padParameters(shape, model.hyper.hiddenUnits, model.params),
      statistics: padStatistics(shape, model.hyper.hiddenUnits, model.statistics),
    };
  }
}

export function createCpuEngine(): TrainingEngine {
  return {
    kind: 'cpu',
    adapter: 'CPU (TypeScript)',
    async train(job: PopulationJob, onReport?: ReportHandler, signal?: AbortSignal): Promise<PopulationResult> {
      validateJob(job);
      return new CpuPopulation(job, signal).run(onReport);
    },
    dispose(): void {},
  };
}

const PREDICT_CHUNK = 256;

/**
 * The outputs of one trained model for `count` rows of x [count × inputs]: class
 * probabilities (softmax) for classification, raw predictions for regression. `statistics`
 * are its running statistics (PopulationResult.statistics); a model without batch norm has none.
 */
export function predict(
  shape: PopulationShape,
  hiddenUnits: number,
  params: Float32Array,
  x: Float32Array,
  count: number,
  statistics: Float32Array = new Float32Array(0),
): Float32Array {
  if (statistics.length !== statisticsCount(shape))
    throw new Error(
      `this model has ${statisticsCount(shape)} running statistics (batch norm's) but ${statistics.length} were given: pass the trained model's PopulationResult.statistics`,
    );
  const workspace = new NetworkWorkspace(shape, Math.max(1, Math.min(count, PREDICT_CHUNK)));
  const views = modelViews(shape, params, statistics);
  const C = shape.outputs;
  const result = new Float32Array(count * C);
  for (let start = 0; start < count; start += PREDICT_CHUNK) {
    const B = Math.min(PREDICT_CHUNK, count - start);
    result.set(
      workspace.forward(views, hiddenUnits, x.subarray(start * shape.inputs), B).subarray(0, B * C),
      start * C,
    );
  }
  if (shape.loss === 'softmax_cross_entropy') {
    for (let row = 0; row < count * C; row += C) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, result[row + c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(result[row + c] - max);
      for (let c = 0; c < C; c++) result[row + c] = Math.exp(result[row + c] - max) / sum;
    }
  }
  return result;
}
