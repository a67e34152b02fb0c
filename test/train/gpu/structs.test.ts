// The TS struct layouts are the only source of byte offsets: each must match the struct of
// the same name in the WGSL that the kernels compile, and each pack function must put
// every field where that layout says.
import { describe, expect, it } from 'vitest';
import { SHADER_SOURCES } from '#shaders';
import { HYPERPARAMETERS, type HyperparameterRow } from '../../../src/search/hyperparameters.ts';
import { KERNELS } from '../../../src/train/gpu/kernels.ts';
import type { StructLayout } from '../../../src/train/gpu/structs.ts';
import {
  BATCH_NORM_PARAMS,
  CONV_PARAMS,
  DROPOUT_PARAMS,
  FUSED_PARAMS,
  fieldOffset,
  GATHER_PARAMS,
  GENERATED_WGSL,
  INIT_PARAMS,
  LOSS_PARAMS,
  MATMUL_PARAMS,
  MODEL_HYPER,
  MODEL_STATE,
  OPTIMIZER_PARAMS,
  POOL_PARAMS,
  packLossParams,
  packMatmulParams,
  packModelHypers,
  packStepSlots,
  packStructArray,
  STEP_PARAMS,
  snakeCase,
  structSize,
  unpackModelState,
} from '../../../src/train/gpu/structs.ts';
import type { ModelHyper } from '../../../src/train/types.ts';

const LAYOUTS: StructLayout<string>[] = [
  MATMUL_PARAMS,
  LOSS_PARAMS,
  OPTIMIZER_PARAMS,
  INIT_PARAMS,
  GATHER_PARAMS,
  CONV_PARAMS,
  POOL_PARAMS,
  DROPOUT_PARAMS,
  BATCH_NORM_PARAMS,
  STEP_PARAMS,
  FUSED_PARAMS,
  MODEL_HYPER,
  MODEL_STATE,
];

/** Every `struct Name { field: type, … }` of a WGSL source, as [field, type] pairs. */
function wgslStructs(code: string): Map<string, Array<[string, string]>> {
  const structs = new Map<string, Array<[string, string]>>();
  for (const match of code.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields = match[2]
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f) => f.split(':').map((part) => part.trim()) as [string, string]);
    structs.set(match[1], fields);
  }
  return structs;
}

describe('struct layouts match the WGSL', () => {
  for (const layout of LAYOUTS) {
    it(`${layout.name} has the same fields, in order, wherever a kernel declares it`, () => {
      // The fused kernel's code is generated per shape; its own file declares its structs.
      const declarations = [...Object.values(KERNELS).map((kernel) => kernel.code), SHADER_SOURCES.fused_mlp]
        .map((code) => wgslStructs(code).get(layout.name))
        .filter((fields) => fields !== undefined);
      expect(declarations.length, `no kernel declares ${layout.name}`).toBeGreaterThan(0);
      for (const fields of declarations) expect(fields).toEqual(layout.fields.map(([name, type]) => [name, type]));
    });
  }
});

describe('declarations generated from the table of hyperparameters', () => {
  const rows: readonly HyperparameterRow[] = HYPERPARAMETERS;

  it('give ModelHyper one field per model row, in table order, then what the study derives', () => {
    expect(MODEL_HYPER.fields.map(([field]) => field)).toEqual([
      ...rows.filter((r) => r.target === 'model').map((r) => snakeCase(r.name)),
      'decay_every',
      'init_seed',
      'data_seed',
    ]);
    expect(Object.fromEntries(MODEL_HYPER.fields)).toMatchObject({
      learning_rate: 'f32',
      rmsprop_alpha: 'f32',
      hidden_units: 'u32',
      optimizer: 'u32',
      decay: 'u32',
    });
    expect(wgslStructs(GENERATED_WGSL).get('ModelHyper')).toEqual(MODEL_HYPER.fields.map(([n, t]) => [n, t]));
  });

  it('give every choice a constant valued by its index, and every kernel starts with them', () => {
    const constants = Object.fromEntries(
      [...GENERATED_WGSL.matchAll(/const (\w+): u32 = (\d+)u;/g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(constants).toMatchObject({ OPTIMIZER_SGD: 0, OPTIMIZER_ADAM: 3, DECAY_COSINE: 4, ACTIVATION_GELU_TANH: 6 });
    const expected = rows.flatMap((r) =>
      r.value.kind === 'choice'
        ? r.value.choices.map((c, i) => [`${snakeCase(r.name).toUpperCase()}_${c.toUpperCase()}`, i] as const)
        : [],
    );
    expect(constants).toEqual(Object.fromEntries(expected));
    for (const kernel of Object.values(KERNELS)) expect(kernel.code.startsWith(GENERATED_WGSL), kernel.name).toBe(true);
  });

  it('are the only declaration of ModelHyper, and the kernels compare kinds with the named codes', () => {
    for (const [file, code] of Object.entries(SHADER_SOURCES)) {
      expect(wgslStructs(code).has('ModelHyper'), `${file}.wgsl declares ModelHyper by hand`).toBe(false);
      expect(code, `${file}.wgsl compares a kind with a bare number`).not.toMatch(
        /\.(optimizer|decay)\s*==\s*\d|case\s+\d+u\s*:|uses\(\w+,\s*\d/,
      );
    }
  });
});

describe('pack functions', () => {
  it('writes each u32 field little-endian at 4 bytes per field index', () => {
    const bytes = packMatmulParams({
      models: 9,
      m: 1,
      k: 2,
      n: 3,
      a_offset: 4,
      a_model_stride: 5,
      b_offset: 6,
      b_model_stride: 7,
      c_offset: 8,
      c_model_stride: 0xffffffff,
      bias_offset: 10,
    });
    expect(bytes.byteLength).toBe(48);
    expect(Array.from(new Uint32Array(bytes, 0, 11))).toEqual([9, 1, 2, 3, 4, 5, 6, 7, 8, 0xffffffff, 10]);
  });

  it('writes f32 fields as floats and refuses a u32 field that is not a u32', () => {
    const loss = { models: 2, rows: 3, outputs: 4, model_stride: 5, label_offset: 6, label_model_stride: 7, mode: 1 };
    const bytes = packLossParams({ ...loss, divergence_factor: 100.5 });
    expect(new Float32Array(bytes)[fieldOffset(LOSS_PARAMS, 'divergence_factor') / 4]).toBe(100.5);
    expect(() => packLossParams({ ...loss, models: -1, divergence_factor: 1 })).toThrow(
      /LossParams.models must be a u32, got -1/,
    );
    expect(() => packLossParams({ ...loss, models: 1.5, divergence_factor: 1 })).toThrow(/u32/);
  });

  it('packs one ModelHyper row per model, kinds as their index in the kind lists', () => {
    const hyper: ModelHyper = {
      hiddenUnits: 7,
      optimizer: 'adam',
      learningRate: 0.25,
      beta1: 0.5,
      beta2: 0.75,
      rmspropAlpha: 0.375,
      epsilon: 0.125,
      weightDecay: 2,
      decay: 'cosine',
      decayRate: 3,
      decayEvery: 4,
      initSeed: 0xfffffffe,
      dataSeed: 9,
    };
    const bytes = packModelHypers([hyper, { ...hyper, optimizer: 'sgd', decay: 'none' }]);
    const stride = structSize(MODEL_HYPER);
    const u32 = (row: number, field: (typeof MODEL_HYPER.fields)[number][0]) =>
      new DataView(bytes).getUint32(row * stride + fieldOffset(MODEL_HYPER, field), true);
    const f32 = (row: number, field: (typeof MODEL_HYPER.fields)[number][0]) =>
      new DataView(bytes).getFloat32(row * stride + fieldOffset(MODEL_HYPER, field), true);
    expect(stride).toBe(52);
    expect([
      u32(0, 'hidden_units'),
      u32(0, 'optimizer'),
      u32(0, 'decay'),
      u32(0, 'init_seed'),
      u32(0, 'data_seed'),
    ]).toEqual([7, 3, 4, 0xfffffffe, 9]);
    expect([
      f32(0, 'learning_rate'),
      f32(0, 'beta1'),
      f32(0, 'beta2'),
      f32(0, 'epsilon'),
      f32(0, 'weight_decay'),
      f32(0, 'decay_rate'),
      f32(0, 'decay_every'),
      f32(0, 'rmsprop_alpha'),
    ]).toEqual([0.25, 0.5, 0.75, 0.125, 2, 3, 4, 0.375]);
    expect([u32(1, 'optimizer'), u32(1, 'decay')]).toEqual([0, 0]);
  });

  it('puts step k of a command buffer at k × the slot size', () => {
    const slots = new Uint32Array(packStepSlots(40, 3, 256));
    expect(slots.length).toBe(3 * 64);
    expect([slots[0], slots[64], slots[128]]).toEqual([40, 41, 42]);
  });

  it('reads back a ModelState where packStructArray wrote it', () => {
    const state = {
      loss_sum: 1.5,
      accuracy_sum: 0.25,
      steps: 3,
      first_loss: 0.75,
      diverged: 1,
      diverged_at: 17,
      stopped: 0,
      validation_loss_sum: 8,
      validation_correct: 5,
    };
    const bytes = packStructArray(MODEL_STATE, [{ ...state, steps: 0 }, state]);
    expect(unpackModelState(bytes, 1)).toEqual({
      lossSum: 1.5,
      accuracySum: 0.25,
      steps: 3,
      firstLoss: 0.75,
      diverged: true,
      divergedAt: 17,
      stopped: false,
      validationLossSum: 8,
      validationCorrect: 5,
    });
  });
});
