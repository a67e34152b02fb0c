import { describe, expect, it } from 'vitest';
import { hash32, normal, permuteIndex } from '../../../src/search/random.ts';
import {
  activate,
  activationBackward,
  activationDerivative,
  batchSampleIndex,
  biasActivationForward,
  biasGradient,
  erf,
  erfc,
  initParameters,
  learningRateAt,
  matmulBackwardInput,
  matmulBackwardWeight,
  matmulForward,
  meanSquaredError,
  optimizerStep,
  softmaxCrossEntropy,
} from '../../../src/train/cpu/ops.ts';
import type { ModelHyper, PopulationShape } from '../../../src/train/types.ts';
import { ACTIVATIONS, parameterLayout } from '../../../src/train/types.ts';
import { modelHyper } from '../model-hyper.ts';
import { GELU_TANH_VALUES, GELU_VALUES, GRADIENTS, PYTORCH_STEPS, W0 } from '../pytorch-reference.ts';
import { dot, GRADIENT_TOLERANCE, H, maxRelativeError, numericGradient, randomArray } from './gradient-check.ts';

const hyper = (overrides: Partial<ModelHyper>): ModelHyper =>
  modelHyper({ hiddenUnits: 4, optimizer: 'sgd', learningRate: 0.1, initSeed: 1, dataSeed: 2, ...overrides });

describe('matmul', () => {
  it.each([
    [1, 1, 1],
    [3, 17, 5],
    [4, 1, 65],
    [2, 130, 3],
  ])(
    'forward equals the naive float64 product and both backward passes match finite differences (B=%i K=%i N=%i)',
    (B, K, N) => {
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
    },
  );

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
  it.each(ACTIVATIONS)(
    '%s: forward adds the bias, masks padding columns, and its backward matches finite differences',
    (activation) => {
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
    },
  );

  it('uses the published formulas at known points', () => {
    expect(activate('leaky_relu', -2)).toBeCloseTo(-0.02, 15);
    expect(activate('sigmoid', 0)).toBe(0.5);
    expect(activate('relu', -1)).toBe(0);
  });
});

describe('erf and the gelus (exact, and the tanh form)', () => {
  const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

  it('erf within 1e-15 and erfc within 2e-13 (relative) of mpmath, the tail included', () => {
    const erfValues = [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-3, -0.9999779095030014],
    ];
    for (const [x, value] of erfValues) expect(relative(erf(x), value), `erf(${x})`).toBeLessThan(1e-15);
    const erfcValues = [
      [-1, 1.8427007929497148],
      [0.5, 0.4795001221869535],
      [3, 2.209049699858544e-5],
      [5, 1.537459794428035e-12],
      [10, 2.088487583762545e-45],
    ];
    for (const [x, value] of erfcValues) expect(relative(erfc(x), value), `erfc(${x})`).toBeLessThan(2e-13);
    expect(erf(0)).toBe(0);
    expect([erf(Infinity), erf(-Infinity), erfc(Infinity)]).toEqual([1, -1, 0]);
  });

  it('gelu is z·Φ(z) (torch.nn.GELU()) and gelu_tanh the tanh form (approximate="tanh"), within 1e-13 relative', () => {
    for (const [z, value] of GELU_VALUES)
      expect(z === 0 ? activate('gelu', z) : relative(activate('gelu', z), value), `gelu(${z})`).toBeLessThan(1e-13);
    for (const [z, value] of GELU_TANH_VALUES)
      expect(
        z === 0 ? activate('gelu_tanh', z) : relative(activate('gelu_tanh', z), value),
        `gelu_tanh(${z})`,
      ).toBeLessThan(1e-13);
    // The two differ by up to 4.7e-4 (at z ≈ 2.7): a real difference, so a v1 study's "gelu" becomes gelu_tanh (migrate.ts).
    expect(Math.abs(activate('gelu', 2.7) - activate('gelu_tanh', 2.7))).toBeCloseTo(4.73e-4, 6);
  });

  it('their derivatives match central differences over [-8, 8] within 1e-8', () => {
    for (const activation of ['gelu', 'gelu_tanh'] as const) {
      let worst = 0;
      for (let z = -8; z <= 8; z += 1 / 16) {
        const numeric = (activate(activation, z + H) - activate(activation, z - H)) / (2 * H);
        worst = Math.max(worst, Math.abs(activationDerivative(activation, z) - numeric));
      }
      console.log(`[ops] ${activation}' vs central differences on [-8, 8]: max abs diff ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-8);
    }
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

describe("optimizer step: PyTorch's numbers (torch.optim, three steps in float64)", () => {
  for (const { torch, hyper: h, weights } of PYTORCH_STEPS) {
    it(`${h.optimizer}${h.weightDecay ? ' with weight decay' : ''} equals torch.optim.${torch} within 1e-12`, () => {
      const [w, m, v] = [Float64Array.from(W0), new Float64Array(4), new Float64Array(4)];
      GRADIENTS.forEach((g, step) => {
        optimizerStep(w, Float64Array.from(g), m, v, h, learningRateAt(h, step, 1, 1, GRADIENTS.length), step + 1);
        expect(maxRelativeError(w, weights[step]), `${torch} step ${step + 1}`).toBeLessThan(1e-12);
      });
    });
  }

  it("momentum's first velocity is the gradient itself (dampening 0), not (1-β)·g", () => {
    const [w, m] = [Float64Array.from(W0), new Float64Array(4)];
    optimizerStep(
      w,
      Float64Array.from(GRADIENTS[0]),
      m,
      new Float64Array(4),
      hyper({ optimizer: 'momentum', beta1: 0.9 }),
      0.1,
      1,
    );
    expect(Array.from(m)).toEqual(GRADIENTS[0]);
  });

  it('leaves zero-gradient zero weights (the padding) exactly zero for every optimizer', () => {
    for (const optimizer of ['sgd', 'momentum', 'rmsprop', 'adam'] as const) {
      const p = new Float32Array(3);
      optimizerStep(
        p,
        new Float32Array(3),
        new Float32Array(3),
        new Float32Array(3),
        hyper({ optimizer, weightDecay: 0.1, epsilon: 1e-3 }),
        0.1,
        1,
      );
      expect(Array.from(p)).toEqual([0, 0, 0]);
    }
  });
});

describe('learning-rate schedules', () => {
  // batch 10 over 100 training rows: one epoch per 10 steps; 200 steps in all.
  const at = (h: Partial<ModelHyper>, step: number) =>
    learningRateAt(hyper({ learningRate: 0.5, ...h }), step, 10, 100, 200);
  it('none keeps α0', () => expect(at({ decay: 'none', decayRate: 3 }, 150)).toBe(0.5));
  it('inverse_time: α0 / (1 + k·epoch)', () => {
    expect(at({ decay: 'inverse_time', decayRate: 0.5 }, 9)).toBe(0.5);
    expect(at({ decay: 'inverse_time', decayRate: 0.5 }, 35)).toBeCloseTo(0.5 / 2.5, 15);
  });
  it('exponential: α0 · k^epoch', () =>
    expect(at({ decay: 'exponential', decayRate: 0.9 }, 35)).toBeCloseTo(0.5 * 0.729, 15));
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
    inputs: 20,
    outputs: 10,
    hiddenLayers: 2,
    maxHidden: 96,
    activation: 'relu',
    loss: 'softmax_cross_entropy',
    init: 'he',
    batchSize: 8,
  };

  it.each(['he', 'xavier'] as const)(
    '%s: weights are normal(initSeed, l, i, j)·scale from logical widths, padding and biases 0, variance as specified',
    (init) => {
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
    },
  );
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
