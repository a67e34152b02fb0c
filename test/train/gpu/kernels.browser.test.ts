// Every WGSL kernel against its CPU reference op (src/train/cpu/ops.ts) on odd shapes,
// batched over a small population with offsets and strides. Each test logs the max abs
// difference; floats agree within 1e-4 of the largest reference value, index maps exactly.
import { describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import * as ops from '../../../src/train/cpu/ops.ts';
import type { KernelEntry, MatmulEpilogue, MatmulKind } from '../../../src/train/gpu/kernels.ts';
import {
  KERNELS,
  keepsPreActivation,
  matmulInvocations,
  matmulKernel,
  optimizerInvocations,
  optimizerKernel,
} from '../../../src/train/gpu/kernels.ts';
import type { StructValues } from '../../../src/train/gpu/structs.ts';
import {
  fieldOffset,
  type MATMUL_PARAMS,
  MODEL_HYPER,
  MODEL_STATE,
  packGatherParams,
  packInitParams,
  packLossParams,
  packMatmulParams,
  packModelHypers,
  packOptimizerParams,
  packStepSlots,
  packStructArray,
  structSize,
  unpackModelState,
} from '../../../src/train/gpu/structs.ts';
import { modelLayout } from '../../../src/train/layers.ts';
import type { Activation, DecayKind, ModelHyper, OptimizerKind, PopulationShape } from '../../../src/train/types.ts';
import { ACTIVATIONS, DECAYS, OPTIMIZERS, parameterCount } from '../../../src/train/types.ts';
import { GRADIENTS, PYTORCH_STEPS, pytorchHyper, W0 } from '../pytorch-reference.ts';
import { relativeError, withDevice } from './gpu-test-device.ts';
import { runKernel } from './kernel-runner.ts';

const TOLERANCE = 1e-4;

function seeded(length: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, (_, i) => (uniform(seed, i) * 2 - 1) * scale);
}

function expectClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance = TOLERANCE,
): void {
  const { maxAbs, relative } = relativeError(actual, expected);
  console.log(`[kernel] ${what}: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`);
  expect(relative, what).toBeLessThanOrEqual(tolerance);
}

const hyper = (overrides: Partial<ModelHyper> = {}): ModelHyper => pytorchHyper({ decayRate: 0.5, ...overrides });

const P = 2;
const OFFSET = 4;
// Odd shapes take the scalar kernels; shapes whose dimensions are multiples of 4 also the vec4 ones;
// K = 2 or N = 2 (a thin first or output layer) the scalar ones reading the other operand as vec4s.
const MATMUL_SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [3, 17, 65],
  [17, 65, 3],
  [65, 130, 17],
  [130, 1, 3],
  [3, 130, 130],
  [3, 16, 64],
  [17, 32, 4],
  [64, 128, 16],
  [5, 2, 32],
  [6, 32, 2],
];
const NO_EPILOGUE = { bias_offset: 0 };
/** The batch's rows, which GATHER reads, bound but unused when it is off. */
const GATHER_OFF = [1];
const SCALAR: Record<MatmulKind, KernelEntry> = {
  forward: KERNELS.matmulForward,
  backwardInput: KERNELS.matmulBackwardInput,
  backwardWeight: KERNELS.matmulBackwardWeight,
};

/** The scalar kernel of `kind`, and the vec4 one too when these operands allow it. */
function variants(kind: MatmulKind, values: StructValues<typeof MATMUL_PARAMS>): KernelEntry[] {
  return [...new Set([SCALAR[kind], matmulKernel(kind, values)])];
}

/** P model blocks of `size` floats after OFFSET leading floats (that the kernel must not touch). */
function blocks(size: number, seed: number): Float32Array {
  return seeded(OFFSET + P * size, seed);
}
const modelBlock = (all: Float32Array, size: number, p: number) =>
  all.subarray(OFFSET + p * size, OFFSET + (p + 1) * size);

describe('matmul kernels', () => {
  for (const [B, K, N] of MATMUL_SHAPES) {
    it(`forward, input and weight gradients agree with the CPU for B=${B} K=${K} N=${N}`, () =>
      withDevice(async (device) => {
        const x = blocks(B * K, 1);
        const w = blocks(K * N, 2);
        const dy = blocks(B * N, 3);
        const params = (a: number, b: number, c: number) => ({
          models: P,
          m: B,
          k: K,
          n: N,
          a_offset: OFFSET,
          a_model_stride: a,
          b_offset: OFFSET,
          b_model_stride: b,
          c_offset: OFFSET,
          c_model_stride: c,
          ...NO_EPILOGUE,
        });
        const unused = new Float32Array(structSize(MODEL_HYPER) / 4); // one ModelHyper row; the epilogue is off
        const expected = Array.from({ length: P }, (_, p) => {
          const [y, dx, dw] = [new Float32Array(B * N), new Float32Array(B * K), new Float32Array(K * N)];
          ops.matmulForward(modelBlock(x, B * K, p), modelBlock(w, K * N, p), y, B, K, N);
          ops.matmulBackwardInput(modelBlock(dy, B * N, p), modelBlock(w, K * N, p), dx, B, K, N);
          ops.matmulBackwardWeight(modelBlock(x, B * K, p), modelBlock(dy, B * N, p), dw, B, K, N);
          return { y, dx, dw };
        });
        const check = (
          entry: KernelEntry,
          out: Float32Array,
          size: number,
          pick: (e: (typeof expected)[number]) => Float32Array,
        ) => {
          for (let p = 0; p < P; p++)
            expectClose(`${entry.name} ${B}x${K}x${N} model ${p}`, modelBlock(out, size, p), pick(expected[p]));
          expect(Array.from(out.subarray(0, OFFSET)), `${entry.name} wrote before its offset`).toEqual([0, 0, 0, 0]);
        };
        const forward = params(B * K, K * N, B * N);
        for (const entry of variants('forward', forward)) {
          const [, , , y] = await runKernel(
            device,
            entry,
            [packMatmulParams(forward), x, w, OFFSET + P * B * N, x, w, unused, unused, ...GATHER_OFF],
            matmulInvocations(P, B, N),
          );
          check(entry, y, B * N, (e) => e.y);
        }
        const input = params(B * N, K * N, B * K);
        for (const entry of variants('backwardInput', input)) {
          const [, , , dx] = await runKernel(
            device,
            entry,
            [packMatmulParams(input), dy, w, OFFSET + P * B * K, dy, w, unused, unused],
            matmulInvocations(P, B, K),
          );
          check(entry, dx, B * K, (e) => e.dx);
        }
        const weight = params(B * K, B * N, K * N);
        for (const entry of variants('backwardWeight', weight)) {
          const [, , , dw] = await runKernel(
            device,
            entry,
            [packMatmulParams(weight), x, dy, OFFSET + P * K * N, x, dy, ...GATHER_OFF],
            matmulInvocations(P, K, N),
          );
          check(entry, dw, K * N, (e) => e.dw);
        }
      }));
  }
});

// Two models of a hidden layer N wide that use `widths` of its columns, fed by K inputs and
// feeding O outputs; each model's parameters hold W [K×N] at `weights`, b [N] after it.
// The first layer's odd sizes take the scalar kernels, the second's aligned ones the vec4 kernels.
const LAYERS = [
  { B: 3, K: 4, N: 17, O: 3, widths: [5, 17], weights: 2, vec4: false },
  { B: 3, K: 8, N: 16, O: 4, widths: [5, 16], weights: 4, vec4: true },
];

for (const { B, K, N, O, widths, weights: WEIGHTS, vec4 } of LAYERS) {
  describe(`layer steps fused into the ${vec4 ? 'vec4' : 'scalar'} matmuls (bias, activation, padding mask, bias gradient)`, () => {
    const BIAS = WEIGHTS + K * N;
    const PC = BIAS + N + 4;
    const hypers = packModelHypers(widths.map((hiddenUnits) => hyper({ hiddenUnits })));
    const x = seeded(P * B * K, 4, 2);
    const parameters = seeded(P * PC, 5);
    const dy = seeded(P * B * O, 6);
    const nextWeights = seeded(P * N * O, 7);
    const zIn = seeded(P * B * N, 8, 3);
    const block = (all: Float32Array, p: number, size: number) => all.subarray(p * size, (p + 1) * size);
    // A hidden layer's epilogue masks the padding columns; the output layer's does not (see matmul_common.wgsl).
    const layer = (
      kind: MatmulKind,
      activation: Activation,
      m: number,
      k: number,
      n: number,
      strides: [number, number, number],
      offsets: [number, number],
      epilogue: MatmulEpilogue['layer'] = 'hidden',
    ) => {
      const values = {
        models: P,
        m,
        k,
        n,
        a_offset: 0,
        a_model_stride: strides[0],
        b_offset: offsets[0],
        b_model_stride: strides[1],
        c_offset: offsets[1],
        c_model_stride: strides[2],
        bias_offset: BIAS,
      };
      const entry = matmulKernel(kind, values, { layer: epilogue, activation: ACTIVATIONS.indexOf(activation) });
      expect(entry.name.endsWith('_vec4'), `${entry.name} for ${kind}`).toBe(vec4);
      return { entry, params: packMatmulParams(values) };
    };

    for (const activation of ACTIVATIONS) {
      it(`forward adds the bias and applies ${activation}, input gradient multiplies by its derivative, padding stays 0`, () =>
        withDevice(async (device) => {
          const forward = layer('forward', activation, B, K, N, [B * K, PC, B * N], [WEIGHTS, 0]);
          const [, , , z, , , , a] = await runKernel(
            device,
            forward.entry,
            [forward.params, x, parameters, P * B * N, x, parameters, hypers, P * B * N, ...GATHER_OFF],
            matmulInvocations(P, B, N),
          );
          // The forward keeps a = act(z) for the derivative, or z itself for the gelus.
          const kept = keepsPreActivation(activation) ? zIn : zIn.map((v) => ops.activate(activation, v));
          const input = layer('backwardInput', activation, B, N, O, [B * O, N * O, B * N], [0, 0]);
          const [, , , dz] = await runKernel(
            device,
            input.entry,
            [input.params, dy, nextWeights, P * B * N, dy, nextWeights, hypers, kept],
            matmulInvocations(P, B, N),
          );
          for (let p = 0; p < P; p++) {
            const pre = new Float32Array(B * N);
            const [expectZ, expectA, da, expectDz] = [0, 1, 2, 3].map(() => new Float32Array(B * N));
            ops.matmulForward(block(x, p, B * K), parameters.subarray(p * PC + WEIGHTS, p * PC + BIAS), pre, B, K, N);
            ops.biasActivationForward(
              pre,
              parameters.subarray(p * PC + BIAS, p * PC + BIAS + N),
              activation,
              expectZ,
              expectA,
              B,
              N,
              widths[p],
            );
            ops.matmulBackwardInput(block(dy, p, B * O), block(nextWeights, p, N * O), da, B, N, O);
            ops.activationBackward(block(zIn, p, B * N), da, activation, expectDz, B, N, widths[p]);
            // A hidden layer keeps z only where its derivative needs it (the gelus); the buffer stays untouched otherwise.
            expectClose(
              `${forward.entry.name} z ${activation} model ${p}`,
              block(z, p, B * N),
              keepsPreActivation(activation) ? expectZ : new Float32Array(B * N),
            );
            expectClose(`${forward.entry.name} a ${activation} model ${p}`, block(a, p, B * N), expectA);
            expectClose(`${input.entry.name} dz ${activation} model ${p}`, block(dz, p, B * N), expectDz);
            for (let r = 0; r < B; r++) {
              for (let j = widths[p]; j < N; j++)
                expect([
                  block(z, p, B * N)[r * N + j],
                  block(a, p, B * N)[r * N + j],
                  block(dz, p, B * N)[r * N + j],
                ]).toEqual([0, 0, 0]);
            }
          }
        }));
    }

    it('the output layer stores only z = a·W + bias, over all its columns', () =>
      withDevice(async (device) => {
        const output = layer('forward', 'linear', B, K, N, [B * K, PC, B * N], [WEIGHTS, 0], 'output');
        const [, , , z, , , , a] = await runKernel(
          device,
          output.entry,
          [output.params, x, parameters, P * B * N, x, parameters, hypers, P * B * N, ...GATHER_OFF],
          matmulInvocations(P, B, N),
        );
        for (let p = 0; p < P; p++) {
          const [pre, expectZ, expectA] = [0, 1, 2].map(() => new Float32Array(B * N));
          ops.matmulForward(block(x, p, B * K), parameters.subarray(p * PC + WEIGHTS, p * PC + BIAS), pre, B, K, N);
          ops.biasActivationForward(
            pre,
            parameters.subarray(p * PC + BIAS, p * PC + BIAS + N),
            'linear',
            expectZ,
            expectA,
            B,
            N,
            N,
          );
          expectClose(`${output.entry.name} output z model ${p}`, block(z, p, B * N), expectZ);
        }
        expect(a.every((v) => v === 0)).toBe(true);
      }));

    it('the weight gradient also stores the bias gradient, the column sums of dy', () =>
      withDevice(async (device) => {
        const dz = seeded(P * B * N, 9);
        const weight = layer('backwardWeight', 'linear', B, K, N, [B * K, B * N, PC], [0, WEIGHTS]);
        const [, , , gradients] = await runKernel(
          device,
          weight.entry,
          [weight.params, x, dz, P * PC, x, dz, ...GATHER_OFF],
          matmulInvocations(P, K, N),
        );
        for (let p = 0; p < P; p++) {
          const [expectDw, expectDb] = [new Float32Array(K * N), new Float32Array(N)];
          ops.matmulBackwardWeight(block(x, p, B * K), block(dz, p, B * N), expectDw, B, K, N);
          ops.biasGradient(block(dz, p, B * N), expectDb, B, N);
          expectClose(
            `${weight.entry.name} weight gradient model ${p}`,
            gradients.subarray(p * PC + WEIGHTS, p * PC + BIAS),
            expectDw,
          );
          expectClose(
            `${weight.entry.name} bias gradient model ${p}`,
            gradients.subarray(p * PC + BIAS, p * PC + BIAS + N),
            expectDb,
          );
        }
      }));
  });
}

describe("loss kernels (each row's loss and gradient, folded into the model's metrics)", () => {
  // Models 0 and 1 train; model 2 is frozen (diverged) and must be left alone.
  const MODELS = 3;
  const FROZEN = 2;
  const MODE = { train: 0, validation: 1, reset: 2 };
  const live = { loss_sum: 0.5, accuracy_sum: 0.25, steps: 2, first_loss: 1, diverged: 0, diverged_at: 0, stopped: 0 };
  const before = [0, 1, 2].map((m) => ({
    ...live,
    diverged: m === FROZEN ? 1 : 0,
    validation_loss_sum: 3 + m,
    validation_correct: 1 + m,
  }));
  const states = (patch: Partial<(typeof before)[number]> = {}) =>
    packStructArray(
      MODEL_STATE,
      before.map((s, m) => (m === FROZEN ? s : { ...s, ...patch })),
    );
  const stateOf = (floats: Float32Array, m: number) => unpackModelState(floats.buffer as ArrayBuffer, m);

  for (const [rows, outputs] of [
    [1, 2],
    [17, 3],
    [65, 17],
  ] as const) {
    const capacity = rows + 2;
    const logits = seeded(MODELS * capacity * outputs, 7, 4);
    const block = (all: Float32Array, p: number) =>
      all.subarray(p * capacity * outputs, p * capacity * outputs + rows * outputs);
    const classes = Float32Array.from({ length: 1 + MODELS * rows }, (_, i) => Math.floor(uniform(8, i) * outputs));
    const targets = seeded(1 + MODELS * rows * outputs, 9, 2);
    // A training step reads the labels of its batch's rows (any rows of the label set, repeats allowed).
    const batchRow = (p: number, r: number) => (r * 5 + p * 3 + 1) % (MODELS * rows);
    const batchRows = new Float32Array(
      Uint32Array.from({ length: MODELS * rows }, (_, i) => batchRow(Math.floor(i / rows), i % rows)).buffer,
    );
    const gathered = (labels: Float32Array, perRow: number, p: number) =>
      Float32Array.from(
        { length: rows * perRow },
        (_, i) => labels[batchRow(p, Math.floor(i / perRow)) * perRow + (i % perRow)],
      );
    const losses = [
      {
        name: 'softmax_cross_entropy',
        entry: KERNELS.softmaxCrossEntropy,
        labels: classes,
        perRow: 1,
        cpu: (p: number, gradient: Float32Array, labels: Float32Array) =>
          ops.softmaxCrossEntropy(block(logits, p), labels, gradient, rows, outputs),
      },
      {
        name: 'mean_squared_error',
        entry: KERNELS.meanSquaredError,
        labels: targets,
        perRow: outputs,
        cpu: (p: number, gradient: Float32Array, labels: Float32Array) => ({
          correct: 0,
          ...ops.meanSquaredError(block(logits, p), labels, gradient, rows, outputs),
        }),
      },
    ];
    for (const { name, entry, labels, perRow, cpu } of losses) {
      const run = (device: GPUDevice, mode: number, step: number, state: ArrayBuffer) =>
        runKernel(
          device,
          entry,
          [
            packLossParams({
              models: MODELS,
              rows,
              outputs,
              model_stride: capacity * outputs,
              label_offset: 1,
              label_model_stride: 0,
              mode,
              divergence_factor: 100,
            }),
            packStepSlots(step, 1, 256),
            logits,
            labels,
            MODELS * capacity * outputs,
            state,
            batchRows,
          ],
          MODELS,
        );

      it(`${name}: a training step's gradient, mean loss and accuracy agree with the CPU (rows=${rows}, outputs=${outputs})`, () =>
        withDevice(async (device) => {
          // Step 0 sets each model's first loss; a later step whose loss is 100x the first diverges.
          const [, , , , gradient, first] = await run(device, MODE.train, 0, states());
          const [, , , , , later] = await run(device, MODE.train, 7, states({ first_loss: 1e-7 }));
          for (let p = 0; p < FROZEN; p++) {
            const expectGradient = new Float32Array(rows * outputs);
            const { loss, correct } = cpu(p, expectGradient, gathered(labels, perRow, p));
            const state = stateOf(first, p);
            expectClose(`${name} gradient model ${p}`, block(gradient, p), expectGradient);
            expectClose(`${name} batch loss model ${p}`, [state.firstLoss, state.lossSum - 0.5], [loss, loss]);
            expect(state.accuracySum - 0.25).toBeCloseTo(correct / rows, 6);
            expect([state.steps, state.diverged]).toEqual([3, false]);
            expect([stateOf(later, p).diverged, stateOf(later, p).divergedAt]).toEqual([true, 7]);
          }
          expect(stateOf(first, FROZEN)).toEqual(stateOf(new Float32Array(states()), FROZEN));
          expect(block(gradient, FROZEN).every((g) => g === 0)).toBe(true);
        }));

      it(`${name}: a validation chunk adds its summed loss and correct rows, shared labels (rows=${rows}, outputs=${outputs})`, () =>
        withDevice(async (device) => {
          const [, , , , gradient, after] = await run(device, MODE.validation, 3, states());
          expect(gradient.every((g) => g === 0)).toBe(true);
          for (let p = 0; p < FROZEN; p++) {
            const { loss, correct } = cpu(p, new Float32Array(rows * outputs), labels.subarray(1));
            const state = stateOf(after, p);
            expectClose(`${name} validation loss model ${p}`, [state.validationLossSum - (3 + p)], [loss * rows]);
            expect(state.validationCorrect - (1 + p)).toBe(correct);
            expect([state.lossSum, state.steps]).toEqual([0.5, 2]);
          }
          expect(stateOf(after, FROZEN)).toEqual(stateOf(new Float32Array(states()), FROZEN));
        }));
    }
  }

  it("the reset clears every model's sums and keeps its first loss and divergence", () =>
    withDevice(async (device) => {
      const [, , , , , after] = await runKernel(
        device,
        KERNELS.softmaxCrossEntropy,
        [
          packLossParams({
            models: MODELS,
            rows: 0,
            outputs: 2,
            model_stride: 0,
            label_offset: 0,
            label_model_stride: 0,
            mode: MODE.reset,
            divergence_factor: 100,
          }),
          packStepSlots(0, 1, 256),
          1,
          1,
          1,
          states(),
          1,
        ],
        MODELS,
      );
      for (let p = 0; p < MODELS; p++)
        expect(stateOf(after, p)).toEqual({
          lossSum: 0,
          accuracySum: 0,
          steps: 0,
          firstLoss: 1,
          diverged: p === FROZEN,
          divergedAt: 0,
          stopped: false,
          validationLossSum: 0,
          validationCorrect: 0,
        });
    }));
});

describe('optimizer_step', () => {
  // One model per (optimizer, decay) of the population; the last copy of model 0 is frozen.
  const population = (optimizers: readonly OptimizerKind[], decays: readonly DecayKind[]) =>
    optimizers.flatMap((optimizer) =>
      decays.map((decay) => {
        const [o, d] = [OPTIMIZERS.indexOf(optimizer), DECAYS.indexOf(decay)];
        return hyper({
          optimizer,
          decay,
          learningRate: 0.05 * (1 + o),
          beta1: 0.8,
          beta2: 0.95,
          rmspropAlpha: 0.9,
          epsilon: 1e-3,
          weightDecay: 0.1 * d,
          decayRate: 0.7,
          decayEvery: 2,
        });
      }),
    );
  const populations: Array<[string, ModelHyper[]]> = [
    ['every optimizer under every decay schedule', population(OPTIMIZERS, DECAYS)],
    // A kernel compiled for some kinds only (optimizerKernel) must still run those exactly.
    ['adam and momentum under cosine and step decay only', population(['adam', 'momentum'], ['cosine', 'step'])],
  ];
  for (const [what, models] of populations)
    it(`applies ${what} like the CPU, and leaves frozen models alone`, () =>
      withDevice(async (device) => {
        models.push(models[0]);
        const M = models.length;
        // 17 parameters per model in a stride of 20 (the engine rounds strides up to 4 floats): the tail is 0 and must stay 0.
        const [PC, USED] = [20, 17];
        const zeroTails = (values: Float32Array) => {
          for (let p = 0; p < M; p++) values.fill(0, p * PC + USED, (p + 1) * PC);
          return values;
        };
        const [batchSize, trainCount, totalSteps] = [8, 20, 40];
        const states = new ArrayBuffer(M * structSize(MODEL_STATE));
        new DataView(states).setUint32(
          (M - 1) * structSize(MODEL_STATE) + fieldOffset(MODEL_STATE, 'stopped'),
          1,
          true,
        );
        const optimizer = packOptimizerParams({
          models: M,
          param_count: PC,
          batch_size: batchSize,
          train_count: trainCount,
          total_steps: totalSteps,
        });
        let parameters: Float32Array = zeroTails(seeded(M * PC, 10));
        let m: Float32Array = new Float32Array(M * PC);
        let v: Float32Array = new Float32Array(M * PC);
        const initial = parameters.slice();
        const expected = Array.from({ length: M }, (_, p) => ({
          w: initial.slice(p * PC, (p + 1) * PC),
          m: new Float32Array(PC),
          v: new Float32Array(PC),
        }));
        for (const [t, step] of [0, 7, 31].entries()) {
          const gradients = zeroTails(seeded(M * PC, 11 + t));
          [, , , , parameters, , m, v] = await runKernel(
            device,
            optimizerKernel(models),
            [optimizer, packStepSlots(step, 1, 256), packModelHypers(models), states, parameters, gradients, m, v],
            optimizerInvocations(M, PC),
          );
          expected.forEach((e, p) => {
            if (p === M - 1) return;
            const lr = ops.learningRateAt(models[p], step, batchSize, trainCount, totalSteps);
            ops.optimizerStep(e.w, gradients.subarray(p * PC, (p + 1) * PC), e.m, e.v, models[p], lr, step + 1);
          });
        }
        expected.forEach((e, p) => {
          if (p === M - 1) return;
          expectClose(
            `optimizer ${models[p].optimizer} decay ${models[p].decay}`,
            parameters.subarray(p * PC, (p + 1) * PC),
            e.w,
          );
        });
        expect(Array.from(parameters.subarray((M - 1) * PC))).toEqual(Array.from(initial.subarray((M - 1) * PC)));
        expect(parameters.every((w, i) => i % PC < USED || w === 0)).toBe(true);
      }));
});

describe("optimizer_step against PyTorch's numbers", () => {
  // float32 weights, gradients and arithmetic against torch.optim's float64 results, per weight.
  const TOLERANCE_F32 = 1e-6;
  it(`reproduces torch.optim's three steps of every optimizer (one model each) within ${TOLERANCE_F32} relative per weight`, () =>
    withDevice(async (device) => {
      const models = PYTORCH_STEPS.map((c) => c.hyper);
      const [M, PC] = [models.length, W0.length];
      const optimizer = packOptimizerParams({
        models: M,
        param_count: PC,
        batch_size: 1,
        train_count: 1,
        total_steps: GRADIENTS.length,
      });
      const states = new ArrayBuffer(M * structSize(MODEL_STATE));
      let parameters: Float32Array = Float32Array.from(models.flatMap(() => W0));
      let m: Float32Array = new Float32Array(M * PC);
      let v: Float32Array = new Float32Array(M * PC);
      for (const [step, g] of GRADIENTS.entries()) {
        [, , , , parameters, , m, v] = await runKernel(
          device,
          optimizerKernel(models),
          [
            optimizer,
            packStepSlots(step, 1, 256),
            packModelHypers(models),
            states,
            parameters,
            Float32Array.from(models.flatMap(() => g)),
            m,
            v,
          ],
          optimizerInvocations(M, PC),
        );
        PYTORCH_STEPS.forEach(({ torch, weights }, p) => {
          const worst = Math.max(...weights[step].map((w, i) => Math.abs(parameters[p * PC + i] - w) / Math.abs(w)));
          console.log(
            `[kernel] optimizer_step vs torch.optim.${torch} step ${step + 1}: max relative diff ${worst.toExponential(2)}`,
          );
          expect(worst, `${torch} step ${step + 1}`).toBeLessThanOrEqual(TOLERANCE_F32);
        });
      }
    }));
});

describe('gelu on the GPU (erf by Abramowitz & Stegun 7.1.26) against the float64 reference', () => {
  // z = x·I exactly (an identity layer), 4 values per row over [-10, 10] in steps of 1/16;
  // the input gradient with dy = 1 and an identity next layer gives act'(z) itself.
  const values = Array.from({ length: 321 }, (_, i) => -10 + i / 16);
  const [B, N] = [Math.ceil(values.length / 4), 4];
  const x = Float32Array.from({ length: B * N }, (_, i) => values[Math.min(i, values.length - 1)]);
  const identity = Float32Array.from({ length: N * N }, (_, i) => (i % (N + 1) === 0 ? 1 : 0));
  const parameters = Float32Array.from([...identity, 0, 0, 0, 0]); // W then a zero bias
  const hypers = packModelHypers([pytorchHyper({ hiddenUnits: N })]);
  const product = (m: number, bStride: number, cStride: number) => ({
    models: 1,
    m,
    k: N,
    n: N,
    a_offset: 0,
    a_model_stride: m * N,
    b_offset: 0,
    b_model_stride: bStride,
    c_offset: 0,
    c_model_stride: cStride,
    bias_offset: N * N,
  });
  // Measured on SwiftShader: at most 1.4e-7 (gelu) and 3.1e-7 (gelu_tanh's derivative) per unit of max(1, |z|);
  // erf's approximation alone may contribute 1.5e-7·|z|/2.
  const BOUND = 4e-7;

  for (const activation of ['gelu', 'gelu_tanh'] as const) {
    it(`${activation}: value and derivative within ${BOUND}·max(1, |z|) of float64 on [-10, 10]`, () =>
      withDevice(async (device) => {
        const code = ACTIVATIONS.indexOf(activation);
        const forwardValues = product(B, parameters.length, B * N);
        const forward = matmulKernel('forward', forwardValues, { layer: 'hidden', activation: code });
        const [, , , z, , , , a] = await runKernel(
          device,
          forward,
          [packMatmulParams(forwardValues), x, parameters, B * N, x, parameters, hypers, B * N, ...GATHER_OFF],
          matmulInvocations(1, B, N),
        );
        expect(Array.from(z)).toEqual(Array.from(x));
        const ones = new Float32Array(B * N).fill(1);
        const inputValues = product(B, N * N, B * N);
        const input = matmulKernel('backwardInput', inputValues, { layer: 'hidden', activation: code });
        const [, , , derivative] = await runKernel(
          device,
          input,
          [packMatmulParams(inputValues), ones, identity, B * N, ones, identity, hypers, z],
          matmulInvocations(1, B, N),
        );
        let [worstValue, worstDerivative] = [0, 0];
        x.forEach((zv, i) => {
          const scale = Math.max(1, Math.abs(zv));
          worstValue = Math.max(worstValue, Math.abs(a[i] - ops.activate(activation, zv)) / scale);
          worstDerivative = Math.max(
            worstDerivative,
            Math.abs(derivative[i] - ops.activationDerivative(activation, zv)) / scale,
          );
        });
        console.log(
          `[kernel] ${activation} on [-10, 10]: max |GPU - float64| / max(1, |z|): value ${worstValue.toExponential(2)}, derivative ${worstDerivative.toExponential(2)}`,
        );
        expect(worstValue).toBeLessThanOrEqual(BOUND);
        expect(worstDerivative).toBeLessThanOrEqual(BOUND);
      }));
  }
});

describe('parameters_init, batch_gather and GATHER (counter-based randomness)', () => {
  for (const init of ['he', 'xavier'] as const) {
    it(`parameters_init draws the CPU's ${init} weights, zero in the padding and the biases`, () =>
      withDevice(async (device) => {
        const shape: PopulationShape = {
          inputs: 3,
          outputs: 2,
          hiddenLayers: 2,
          maxHidden: 17,
          activation: 'relu',
          loss: 'mse',
          init,
          batchSize: 1,
        };
        const models = [17, 5, 1].map((hiddenUnits, i) =>
          hyper({ hiddenUnits, initSeed: [1000, 0x7fffffff, 0xffffffff][i] }),
        );
        const PC = parameterCount(shape);
        // One dispatch per layer's weight block, as the dense layer kind records them; biases keep the buffer's zeros.
        let parameters: Float32Array = new Float32Array(models.length * PC);
        for (const layer of modelLayout(shape)) {
          const weights = layer.blocks[0];
          [, , parameters] = await runKernel(
            device,
            KERNELS.parametersInit,
            [
              packInitParams({
                models: models.length,
                model_stride: PC,
                offset: weights.offset,
                rows: weights.rows,
                cols: weights.cols,
                layer: layer.index,
                rows_masked: layer.index > 0 ? 1 : 0,
                cols_masked: layer.spec.kind === 'dense' && layer.spec.role === 'hidden' ? 1 : 0,
                fan_out_per_col: 1,
                xavier: init === 'xavier' ? 1 : 0,
                ones: 0,
              }),
              packModelHypers(models),
              parameters,
            ],
            models.length * weights.rows * weights.cols,
          );
        }
        models.forEach((model, p) => {
          const expected = ops.initParameters(shape, model);
          const actual = parameters.subarray(p * PC, (p + 1) * PC);
          expectClose(`parameters_init ${init} hidden ${model.hiddenUnits}`, actual, expected, 1e-5);
          expect(expected.every((value, i) => (value === 0) === (actual[i] === 0))).toBe(true);
        });
      }));
  }

  const dataSeeds = [0, 7, 0xffffffff];
  const STEPS = [0, 3, 7, 1000];
  /** The CPU's training rows of each model's batch at `step`, model after model. */
  const cpuBatchRows = (step: number, batchSize: number, n: number) =>
    dataSeeds.flatMap((seed) =>
      Array.from({ length: batchSize }, (_, b) => ops.batchSampleIndex(seed, step, b, batchSize, n)),
    );
  const asRows = (floats: Float32Array) => Array.from(new Uint32Array(floats.buffer, floats.byteOffset, floats.length));

  it('batch_gather notes the rows of the CPU data order, bit for bit, across epochs, and copies their first copy_width inputs', () =>
    withDevice(async (device) => {
      const [inputs, n, batchSize] = [2, 17, 5];
      const trainX = Float32Array.from({ length: n * inputs }, (_, i) => i);
      const hypers = packModelHypers(dataSeeds.map((dataSeed) => hyper({ dataSeed })));
      for (const copyWidth of [inputs, 0]) {
        const params = packGatherParams({
          models: dataSeeds.length,
          batch_size: batchSize,
          inputs,
          copy_width: copyWidth,
          train_count: n,
        });
        for (const step of STEPS) {
          const [, , , , batchX, batchRows] = await runKernel(
            device,
            KERNELS.batchGather,
            [
              params,
              packStepSlots(step, 1, 256),
              hypers,
              trainX,
              dataSeeds.length * batchSize * inputs,
              dataSeeds.length * batchSize,
            ],
            dataSeeds.length * batchSize,
          );
          const expectedRows = cpuBatchRows(step, batchSize, n);
          expect(asRows(batchRows), `step ${step}`).toEqual(expectedRows);
          expect(Array.from(batchX), `copy_width ${copyWidth}`).toEqual(
            copyWidth > 0
              ? expectedRows.flatMap((row) => [row * inputs, row * inputs + 1])
              : Array.from(batchX, () => 0),
          );
        }
      }
    }));

  // [batch, inputs, units]: scalar and vec4 kernels, a thin first layer (K = 2), one column block.
  const GATHER_SHAPES: Array<[number, number, number]> = [
    [5, 3, 17],
    [37, 2, 17],
    [37, 2, 32],
    [6, 4, 8],
    [9, 8, 1],
  ];
  for (const [B, K, N] of GATHER_SHAPES) {
    it(`GATHER: the first layer's forward and weight gradient read the batch's training rows in place (B=${B} K=${K} N=${N})`, () =>
      withDevice(async (device) => {
        const n = 23;
        const P = dataSeeds.length;
        const trainX = seeded(n * K, 11);
        const weights = seeded(P * K * N, 12);
        const dy = seeded(P * B * N, 13);
        const hypers = packModelHypers(dataSeeds.map((dataSeed) => hyper({ dataSeed })));
        const values = (bStride: number, cStride: number) => ({
          models: P,
          m: B,
          k: K,
          n: N,
          a_offset: 0,
          a_model_stride: 0,
          b_offset: 0,
          b_model_stride: bStride,
          c_offset: 0,
          c_model_stride: cStride,
          bias_offset: 0,
        });
        const forward = values(K * N, B * N);
        const weight = values(B * N, K * N);
        const forwardKernel = matmulKernel('forward', forward, undefined, true);
        const weightKernel = matmulKernel('backwardWeight', weight, undefined, true);
        for (const step of STEPS) {
          const rows = cpuBatchRows(step, B, n);
          const batchRows = new Float32Array(Uint32Array.from(rows).buffer);
          const [, , , y] = await runKernel(
            device,
            forwardKernel,
            [packMatmulParams(forward), trainX, weights, P * B * N, trainX, weights, hypers, 1, batchRows],
            matmulInvocations(P, B, N),
          );
          const [, , , dw] = await runKernel(
            device,
            weightKernel,
            [packMatmulParams(weight), trainX, dy, P * K * N, trainX, dy, batchRows],
            matmulInvocations(P, K, N),
          );
          for (let p = 0; p < P; p++) {
            const x = Float32Array.from(
              { length: B * K },
              (_, i) => trainX[rows[p * B + Math.floor(i / K)] * K + (i % K)],
            );
            const [expectY, expectDw] = [new Float32Array(B * N), new Float32Array(K * N)];
            ops.matmulForward(x, weights.subarray(p * K * N, (p + 1) * K * N), expectY, B, K, N);
            ops.matmulBackwardWeight(x, dy.subarray(p * B * N, (p + 1) * B * N), expectDw, B, K, N);
            expectClose(
              `${forwardKernel.name} step ${step} model ${p}`,
              y.subarray(p * B * N, (p + 1) * B * N),
              expectY,
            );
            expectClose(
              `${weightKernel.name} step ${step} model ${p}`,
              dw.subarray(p * K * N, (p + 1) * K * N),
              expectDw,
            );
          }
        }
      }));
  }
});
