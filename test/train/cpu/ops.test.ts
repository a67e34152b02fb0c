import { describe, expect, it } from 'vitest';
import { normal, permuteIndex, hash32, uniform } from '../../../src/search/random';
import {
  activate,
  activationBackward,
  batchSampleIndex,
  biasActivationForward,
  biasGradient,
  initParameters,
  learningRateAt,
  matmulBackwardInput,
  matmulBackwardWeight,
  matmulForward,
  meanSquaredError,
  optimizerStep,
  softmaxCrossEntropy,
} from '../../../src/train/cpu/ops';
import { ACTIVATIONS, parameterLayout } from '../../../src/train/types';
import type { ModelHyper, PopulationShape } from '../../../src/train/types';

// Gradient checks run the ops in float64 with central differences (step H): the error of
// a central difference is O(H²·f''') + O(ε/H), so 1e-6 relative is tight yet safe.
const H = 1e-5;
const GRADIENT_TOLERANCE = 1e-6;

function randomArray(length: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from({ length }, (_, i) => (2 * uniform(seed, i) - 1) * scale);
}

/** Max over i of |analytic - numeric| / max(1, |numeric|). */
function maxRelativeError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < numeric.length; i++) worst = Math.max(worst, Math.abs(analytic[i] - numeric[i]) / Math.max(1, Math.abs(numeric[i])));
  return worst;
}

/** Central-difference gradient of scalar f with respect to every entry of x (x is perturbed in place and restored). */
function numericGradient(x: Float64Array, f: () => number): Float64Array {
  return Float64Array.from(x, (value, i) => {
    x[i] = value + H;
    const plus = f();
    x[i] = value - H;
    const minus = f();
    x[i] = value;
    return (plus - minus) / (2 * H);
  });
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

const hyper = (overrides: Partial<ModelHyper>): ModelHyper => ({
  hiddenUnits: 4,
  optimizer: 'sgd',
  learningRate: 0.1,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  decay: 'none',
  decayRate: 0,
  decayEvery: 1,
  initSeed: 1,
  dataSeed: 2,
  ...overrides,
});

describe('matmul', () => {
  it.each([
    [1, 1, 1],
    [3, 17, 5],
    [4, 1, 65],
    [2, 130, 3],
  ])('forward equals the naive float64 product and both backward passes match finite differences (B=%i K=%i N=%i)', (B, K, N) => {
    const x = randomArray(B * K, 1);
    const w = randomArray(K * N, 2);
    const y = new Float64Array(B * N);
    matmulForward(x, w, y, B, K, N);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += x[b * K + k] * w[k * N + n];
        expect(y[b * N + n]).toBeCloseTo(sum, 12);
      }
    }
    // Scalar loss L = Σ y ⊙ R, so dL/dy = R.
    const R = randomArray(B * N, 3);
    const loss = () => {
      matmulForward(x, w, y, B, K, N);
      return dot(y, R);
    };
    const dx = new Float64Array(B * K);
    const dw = new Float64Array(K * N).fill(99); // overwritten, not accumulated
    matmulBackwardInput(R, w, dx, B, K, N);
    matmulBackwardWeight(x, R, dw, B, K, N);
    expect(maxRelativeError(dx, numericGradient(x, loss))).toBeLessThan(GRADIENT_TOLERANCE);
    expect(maxRelativeError(dw, numericGradient(w, loss))).toBeLessThan(GRADIENT_TOLERANCE);
  });

  it('stores float64 sums into float32 outputs (error at float32 rounding only)', () => {
    const [B, K, N] = [3, 130, 17];
    const x = Float32Array.from(randomArray(B * K, 4));
    const w = Float32Array.from(randomArray(K * N, 5));
    const y = new Float32Array(B * N);
    matmulForward(x, w, y, B, K, N);
    const exact = new Float64Array(B * N);
    matmulForward(Float64Array.from(x), Float64Array.from(w), exact, B, K, N);
    for (let i = 0; i < y.length; i++) expect(y[i]).toBe(Math.fround(exact[i]));
  });
});

describe('bias + activation', () => {
  const [B, N, width] = [3, 7, 5];
  it.each(ACTIVATIONS)('%s: forward adds the bias, masks padding columns, and its backward matches finite differences', (activation) => {
    // Keep inputs away from relu's kink at 0 so the central difference never straddles it.
    const pre = randomArray(B * N, 6, 2).map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
    const bias = new Float64Array(N);
    const z = new Float64Array(B * N);
    const a = new Float64Array(B * N);
    const R = randomArray(B * N, 7);
    biasActivationForward(pre, randomArray(N, 8, 0.01), activation, z, a, B, N, width);
    for (let b = 0; b < B; b++) {
      for (let j = width; j < N; j++) {
        expect(z[b * N + j]).toBe(0);
        expect(a[b * N + j]).toBe(0);
      }
    }
    const loss = () => {
      biasActivationForward(pre, bias, activation, z, a, B, N, width);
      return dot(a, R);
    };
    loss();
    const dz = new Float64Array(B * N);
    activationBackward(z, R, activation, dz, B, N, width);
    const numeric = numericGradient(pre, loss);
    expect(maxRelativeError(dz, numeric)).toBeLessThan(GRADIENT_TOLERANCE);
    const db = new Float64Array(N);
    biasGradient(dz, db, B, N);
    expect(maxRelativeError(db, numericGradient(bias, loss))).toBeLessThan(GRADIENT_TOLERANCE);
    for (let j = width; j < N; j++) expect(db[j]).toBe(0);
  });

  it('uses the published formulas at known points', () => {
    expect(activate('leaky_relu', -2)).toBeCloseTo(-0.02, 15);
    expect(activate('sigmoid', 0)).toBe(0.5);
    // gelu tanh approximation at z = 1: 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.841192
    expect(activate('gelu', 1)).toBeCloseTo(0.8411919906, 9);
    expect(activate('relu', -1)).toBe(0);
  });
});

describe('losses', () => {
  it('softmax cross-entropy: value, accuracy, gradient by finite differences, stable for huge logits', () => {
    const [B, C] = [4, 3];
    const logits = randomArray(B * C, 9, 3);
    const labels = Float64Array.from([0, 2, 1, 2]);
    const dlogits = new Float64Array(B * C);
    const { loss, correct } = softmaxCrossEntropy(logits, labels, dlogits, B, C);
    let expected = 0;
    let expectedCorrect = 0;
    for (let b = 0; b < B; b++) {
      const row = Array.from(logits.subarray(b * C, b * C + C));
      expected -= Math.log(Math.exp(row[labels[b]]) / row.reduce((s, v) => s + Math.exp(v), 0));
      if (row.indexOf(Math.max(...row)) === labels[b]) expectedCorrect++;
    }
    expect(loss).toBeCloseTo(expected / B, 12);
    expect(correct).toBe(expectedCorrect);
    const scratch = new Float64Array(B * C);
    const numeric = numericGradient(logits, () => softmaxCrossEntropy(logits, labels, scratch, B, C).loss);
    expect(maxRelativeError(dlogits, numeric)).toBeLessThan(GRADIENT_TOLERANCE);

    const huge = Float64Array.from([1000, -1000, 0, 1e4, 1e4 - 1, 0]);
    const result = softmaxCrossEntropy(huge, Float64Array.from([1, 0]), new Float64Array(6), 2, 3);
    expect(result.loss).toBeCloseTo((2000 + Math.log1p(Math.exp(-1) + Math.exp(-1e4))) / 2, 9);
    expect(result.correct).toBe(1);
  });

  it('mean squared error: value and gradient by finite differences', () => {
    const [B, O] = [3, 2];
    const pred = randomArray(B * O, 10);
    const target = randomArray(B * O, 11);
    const dpred = new Float64Array(B * O);
    const { loss } = meanSquaredError(pred, target, dpred, B, O);
    expect(loss).toBeCloseTo(pred.reduce((s, p, i) => s + (p - target[i]) ** 2, 0) / (B * O), 14);
    const numeric = numericGradient(pred, () => meanSquaredError(pred, target, new Float64Array(B * O), B, O).loss);
    expect(maxRelativeError(dpred, numeric)).toBeLessThan(GRADIENT_TOLERANCE);
  });
});

describe('optimizer step (hand-computed, two steps, weight decay 0.1)', () => {
  // One parameter w0 = 1 with gradients 0.5 then -0.25; lr = 0.1, wd = 0.1.
  const run = (h: ModelHyper) => {
    const p = Float32Array.of(1);
    const m = new Float32Array(1);
    const v = new Float32Array(1);
    optimizerStep(p, Float32Array.of(0.5), m, v, h, 0.1, 1);
    const first = p[0];
    optimizerStep(p, Float32Array.of(-0.25), m, v, h, 0.1, 2);
    return [first, p[0], m[0], v[0]];
  };
  const common = { learningRate: 0.1, weightDecay: 0.1, beta1: 0.9, beta2: 0.99, epsilon: 1e-3 };

  it('sgd: w -= lr·g + lr·wd·w', () => {
    const w1 = 1 - 0.1 * 0.5 - 0.01 * 1; // 0.94
    const w2 = w1 + 0.1 * 0.25 - 0.01 * w1;
    const [first, second] = run(hyper({ ...common, optimizer: 'sgd' }));
    expect(first).toBeCloseTo(w1, 6);
    expect(second).toBeCloseTo(w2, 6);
  });

  it('momentum (EMA form): v = β v + (1-β) g', () => {
    const v1 = 0.1 * 0.5;
    const w1 = 1 - 0.1 * v1 - 0.01;
    const v2 = 0.9 * v1 + 0.1 * -0.25;
    const w2 = w1 - 0.1 * v2 - 0.01 * w1;
    const [first, second, m] = run(hyper({ ...common, optimizer: 'momentum' }));
    expect(first).toBeCloseTo(w1, 6);
    expect(second).toBeCloseTo(w2, 6);
    expect(m).toBeCloseTo(v2, 7);
  });

  it('rmsprop: s = β2 s + (1-β2) g², w -= lr g / (√s + ε)', () => {
    const s1 = 0.01 * 0.25;
    const w1 = 1 - (0.1 * 0.5) / (Math.sqrt(s1) + 1e-3) - 0.01;
    const s2 = 0.99 * s1 + 0.01 * 0.0625;
    const w2 = w1 - (0.1 * -0.25) / (Math.sqrt(s2) + 1e-3) - 0.01 * w1;
    const [first, second, , v] = run(hyper({ ...common, optimizer: 'rmsprop' }));
    expect(first).toBeCloseTo(w1, 5);
    expect(second).toBeCloseTo(w2, 5);
    expect(v).toBeCloseTo(s2, 8);
  });

  it('adam with bias correction and decoupled weight decay (AdamW)', () => {
    const m1 = 0.05;
    const s1 = 0.0025;
    // Step 1: m̂ = g, ŝ = g², so the update is lr·g/(|g| + ε).
    const w1 = 1 - (0.1 * (m1 / 0.1)) / (Math.sqrt(s1 / 0.01) + 1e-3) - 0.01;
    expect(w1).toBeCloseTo(1 - 0.1 * (0.5 / 0.501) - 0.01, 12);
    const m2 = 0.9 * m1 + 0.1 * -0.25;
    const s2 = 0.99 * s1 + 0.01 * 0.0625;
    const w2 = w1 - (0.1 * (m2 / (1 - 0.81))) / (Math.sqrt(s2 / (1 - 0.9801)) + 1e-3) - 0.01 * w1;
    const [first, second, m, v] = run(hyper({ ...common, optimizer: 'adam' }));
    expect(first).toBeCloseTo(w1, 6);
    expect(second).toBeCloseTo(w2, 6);
    expect(m).toBeCloseTo(m2, 7);
    expect(v).toBeCloseTo(s2, 8);
  });

  it('leaves zero-gradient zero weights (the padding) exactly zero for every optimizer', () => {
    for (const optimizer of ['sgd', 'momentum', 'rmsprop', 'adam'] as const) {
      const p = new Float32Array(3);
      optimizerStep(p, new Float32Array(3), new Float32Array(3), new Float32Array(3), hyper({ ...common, optimizer }), 0.1, 1);
      expect(Array.from(p)).toEqual([0, 0, 0]);
    }
  });
});

describe('learning-rate schedules', () => {
  // batch 10 over 100 training rows: one epoch per 10 steps; 200 steps in all.
  const at = (h: Partial<ModelHyper>, step: number) => learningRateAt(hyper({ learningRate: 0.5, ...h }), step, 10, 100, 200);
  it('none keeps α0', () => expect(at({ decay: 'none', decayRate: 3 }, 150)).toBe(0.5));
  it('inverse_time: α0 / (1 + k·epoch)', () => {
    expect(at({ decay: 'inverse_time', decayRate: 0.5 }, 9)).toBe(0.5);
    expect(at({ decay: 'inverse_time', decayRate: 0.5 }, 35)).toBeCloseTo(0.5 / 2.5, 15);
  });
  it('exponential: α0 · k^epoch', () => expect(at({ decay: 'exponential', decayRate: 0.9 }, 35)).toBeCloseTo(0.5 * 0.729, 15));
  it('step: α0 · k^floor(epoch / decayEvery)', () => {
    expect(at({ decay: 'step', decayRate: 0.1, decayEvery: 2 }, 19)).toBe(0.5);
    expect(at({ decay: 'step', decayRate: 0.1, decayEvery: 2 }, 20)).toBeCloseTo(0.05, 15);
    expect(at({ decay: 'step', decayRate: 0.1, decayEvery: 2 }, 45)).toBeCloseTo(0.005, 15);
  });
  it('cosine: α0 · ½(1 + cos(π·step/total))', () => {
    expect(at({ decay: 'cosine' }, 0)).toBe(0.5);
    expect(at({ decay: 'cosine' }, 100)).toBeCloseTo(0.25, 15);
    expect(at({ decay: 'cosine' }, 200)).toBeCloseTo(0, 15);
  });
});

describe('initParameters', () => {
  const shape: PopulationShape = {
    inputs: 20, outputs: 10, hiddenLayers: 2, maxHidden: 96, activation: 'relu', loss: 'softmax_cross_entropy', init: 'he', batchSize: 8,
  };

  it.each(['he', 'xavier'] as const)('%s: weights are normal(initSeed, l, i, j)·scale from logical widths, padding and biases 0, variance as specified', (init) => {
    const units = 80;
    const params = initParameters({ ...shape, init }, hyper({ hiddenUnits: units, initSeed: 42 }));
    const widths = [20, units, units, 10];
    parameterLayout(shape).forEach(({ weights, bias, rows, cols }, l) => {
      const [fanIn, fanOut] = [widths[l], widths[l + 1]];
      const variance = init === 'he' ? 2 / fanIn : 2 / (fanIn + fanOut);
      const scale = Math.sqrt(variance);
      let sumSq = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const value = params[weights + i * cols + j];
          if (i >= fanIn || j >= fanOut) expect(value).toBe(0);
          else {
            expect(value).toBe(Math.fround(normal(42, l, i, j) * scale));
            sumSq += value * value;
          }
        }
      }
      // Sample variance of fanIn·fanOut >= 800 draws: within 15% of the target (> 4 standard errors).
      expect(sumSq / (fanIn * fanOut) / variance).toBeGreaterThan(0.85);
      expect(sumSq / (fanIn * fanOut) / variance).toBeLessThan(1.15);
      for (let j = 0; j < cols; j++) expect(params[bias + j]).toBe(0);
    });
  });
});

describe('batchSampleIndex', () => {
  it('follows the data-order rule and visits every row once per epoch', () => {
    const [n, batch] = [37, 5];
    const seen = new Map<number, number[]>();
    for (let step = 0; step < 30; step++) {
      for (let b = 0; b < batch; b++) {
        const p = step * batch + b;
        const row = batchSampleIndex(9, step, b, batch, n);
        expect(row).toBe(permuteIndex(p % n, n, hash32(9, Math.floor(p / n))));
        const epoch = Math.floor(p / n);
        seen.set(epoch, [...(seen.get(epoch) ?? []), row]);
      }
    }
    for (const [epoch, rows] of seen) if (rows.length === n) expect(new Set(rows).size, `epoch ${epoch}`).toBe(n);
    expect(seen.get(0)).not.toEqual(seen.get(1));
  });
});
