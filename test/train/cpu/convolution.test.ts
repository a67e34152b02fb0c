import { describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import type { ConvGeometry } from '../../../src/train/cpu/convolution.ts';
import {
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dForward,
  pool2dBackward,
  pool2dForward,
} from '../../../src/train/cpu/convolution.ts';
import { modelViews, NetworkWorkspace, padParameters, unpaddedShape } from '../../../src/train/cpu/network.ts';
import {
  biasActivationForward,
  biasGradient,
  initParameters,
  softmaxCrossEntropy,
} from '../../../src/train/cpu/ops.ts';
import type { PoolMode } from '../../../src/train/layers.ts';
import { modelLayout } from '../../../src/train/layers.ts';
import type { PopulationShape } from '../../../src/train/types.ts';
import { modelHyper } from '../model-hyper.ts';
import { dot, GRADIENT_TOLERANCE, maxRelativeError, numericGradient, randomArray } from './gradient-check.ts';

describe('conv2d (stride 1, same padding)', () => {
  it('a centred one-hot 3×3 kernel copies the image; an all-ones kernel sums each zero-padded neighbourhood', () => {
    const image = Float64Array.from({ length: 12 }, (_, i) => i + 1); // 1 channel, 3 × 4
    const g: ConvGeometry = { channels: 1, height: 3, width: 4, filters: 2, kernel: 3 };
    const w = new Float64Array(9 * 2);
    w[4 * 2] = 1; // filter 0: centre tap
    for (let r = 0; r < 9; r++) w[r * 2 + 1] = 1; // filter 1: box sum
    const y = new Float64Array(2 * 12);
    conv2dForward(image, w, y, 1, g);
    expect(Array.from(y.subarray(0, 12))).toEqual(Array.from(image));
    // Corner (0, 0): 1 + 2 + 5 + 6; centre (1, 1): 1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11.
    expect(y[12]).toBe(14);
    expect(y[12 + 5]).toBe(54);
  });

  for (const [kernel, C, F, Hh, W] of [
    [3, 3, 2, 5, 5],
    [5, 2, 3, 4, 6],
    [5, 1, 1, 1, 3],
  ] as const) {
    it(`k=${kernel}, ${C}→${F} channels on ${Hh}×${W}: input and weight gradients match finite differences`, () => {
      const B = 2;
      const g: ConvGeometry = { channels: C, height: Hh, width: W, filters: F, kernel };
      const x = randomArray(B * C * Hh * W, 1);
      const w = randomArray(C * kernel * kernel * F, 2);
      const r = randomArray(B * F * Hh * W, 3);
      const y = new Float64Array(r.length);
      const loss = () => {
        conv2dForward(x, w, y, B, g);
        return dot(y, r);
      };
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      conv2dBackwardInput(r, w, dx, B, g);
      conv2dBackwardWeight(x, r, dw, B, g);
      expect(maxRelativeError(dx, numericGradient(x, loss))).toBeLessThan(GRADIENT_TOLERANCE);
      expect(maxRelativeError(dw, numericGradient(w, loss))).toBeLessThan(GRADIENT_TOLERANCE);
    });
  }

  it("the channel bias's gradient sums its filter's whole plane (biasGradient with repeat)", () => {
    const [B, F, plane] = [3, 2, 5];
    const pre = randomArray(B * F * plane, 4);
    const bias = randomArray(F, 5);
    const r = randomArray(pre.length, 6);
    const z = new Float64Array(pre.length);
    const a = new Float64Array(pre.length);
    const loss = () => {
      biasActivationForward(pre, bias, 'tanh', z, a, B, F * plane, F * plane, plane);
      return dot(a, r);
    };
    loss();
    const dz = Float64Array.from(r, (v, i) => v * (1 - a[i] * a[i]));
    const db = new Float64Array(F);
    biasGradient(dz, db, B, F * plane, plane);
    expect(maxRelativeError(db, numericGradient(bias, loss))).toBeLessThan(GRADIENT_TOLERANCE);
  });
});

describe('pool2d (2×2, stride 2)', () => {
  it('max takes the first maximum in row-major order, avg the mean; an odd last row and column are dropped', () => {
    // 1 channel 3 × 5: windows (0,0) [1 7 / 7 0] and (0,1) [2 3 / 4 4].
    const x = Float64Array.from([1, 7, 2, 3, 9, 7, 0, 4, 4, 9, 9, 9, 9, 9, 9]);
    const y = new Float64Array(2);
    pool2dForward(x, y, 1, 1, 3, 5, 'max');
    expect(Array.from(y)).toEqual([7, 4]);
    pool2dForward(x, y, 1, 1, 3, 5, 'avg');
    expect(Array.from(y)).toEqual([15 / 4, 13 / 4]);
    const dx = new Float64Array(15).fill(5);
    pool2dBackward(x, Float64Array.from([10, 20]), dx, 1, 1, 3, 5, 'max');
    // The tie 7 / 7 sends the gradient to the first (row 0); 4 / 4 to row 1, column 2.
    expect(Array.from(dx)).toEqual([0, 10, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0]);
  });

  for (const mode of ['max', 'avg'] as PoolMode[]) {
    it(`${mode}: the input gradient matches finite differences on 3 channels of 5×7`, () => {
      const [B, C, Hh, W] = [2, 3, 5, 7];
      const x = randomArray(B * C * Hh * W, 7); // distinct values: no ties, max is differentiable
      const r = randomArray(B * C * 2 * 3, 8);
      const y = new Float64Array(r.length);
      const loss = () => {
        pool2dForward(x, y, B, C, Hh, W, mode);
        return dot(y, r);
      };
      const dx = new Float64Array(x.length);
      pool2dBackward(x, r, dx, B, C, Hh, W, mode);
      expect(maxRelativeError(dx, numericGradient(x, loss))).toBeLessThan(GRADIENT_TOLERANCE);
    });
  }
});

const hyper = modelHyper({ hiddenUnits: 3, optimizer: 'sgd', initSeed: 3, dataSeed: 4 });

/** conv(3, 3×3, tanh) → max-pool → conv(2, 5×5, gelu) → avg-pool → flatten → dense(4 wide, 3 used, relu) → 3 classes on 2×6×5 images. */
const cnn: PopulationShape = {
  inputs: 60,
  outputs: 3,
  hiddenLayers: 0,
  maxHidden: 4,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: 3,
  image: { channels: 2, height: 6, width: 5 },
  layers: [
    { kind: 'conv2d', filters: 3, kernel: 3, activation: 'tanh' },
    { kind: 'pool2d', mode: 'max' },
    { kind: 'conv2d', filters: 2, kernel: 5, activation: 'gelu' },
    { kind: 'pool2d', mode: 'avg' },
    { kind: 'flatten' },
    { kind: 'dense', activation: 'relu' },
  ],
};

describe('a CNN through the network workspace', () => {
  it('lays out 6×5 → 3×2 → 1×1 images and places every parameter block', () => {
    const layout = modelLayout(cnn);
    expect(layout.map(({ output }) => [output.channels, output.height, output.width])).toEqual([
      [3, 6, 5],
      [3, 3, 2],
      [2, 3, 2],
      [2, 1, 1],
      [2, 1, 1],
      [4, 1, 1],
      [3, 1, 1],
    ]);
    expect(layout[2].blocks.map(({ rows, cols }) => [rows, cols])).toEqual([
      [3 * 25, 2],
      [1, 2],
    ]);
  });

  it('whole-network gradients match finite differences (float64)', () => {
    const B = cnn.batchSize;
    const params = Float64Array.from(initParameters(cnn, hyper));
    // Non-zero biases so their gradients are exercised (the padded unit's stays 0).
    for (const layer of modelLayout(cnn))
      for (const { name, offset, cols } of layer.blocks)
        if (name === 'bias')
          for (let j = 0; j < Math.min(3, cols); j++) params[offset + j] = 0.2 * uniform(9, offset, j);
    const x = randomArray(B * cnn.inputs, 10);
    const labels = Float64Array.from({ length: B }, (_, i) => i % 3);
    const workspace = new NetworkWorkspace(cnn, B, 'float64');
    const views = modelViews(cnn, params);
    const loss = () =>
      softmaxCrossEntropy(workspace.forward(views, hyper.hiddenUnits, x, B), labels, workspace.outputGradient, B, 3)
        .loss;
    loss();
    workspace.backward(views, hyper.hiddenUnits, x, B);
    const analytic = Float64Array.from(workspace.gradients);
    const numeric = numericGradient(params, loss);
    const error = maxRelativeError(analytic, numeric);
    console.log(`[cnn] whole-network gradient: max relative error ${error.toExponential(2)} over ${params.length}`);
    expect(error).toBeLessThan(GRADIENT_TOLERANCE);
    expect(analytic.some((v) => v !== 0)).toBe(true);
  });

  it('a dense layer padded from 3 to 4 units after the convolutions changes nothing (float32, bit for bit)', () => {
    const B = cnn.batchSize;
    const narrow = unpaddedShape(cnn, 3);
    const x = Float32Array.from({ length: B * cnn.inputs }, (_, i) => 2 * uniform(11, i) - 1);
    const labels = Float32Array.from({ length: B }, (_, i) => i % 3);
    const run = (shape: PopulationShape) => {
      const params = initParameters(shape, hyper);
      const workspace = new NetworkWorkspace(shape, B);
      const views = modelViews(shape, params);
      const { loss } = softmaxCrossEntropy(workspace.forward(views, 3, x, B), labels, workspace.outputGradient, B, 3);
      workspace.backward(views, 3, x, B);
      return { params, loss, gradients: Float32Array.from(workspace.gradients) };
    };
    const a = run(narrow);
    const b = run(cnn);
    expect(b.params).toEqual(padParameters(cnn, 3, a.params));
    expect(b.loss).toBe(a.loss);
    expect(b.gradients).toEqual(padParameters(cnn, 3, a.gradients));
  });
});
