// Checks a PopulationJob before any engine touches it, so a bad job fails with one message
// that names the field, the bad value and the fix, instead of NaNs or an out-of-range read.

import { type HyperparameterRow, type Interval, MODEL_ROWS } from '../search/hyperparameters.ts';
import { layerListProblem } from './layers.ts';
import type {
  DataSplit,
  ModelHyper,
  PopulationJob,
  PopulationShape,
  ReportAnswer,
  ReportReply,
  TrainingData,
} from './types.ts';
import { ACTIVATIONS, EngineError } from './types.ts';

function fail(message: string): never {
  throw new EngineError('invalid-job', message);
}

function requireInteger(value: number, min: number, what: string, fix: string): void {
  if (!Number.isInteger(value) || value < min) fail(`${what} must be an integer >= ${min}, got ${value}: ${fix}`);
}

function requireOneOf<T extends string>(value: T, allowed: readonly T[], what: string): void {
  if (!allowed.includes(value)) fail(`${what} must be one of ${allowed.join(', ')}, got '${value}'`);
}

function validateShape(shape: PopulationShape): void {
  requireInteger(shape.inputs, 1, 'shape.inputs', 'give the number of feature columns');
  requireInteger(shape.outputs, 1, 'shape.outputs', 'give the number of classes or target columns');
  requireInteger(shape.hiddenLayers, 0, 'shape.hiddenLayers', 'use 0 for a linear model');
  requireInteger(shape.maxHidden, 1, 'shape.maxHidden', 'set it to the widest hiddenUnits of the population');
  requireInteger(shape.batchSize, 1, 'shape.batchSize', 'train on at least one row per step');
  requireOneOf(shape.activation, ACTIVATIONS, 'shape.activation');
  requireOneOf(shape.loss, ['softmax_cross_entropy', 'mse'], 'shape.loss');
  requireOneOf(shape.init, ['he', 'xavier'], 'shape.init');
  for (const [index, spec] of (shape.layers ?? []).entries())
    if ('activation' in spec) requireOneOf(spec.activation, ACTIVATIONS, `shape.layers[${index}].activation`);
  const problem = layerListProblem(shape);
  if (problem) fail(problem);
}

/** "lie in [0, 1)", "be a finite number > 0", "be an integer >= 1". */
function domainText({ min, max, openMin, openMax }: Interval, integer: boolean): string {
  if (max === Number.POSITIVE_INFINITY)
    return `be ${integer ? 'an integer' : 'a finite number'} ${openMin ? '>' : '>='} ${min}`;
  return `${integer ? 'be an integer in' : 'lie in'} ${openMin ? '(' : '['}${min}, ${max}${openMax ? ')' : ']'}`;
}

/** A model's value of one of the table's hyperparameters: one of its choices, or a number in its domain. */
function checkHyperparameter(row: HyperparameterRow, value: number | string, what: string): void {
  if (row.value.kind === 'choice') {
    requireOneOf(String(value), row.value.choices, what);
    return;
  }
  const domain = row.domain;
  const n = value as number;
  const inside =
    Number.isFinite(n) &&
    (!domain ||
      ((domain.openMin ? n > domain.min : n >= domain.min) && (domain.openMax ? n < domain.max : n <= domain.max)));
  const integer = row.value.kind === 'int';
  if (!inside || (integer && !Number.isInteger(n)))
    fail(
      `${what} must ${domain ? domainText(domain, integer) : `be ${integer ? 'an integer' : 'a finite number'}`}, got ${value}`,
    );
}

function validateModel(model: ModelHyper, index: number, shape: PopulationShape): void {
  const what = (field: string) => `models[${index}].${field}`;
  requireInteger(model.hiddenUnits, 1, what('hiddenUnits'), 'a hidden layer needs at least one unit');
  if (model.hiddenUnits > shape.maxHidden) {
    fail(
      `${what('hiddenUnits')} = ${model.hiddenUnits} exceeds shape.maxHidden = ${shape.maxHidden}: raise maxHidden or put the model in a wider bucket`,
    );
  }
  for (const row of MODEL_ROWS) checkHyperparameter(row, model[row.name], what(row.name));
  if (model.decay === 'step')
    requireInteger(
      model.decayEvery,
      1,
      what('decayEvery'),
      "the 'step' schedule drops the rate every decayEvery epochs",
    );
  for (const field of ['initSeed', 'dataSeed'] as const) {
    if (!Number.isInteger(model[field]) || model[field] < 0 || model[field] > 0xffffffff)
      fail(`${what(field)} must be a u32 integer, got ${model[field]}`);
  }
}

function validateSplit(split: DataSplit, name: string, data: TrainingData, minCount: number): void {
  requireInteger(
    split.count,
    minCount,
    `data.${name}.count`,
    minCount > 0 ? 'the training split needs at least one row' : 'give a row count',
  );
  if (split.x.length !== split.count * data.inputs) {
    fail(
      `data.${name}.x has ${split.x.length} values but count × inputs = ${split.count} × ${data.inputs}: x must be row-major [count × inputs]`,
    );
  }
  const yPerRow = data.task === 'classification' ? 1 : data.outputs;
  if (split.y.length !== split.count * yPerRow) {
    fail(
      `data.${name}.y has ${split.y.length} values, expected ${split.count * yPerRow} (${data.task === 'classification' ? 'one class index per row' : 'count × outputs targets'})`,
    );
  }
  for (let i = 0; i < split.x.length; i++) {
    if (!Number.isFinite(split.x[i]))
      fail(`data.${name}.x[${i}] is ${split.x[i]}: drop or impute rows with missing features`);
  }
  for (let i = 0; i < split.y.length; i++) {
    const y = split.y[i];
    if (data.task === 'classification' && !(Number.isInteger(y) && y >= 0 && y < data.outputs)) {
      fail(
        `data.${name}.y[${i}] = ${y} is not a class index in 0..${data.outputs - 1}: encode labels as 0-based integers`,
      );
    }
    if (!Number.isFinite(y)) fail(`data.${name}.y[${i}] is ${y}: drop rows with missing targets`);
  }
}

/** Throws EngineError('invalid-job') naming the first thing wrong with `job`. */
export function validateJob(job: PopulationJob): void {
  const { shape, data } = job;
  validateShape(shape);
  if (data.inputs !== shape.inputs || data.outputs !== shape.outputs) {
    fail(
      `the data has ${data.inputs} inputs and ${data.outputs} outputs but the shape has ${shape.inputs} and ${shape.outputs}: build the shape from the data`,
    );
  }
  const expectedLoss = data.task === 'classification' ? 'softmax_cross_entropy' : 'mse';
  if (shape.loss !== expectedLoss) fail(`a ${data.task} task needs loss '${expectedLoss}', got '${shape.loss}'`);
  if (data.task === 'classification' && data.outputs < 2)
    fail(`classification needs at least 2 classes, got ${data.outputs}`);
  validateSplit(data.train, 'train', data, 1);
  validateSplit(data.validation, 'validation', data, 0);
  if (job.models.length === 0) fail('the job has no models: give at least one ModelHyper');
  job.models.forEach((model, i) => validateModel(model, i, shape));
  requireInteger(job.steps, 1, 'steps', 'train for at least one step');
  requireInteger(job.reportEvery, 1, 'reportEvery', 'report at least every step count you can afford to wait for');
  if (job.divergenceFactor !== undefined && !(job.divergenceFactor > 1)) {
    fail(`divergenceFactor must be > 1, got ${job.divergenceFactor}: it multiplies the first batch loss`);
  }
}

/**
 * A report handler's reply as a whole ReportAnswer, checked: every model it names must exist
 * (a wrong index is a caller's bug, not a no-op); copies and new hyperparameters only for
 * running models, each at most once, valid for the job, with the width each model has after
 * the copies; and none from an engine that cannot (`cannotCopy` says why).
 */
export function readReportAnswer(
  reply: ReportReply,
  job: PopulationJob,
  hypers: readonly ModelHyper[],
  running: (model: number) => boolean,
  cannotCopy?: string,
): Required<ReportAnswer> {
  const answer: ReportAnswer = Array.isArray(reply) ? { stop: reply } : ((reply as ReportAnswer | undefined) ?? {});
  const stop = answer.stop ?? [];
  const copy = answer.copy ?? [];
  const retune = answer.retune ?? [];
  const P = job.models.length;
  const requireModel = (m: number, what: string) => {
    if (!Number.isInteger(m) || m < 0 || m >= P)
      fail(`the report handler asked to ${what} model ${m}, but the population has models 0..${P - 1}`);
  };
  for (const m of stop) requireModel(m, 'stop');
  if (cannotCopy && (copy.length > 0 || retune.length > 0))
    fail(`the report handler asked to copy or retune models, but ${cannotCopy}`);
  const requireRunning = (m: number, what: string) => {
    requireModel(m, what);
    if (!running(m))
      fail(`the report handler asked to ${what} model ${m}, but it has diverged or stopped: name running models only`);
  };
  const width = hypers.map((h) => h.hiddenUnits);
  const copied = new Set<number>();
  for (const { from, to } of copy) {
    requireRunning(from, 'copy from');
    requireRunning(to, 'copy into');
    if (from === to || copied.has(to))
      fail(`the report handler asked to copy into model ${to} twice or from itself: each model takes at most one copy`);
    copied.add(to);
  }
  for (const { from, to } of copy) width[to] = hypers[from].hiddenUnits;
  const retuned = new Set<number>();
  for (const { model, hyper } of retune) {
    requireRunning(model, 'retune');
    if (retuned.has(model)) fail(`the report handler asked to retune model ${model} twice: give one change per model`);
    retuned.add(model);
    validateModel(hyper, model, job.shape);
    if (hyper.hiddenUnits !== width[model])
      fail(
        `the report handler asked to change model ${model}'s hiddenUnits from ${width[model]} to ${hyper.hiddenUnits}: a model's width changes only by a copy`,
      );
  }
  return { stop, copy, retune };
}
