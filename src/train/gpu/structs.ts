// The byte layout of every uniform and storage struct the kernels read, described once as
// data. Every struct is a run of 4-byte scalars (so WGSL's offset of field i is 4·i and an
// array's stride is 4 · fields), and each has one pack function built from its layout.
// ModelHyper follows the table of hyperparameters and its WGSL is generated from the layout
// (GENERATED_WGSL, with the choices' codes); test/train/gpu/structs.test.ts checks every
// other layout against the struct in its .wgsl file.

import { HYPERPARAMETERS, MODEL_ROWS } from '../../search/hyperparameters.ts';
import type { ModelHyper } from '../types.ts';

export type Scalar = 'u32' | 'f32';

export interface StructLayout<F extends string> {
  /** The struct's name in WGSL. */
  readonly name: string;
  readonly fields: ReadonlyArray<readonly [F, Scalar]>;
}

export type StructValues<L> = L extends StructLayout<infer F> ? Record<F, number> : never;

function struct<F extends string>(name: string, fields: ReadonlyArray<readonly [F, Scalar]>): StructLayout<F> {
  return { name, fields };
}

/** Bytes of one struct (and an array's stride). */
export function structSize(layout: StructLayout<string>): number {
  return layout.fields.length * 4;
}

/** Byte offset of `field` within the struct. */
export function fieldOffset<F extends string>(layout: StructLayout<F>, field: F): number {
  const index = layout.fields.findIndex(([name]) => name === field);
  if (index < 0) throw new Error(`${layout.name} has no field ${field}`);
  return index * 4;
}

function writeStruct<F extends string>(
  view: DataView,
  byteOffset: number,
  layout: StructLayout<F>,
  values: Record<F, number>,
): void {
  layout.fields.forEach(([field, scalar], i) => {
    const value = values[field];
    if (scalar === 'u32') {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
        throw new RangeError(`${layout.name}.${field} must be a u32, got ${value}`);
      view.setUint32(byteOffset + i * 4, value, true);
    } else {
      view.setFloat32(byteOffset + i * 4, value, true);
    }
  });
}

/** An array of structs, as a storage buffer holds it; the size rounds up to 16 bytes so it also fits a uniform binding. */
export function packStructArray<F extends string>(
  layout: StructLayout<F>,
  rows: ReadonlyArray<Record<F, number>>,
): ArrayBuffer {
  const stride = structSize(layout);
  const buffer = new ArrayBuffer(Math.ceil((rows.length * stride) / 16) * 16 || 16);
  const view = new DataView(buffer);
  rows.forEach((row, r) => writeStruct(view, r * stride, layout, row));
  return buffer;
}

export function packStruct<F extends string>(layout: StructLayout<F>, values: Record<F, number>): ArrayBuffer {
  return packStructArray(layout, [values]);
}

export const MATMUL_PARAMS = struct('MatmulParams', [
  ['models', 'u32'],
  ['m', 'u32'],
  ['k', 'u32'],
  ['n', 'u32'],
  ['a_offset', 'u32'],
  ['a_model_stride', 'u32'],
  ['b_offset', 'u32'],
  ['b_model_stride', 'u32'],
  ['c_offset', 'u32'],
  ['c_model_stride', 'u32'],
  ['bias_offset', 'u32'],
]);
export const LOSS_PARAMS = struct('LossParams', [
  ['models', 'u32'],
  ['rows', 'u32'],
  ['outputs', 'u32'],
  ['model_stride', 'u32'],
  ['label_offset', 'u32'],
  ['label_model_stride', 'u32'],
  ['mode', 'u32'],
  ['divergence_factor', 'f32'],
]);
export const OPTIMIZER_PARAMS = struct('OptimizerParams', [
  ['models', 'u32'],
  ['param_count', 'u32'],
  ['batch_size', 'u32'],
  ['train_count', 'u32'],
  ['total_steps', 'u32'],
]);
export const INIT_PARAMS = struct('InitParams', [
  ['models', 'u32'],
  ['model_stride', 'u32'],
  ['offset', 'u32'],
  ['rows', 'u32'],
  ['cols', 'u32'],
  ['layer', 'u32'],
  ['rows_masked', 'u32'],
  ['cols_masked', 'u32'],
  ['fan_out_per_col', 'u32'],
  ['xavier', 'u32'],
  ['ones', 'u32'],
]);
export const GATHER_PARAMS = struct('GatherParams', [
  ['models', 'u32'],
  ['batch_size', 'u32'],
  ['inputs', 'u32'],
  ['copy_width', 'u32'],
  ['train_count', 'u32'],
]);
export const CONV_PARAMS = struct('ConvParams', [
  ['models', 'u32'],
  ['rows', 'u32'],
  ['channels', 'u32'],
  ['height', 'u32'],
  ['width', 'u32'],
  ['filters', 'u32'],
  ['kernel', 'u32'],
  ['x_offset', 'u32'],
  ['x_model_stride', 'u32'],
  ['y_model_stride', 'u32'],
  ['param_model_stride', 'u32'],
  ['weight_offset', 'u32'],
  ['bias_offset', 'u32'],
]);
export const POOL_PARAMS = struct('PoolParams', [
  ['models', 'u32'],
  ['rows', 'u32'],
  ['channels', 'u32'],
  ['height', 'u32'],
  ['width', 'u32'],
  ['x_offset', 'u32'],
  ['x_model_stride', 'u32'],
  ['y_model_stride', 'u32'],
]);
export const DROPOUT_PARAMS = struct('DropoutParams', [
  ['models', 'u32'],
  ['rows', 'u32'],
  ['size', 'u32'],
  ['layer', 'u32'],
  ['threshold', 'u32'],
  ['scale', 'f32'],
  ['training', 'u32'],
  ['x_offset', 'u32'],
  ['x_model_stride', 'u32'],
  ['y_model_stride', 'u32'],
]);
export const BATCH_NORM_PARAMS = struct('BatchNormParams', [
  ['models', 'u32'],
  ['rows', 'u32'],
  ['channels', 'u32'],
  ['plane', 'u32'],
  ['masked', 'u32'],
  ['training', 'u32'],
  ['epsilon', 'f32'],
  ['momentum', 'f32'],
  ['x_offset', 'u32'],
  ['x_model_stride', 'u32'],
  ['y_model_stride', 'u32'],
  ['param_model_stride', 'u32'],
  ['scale_offset', 'u32'],
  ['shift_offset', 'u32'],
  ['statistics_model_stride', 'u32'],
  ['mean_offset', 'u32'],
  ['variance_offset', 'u32'],
]);
export const STEP_PARAMS = struct('StepParams', [['step', 'u32']]);
/** fused_mlp.wgsl's: which steps one dispatch trains, and what the step needs of the job. */
export const FUSED_PARAMS = struct('FusedParams', [
  ['models', 'u32'],
  ['first_step', 'u32'],
  ['steps', 'u32'],
  ['train_count', 'u32'],
  ['total_steps', 'u32'],
  ['divergence_factor', 'f32'],
]);
/** The WGSL name of a hyperparameter's field or constant: learningRate → learning_rate. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The table's 'model' hyperparameters (choices as their code), then what the study derives per trial. */
export const MODEL_HYPER = struct('ModelHyper', [
  ...MODEL_ROWS.map((row) => [snakeCase(row.name), row.value.kind === 'float' ? 'f32' : 'u32'] as const),
  ['decay_every', 'f32'],
  ['init_seed', 'u32'],
  ['data_seed', 'u32'],
]);
export const MODEL_STATE = struct('ModelState', [
  ['loss_sum', 'f32'],
  ['accuracy_sum', 'f32'],
  ['steps', 'u32'],
  ['first_loss', 'f32'],
  ['diverged', 'u32'],
  ['diverged_at', 'u32'],
  ['stopped', 'u32'],
  ['validation_loss_sum', 'f32'],
  ['validation_correct', 'f32'],
]);

export const packMatmulParams = (v: StructValues<typeof MATMUL_PARAMS>) => packStruct(MATMUL_PARAMS, v);
export const packLossParams = (v: StructValues<typeof LOSS_PARAMS>) => packStruct(LOSS_PARAMS, v);
export const packOptimizerParams = (v: StructValues<typeof OPTIMIZER_PARAMS>) => packStruct(OPTIMIZER_PARAMS, v);
export const packInitParams = (v: StructValues<typeof INIT_PARAMS>) => packStruct(INIT_PARAMS, v);
export const packGatherParams = (v: StructValues<typeof GATHER_PARAMS>) => packStruct(GATHER_PARAMS, v);
export const packConvParams = (v: StructValues<typeof CONV_PARAMS>) => packStruct(CONV_PARAMS, v);
export const packPoolParams = (v: StructValues<typeof POOL_PARAMS>) => packStruct(POOL_PARAMS, v);
export const packBatchNormParams = (v: StructValues<typeof BATCH_NORM_PARAMS>) => packStruct(BATCH_NORM_PARAMS, v);
export const packFusedParams = (v: StructValues<typeof FUSED_PARAMS>) => packStruct(FUSED_PARAMS, v);
export const packDropoutParams = (v: StructValues<typeof DROPOUT_PARAMS>) => packStruct(DROPOUT_PARAMS, v);

/** Step slots for one command buffer, each at its own `slotBytes` (the dynamic-offset alignment). */
export function packStepSlots(firstStep: number, count: number, slotBytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(count * slotBytes);
  const bytes = new Uint8Array(buffer);
  for (let s = 0; s < count; s++)
    bytes.set(
      new Uint8Array(packStruct(STEP_PARAMS, { step: firstStep + s })).subarray(0, structSize(STEP_PARAMS)),
      s * slotBytes,
    );
  return buffer;
}

/** One ModelHyper row per model; a choice becomes its code (its index in the table's list), as the kernels read it. */
export function packModelHypers(models: readonly ModelHyper[]): ArrayBuffer {
  return packStructArray(
    MODEL_HYPER,
    models.map((m) => ({
      ...Object.fromEntries(
        MODEL_ROWS.map((row) => {
          const value = m[row.name];
          const code = row.value.kind === 'choice' ? row.value.choices.indexOf(String(value)) : value;
          return [snakeCase(row.name), code as number];
        }),
      ),
      decay_every: m.decayEvery,
      init_seed: m.initSeed,
      data_seed: m.dataSeed,
    })) as Array<StructValues<typeof MODEL_HYPER>>,
  );
}

/** `struct Name { field: type, … }` in WGSL, for a struct whose layout follows a table (ModelHyper). */
export function wgslStruct(layout: StructLayout<string>): string {
  return `struct ${layout.name} {\n${layout.fields.map(([field, scalar]) => `  ${field}: ${scalar},\n`).join('')}}\n`;
}

/**
 * WGSL constants for every choice of the table's choice hyperparameters, named
 * HYPERPARAMETER_CHOICE (OPTIMIZER_ADAM, DECAY_COSINE, ACTIVATION_GELU_TANH), valued by their code.
 */
export function wgslChoiceConstants(): string {
  return HYPERPARAMETERS.flatMap((row) =>
    row.value.kind === 'choice'
      ? row.value.choices.map(
          (choice, code) => `const ${snakeCase(row.name).toUpperCase()}_${choice.toUpperCase()}: u32 = ${code}u;\n`,
        )
      : [],
  ).join('');
}

/** What every kernel's source starts with: declarations generated from the table of hyperparameters. */
export const GENERATED_WGSL = `// Generated from src/search/hyperparameters.ts (src/train/gpu/structs.ts).\n${wgslChoiceConstants()}${wgslStruct(MODEL_HYPER)}`;

export interface ModelStateView {
  lossSum: number;
  accuracySum: number;
  steps: number;
  firstLoss: number;
  diverged: boolean;
  divergedAt: number;
  stopped: boolean;
  validationLossSum: number;
  validationCorrect: number;
}

/** Reads model `index`'s ModelState from a read-back of the state buffer. */
export function unpackModelState(buffer: ArrayBuffer, index: number): ModelStateView {
  const view = new DataView(buffer, index * structSize(MODEL_STATE), structSize(MODEL_STATE));
  const f32 = (field: (typeof MODEL_STATE.fields)[number][0]) => view.getFloat32(fieldOffset(MODEL_STATE, field), true);
  const u32 = (field: (typeof MODEL_STATE.fields)[number][0]) => view.getUint32(fieldOffset(MODEL_STATE, field), true);
  return {
    lossSum: f32('loss_sum'),
    accuracySum: f32('accuracy_sum'),
    steps: u32('steps'),
    firstLoss: f32('first_loss'),
    diverged: u32('diverged') !== 0,
    divergedAt: u32('diverged_at'),
    stopped: u32('stopped') !== 0,
    validationLossSum: f32('validation_loss_sum'),
    validationCorrect: f32('validation_correct'),
  };
}
