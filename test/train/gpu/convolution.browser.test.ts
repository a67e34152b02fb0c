// The image-layer kernels (conv2d forward, input and weight gradients; 2×2 max and average
// pooling forward and backward) against their CPU references (src/train/cpu/convolution.ts)
// on odd shapes (1, 3, 17, 65 channels; 5×5 and 28×28 images), batched over models at
// their own offsets and strides. Each logs its max difference; floats agree within 1e-4 of
// the largest reference value.
import { describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import * as conv from '../../../src/train/cpu/convolution.ts';
import * as ops from '../../../src/train/cpu/ops.ts';
import { KERNELS, specialise } from '../../../src/train/gpu/kernels.ts';
import { packConvParams, packPoolParams } from '../../../src/train/gpu/structs.ts';
import type { PoolMode } from '../../../src/train/layers.ts';
import type { Activation } from '../../../src/train/types.ts';
import { ACTIVATIONS } from '../../../src/train/types.ts';
import { relativeError, withDevice } from './gpu-test-device.ts';
import { runKernel } from './kernel-runner.ts';

const TOLERANCE = 1e-4;
const MODELS = 2;

function seeded(length: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, (_, i) => (uniform(seed, i) * 2 - 1) * scale);
}

function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const { maxAbs, relative } = relativeError(actual, expected);
  console.log(`[kernel] ${what}: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`);
  expect(relative, what).toBeLessThanOrEqual(TOLERANCE);
}

/** Model m's block of `size` floats starting at offset + m × stride. */
const slice = (a: Float32Array, m: number, size: number, stride: number, offset = 0) =>
  a.subarray(offset + m * stride, offset + m * stride + size);

interface ConvCase {
  channels: number;
  filters: number;
  size: number;
  kernel: 3 | 5;
  rows: number;
  activation: Activation;
}

const CONV_CASES: ConvCase[] = [
  { channels: 1, filters: 3, size: 5, kernel: 3, rows: 3, activation: 'relu' },
  { channels: 3, filters: 17, size: 5, kernel: 5, rows: 2, activation: 'gelu' },
  { channels: 65, filters: 1, size: 5, kernel: 3, rows: 2, activation: 'tanh' },
  { channels: 17, filters: 65, size: 5, kernel: 5, rows: 1, activation: 'sigmoid' },
  { channels: 1, filters: 17, size: 28, kernel: 5, rows: 2, activation: 'leaky_relu' },
  { channels: 3, filters: 1, size: 28, kernel: 3, rows: 1, activation: 'gelu_tanh' },
];

describe('conv2d kernels against the CPU reference', () => {
  for (const c of CONV_CASES) {
    const { channels: C, filters: F, size: S, kernel: k, rows: B, activation } = c;
    const g: conv.ConvGeometry = { channels: C, height: S, width: S, filters: F, kernel: k };
    const plane = S * S;
    const [inSize, outSize, taps] = [C * plane, F * plane, C * k * k];
    // Per model: the input rows after an offset of 3 floats, parameters with 5 floats before the weights.
    const xOffset = 3;
    const xStride = B * inSize + 7;
    const [weightOffset, biasOffset] = [5, 5 + taps * F];
    const paramStride = biasOffset + F + 2;
    const yStride = B * outSize + 4;
    const params = (extra: { x_offset: number; x_model_stride: number }) =>
      packConvParams({
        models: MODELS,
        rows: B,
        channels: C,
        height: S,
        width: S,
        filters: F,
        kernel: k,
        y_model_stride: yStride,
        param_model_stride: paramStride,
        weight_offset: weightOffset,
        bias_offset: biasOffset,
        ...extra,
      });
    const label = `${C}→${F} channels, ${S}×${S}, k=${k}, ${B} rows`;

    it(`forward with bias and ${activation}: ${label}`, () =>
      withDevice(async (device) => {
        const x = seeded(xOffset + MODELS * xStride, 1);
        const parameters = seeded(MODELS * paramStride, 2, 0.5);
        const entry = specialise(KERNELS.conv2dForward, { ACTIVATION: ACTIVATIONS.indexOf(activation) });
        const [, , , z, a] = await runKernel(
          device,
          entry,
          [params({ x_offset: xOffset, x_model_stride: xStride }), x, parameters, MODELS * yStride, MODELS * yStride],
          MODELS * B * outSize,
        );
        for (let m = 0; m < MODELS; m++) {
          const p = slice(parameters, m, paramStride, paramStride);
          const pre = new Float32Array(B * outSize);
          conv.conv2dForward(slice(x, m, B * inSize, xStride, xOffset), p.subarray(weightOffset), pre, B, g);
          const [ez, ea] = [new Float32Array(B * outSize), new Float32Array(B * outSize)];
          ops.biasActivationForward(pre, p.subarray(biasOffset), activation, ez, ea, B, outSize, outSize, plane);
          expectClose(`conv2d forward z, model ${m}, ${label}`, slice(z, m, B * outSize, yStride), ez);
          expectClose(`conv2d forward a, model ${m}, ${label}`, slice(a, m, B * outSize, yStride), ea);
        }
      }));

    it(`input gradient through the previous layer's ${activation}: ${label}`, () =>
      withDevice(async (device) => {
        const dy = seeded(MODELS * yStride, 3);
        const parameters = seeded(MODELS * paramStride, 4, 0.5);
        // What the previous layer kept: its activations (or z for the gelus).
        const zPrevious = seeded(MODELS * xStride, 5, 2);
        const keepsZ = activation === 'gelu' || activation === 'gelu_tanh';
        const kept = keepsZ ? zPrevious : zPrevious.map((v) => ops.activate(activation, v));
        const entry = specialise(KERNELS.conv2dBackwardInput, {
          EPILOGUE: 1,
          ACTIVATION: ACTIVATIONS.indexOf(activation),
        });
        const [, , , dx] = await runKernel(
          device,
          entry,
          [params({ x_offset: 0, x_model_stride: xStride }), dy, parameters, MODELS * xStride, kept],
          MODELS * B * inSize,
        );
        for (let m = 0; m < MODELS; m++) {
          const p = slice(parameters, m, paramStride, paramStride);
          const da = new Float32Array(B * inSize);
          conv.conv2dBackwardInput(slice(dy, m, B * outSize, yStride), p.subarray(weightOffset), da, B, g);
          const expected = new Float32Array(B * inSize);
          ops.activationBackward(slice(zPrevious, m, B * inSize, xStride), da, activation, expected, B, inSize, inSize);
          expectClose(`conv2d input gradient, model ${m}, ${label}`, slice(dx, m, B * inSize, xStride), expected);
        }
      }));

    it(`weight and bias gradients: ${label}`, () =>
      withDevice(async (device) => {
        const x = seeded(xOffset + MODELS * xStride, 6);
        const dy = seeded(MODELS * yStride, 7);
        const [, , , gradients] = await runKernel(
          device,
          KERNELS.conv2dBackwardWeight,
          [params({ x_offset: xOffset, x_model_stride: xStride }), x, dy, MODELS * paramStride],
          MODELS * (taps + 1) * F,
        );
        for (let m = 0; m < MODELS; m++) {
          const dw = new Float32Array(taps * F);
          const db = new Float32Array(F);
          const dyModel = slice(dy, m, B * outSize, yStride);
          conv.conv2dBackwardWeight(slice(x, m, B * inSize, xStride, xOffset), dyModel, dw, B, g);
          ops.biasGradient(dyModel, db, B, outSize, plane);
          const actual = slice(gradients, m, paramStride, paramStride);
          expectClose(`conv2d weight gradient, model ${m}, ${label}`, actual.subarray(weightOffset, biasOffset), dw);
          expectClose(`conv2d bias gradient, model ${m}, ${label}`, actual.subarray(biasOffset, biasOffset + F), db);
          expect(actual.subarray(0, weightOffset).every((v) => v === 0)).toBe(true);
        }
      }));
  }
});

describe('2×2 pooling kernels against the CPU reference', () => {
  const POOL_CASES = [
    { channels: 1, height: 5, width: 5, rows: 3 },
    { channels: 3, height: 28, width: 28, rows: 2 },
    { channels: 17, height: 5, width: 7, rows: 2 },
    { channels: 65, height: 6, width: 5, rows: 1 },
  ];
  for (const mode of ['max', 'avg'] as PoolMode[]) {
    for (const { channels: C, height: Hh, width: W, rows: B } of POOL_CASES) {
      const label = `${mode}, ${C} channels, ${Hh}×${W}, ${B} rows`;
      const [inSize, outSize] = [C * Hh * W, C * Math.floor(Hh / 2) * Math.floor(W / 2)];
      const xOffset = 2;
      const xStride = B * inSize + 3;
      const yStride = B * outSize + 5;
      const params = (x_offset: number) =>
        packPoolParams({
          models: MODELS,
          rows: B,
          channels: C,
          height: Hh,
          width: W,
          x_offset,
          x_model_stride: xStride,
          y_model_stride: yStride,
        });
      // Ties on purpose in max mode (values on a coarse grid): the first maximum must win on both sides.
      const input = (seed: number, at: number) => {
        const x = seeded(at + MODELS * xStride, seed);
        return mode === 'max' ? x.map((v) => Math.round(v * 4) / 4) : x;
      };

      it(`forward: ${label}`, () =>
        withDevice(async (device) => {
          const x = input(8, xOffset);
          const [, , y] = await runKernel(
            device,
            specialise(KERNELS.pool2dForward, { MODE: mode === 'max' ? 0 : 1 }),
            [params(xOffset), x, MODELS * yStride],
            MODELS * B * outSize,
          );
          for (let m = 0; m < MODELS; m++) {
            const expected = new Float32Array(B * outSize);
            conv.pool2dForward(slice(x, m, B * inSize, xStride, xOffset), expected, B, C, Hh, W, mode);
            expectClose(`pool forward, model ${m}, ${label}`, slice(y, m, B * outSize, yStride), expected);
          }
        }));

      it(`input gradient, plain and through the previous layer's relu: ${label}`, () =>
        withDevice(async (device) => {
          const x = input(9, 0);
          const dy = seeded(MODELS * yStride, 10);
          const relu = ACTIVATIONS.indexOf('relu');
          for (const epilogue of [false, true]) {
            const entry = specialise(KERNELS.pool2dBackward, {
              MODE: mode === 'max' ? 0 : 1,
              ...(epilogue ? { EPILOGUE: 1, ACTIVATION: relu } : {}),
            });
            // The previous layer's kept activations are the pool's input itself (relu: a > 0 iff z > 0).
            const [, , , dx] = await runKernel(
              device,
              entry,
              [params(0), x, dy, MODELS * xStride, x],
              MODELS * B * inSize,
            );
            for (let m = 0; m < MODELS; m++) {
              const xModel = slice(x, m, B * inSize, xStride);
              const expected = new Float32Array(B * inSize);
              conv.pool2dBackward(xModel, slice(dy, m, B * outSize, yStride), expected, B, C, Hh, W, mode);
              if (epilogue) ops.activationBackward(xModel, expected, 'relu', expected, B, inSize, inSize);
              const what = `pool input gradient${epilogue ? ' through relu' : ''}, model ${m}, ${label}`;
              expectClose(what, slice(dx, m, B * inSize, xStride), expected);
            }
          }
        }));
    }
  }
});
