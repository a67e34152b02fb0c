// Per-model primitives of the CPU reference engine over row-major arrays. Each one is the
// oracle for one WGSL kernel: sums run in float64 (JS numbers) and results are stored in
// the caller's arrays: Float32Array in the engine (so the GPU's float32 sums agree within
// rounding), Float64Array in the finite-difference gradient tests.
import { hash32, normal, permuteIndex } from '../../search/random.ts';
import { initScale, layerKind, modelLayout, statisticsCount, usedOutputs } from '../layers.ts';
import type { Activation, ModelHyper, PopulationShape } from '../types.ts';
import { LEAKY_SLOPE, parameterCount } from '../types.ts';

/** Row-major numbers: float32 for training, float64 for exact gradient checks. */
export type Floats = Float32Array | Float64Array;

/**
 * C[i·N + j] = Σ_k A[i·aRow + k·aInner] · Bm[k·bInner + j·bCol] over k < K, for i < M and
 * j < N, summed in float64. Four output columns share each A load (register blocking), which
 * roughly halves the time of the plain triple loop in V8. Strides let one routine serve the
 * forward pass and both backward passes without transposing anything.
 */
function stridedProduct(
  A: Floats,
  aRow: number,
  aInner: number,
  Bm: Floats,
  bInner: number,
  bCol: number,
  C: Floats,
  M: number,
  K: number,
  N: number,
): void {
  for (let i = 0; i < M; i++) {
    const aStart = i * aRow;
    const out = i * N;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const col = j * bCol;
      for (let k = 0; k < K; k++) {
        const av = A[aStart + k * aInner];
        const r = k * bInner + col;
        s0 += av * Bm[r];
        s1 += av * Bm[r + bCol];
        s2 += av * Bm[r + 2 * bCol];
        s3 += av * Bm[r + 3 * bCol];
      }
      C[out + j] = s0;
      C[out + j + 1] = s1;
      C[out + j + 2] = s2;
      C[out + j + 3] = s3;
    }
    for (; j < N; j++) {
      let sum = 0;
      const col = j * bCol;
      for (let k = 0; k < K; k++) sum += A[aStart + k * aInner] * Bm[k * bInner + col];
      C[out + j] = sum;
    }
  }
}

/** y[B×N] = x[B×K] · w[K×N]. */
export function matmulForward(x: Floats, w: Floats, y: Floats, B: number, K: number, N: number): void {
  stridedProduct(x, K, 1, w, N, 1, y, B, K, N);
}

/** dx[B×K] = dy[B×N] · wᵀ (w is [K×N]). */
export function matmulBackwardInput(dy: Floats, w: Floats, dx: Floats, B: number, K: number, N: number): void {
  stridedProduct(dy, N, 1, w, 1, N, dx, B, N, K);
}

/** dw[K×N] = xᵀ · dy, overwriting dw (x is [B×K], dy is [B×N]). */
export function matmulBackwardWeight(x: Floats, dy: Floats, dw: Floats, B: number, K: number, N: number): void {
  stridedProduct(x, 1, K, dy, N, 1, dw, K, B, N);
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf(x) in float64 (JavaScript has none). |x| < 2: the series of positive terms
 * (2/√π)·x·e^{-x²}·Σ (2x²)^n / (1·3···(2n+1)), which has no cancellation; beyond: 1 - erfc.
 * Within 1e-15 relative of the exact value (checked against mpmath on a grid of [-7, 7]).
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 2) return Math.sign(x) * (1 - erfcTail(a));
  const a2 = a * a;
  let term = 1;
  let sum = 1;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * x * Math.exp(-a2) * sum;
}

/** erfc(x) = 1 - erf(x), within 2e-13 relative (the tail is computed directly, not as 1 - erf). */
export function erfc(x: number): number {
  if (x >= 2) return erfcTail(x);
  if (x <= -2) return 2 - erfcTail(-x);
  return 1 - erf(x);
}

/** erfc(x) for x >= 2 by Laplace's continued fraction e^{-x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), 60 terms deep. */
function erfcTail(x: number): number {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** Φ(z), the standard normal CDF: ½·erfc(-z/√2), accurate in relative terms in the left tail too. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/** act(z) in float64. */
export function activate(activation: Activation, z: number): number {
  switch (activation) {
    case 'relu':
      return Math.max(z, 0);
    case 'leaky_relu':
      return z > 0 ? z : LEAKY_SLOPE * z;
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'gelu':
      return z * normalCdf(z);
    case 'gelu_tanh':
      return 0.5 * z * (1 + Math.tanh(GELU_C * (z + GELU_A * z * z * z)));
    case 'linear':
      return z;
  }
}

/** act'(z) in float64 (relu family: the z <= 0 branch at z = 0). */
export function activationDerivative(activation: Activation, z: number): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leaky_relu':
      return z > 0 ? 1 : LEAKY_SLOPE;
    case 'tanh': {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case 'gelu':
      // d/dz z·Φ(z) = Φ(z) + z·φ(z).
      return normalCdf(z) + z * ONE_OVER_SQRT_2PI * Math.exp(-0.5 * z * z);
    case 'gelu_tanh': {
      const t = Math.tanh(GELU_C * (z + GELU_A * z * z * z));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * z * z);
    }
    case 'linear':
      return 1;
  }
}

/**
 * z = pre + bias, a = act(z) for columns j < width; z = a = 0 for the padding j >= width.
 * Column j adds bias[⌊j / biasRepeat⌋] (a convolution's bias covers its filter's whole plane).
 */
export function biasActivationForward(
  pre: Floats,
  bias: Floats,
  activation: Activation,
  z: Floats,
  a: Floats,
  B: number,
  N: number,
  width: number,
  biasRepeat = 1,
): void {
  for (let b = 0; b < B; b++) {
    const row = b * N;
    for (let j = 0; j < N; j++) {
      if (j < width) {
        const zv = pre[row + j] + bias[Math.floor(j / biasRepeat)];
        z[row + j] = zv;
        a[row + j] = activate(activation, zv);
      } else {
        z[row + j] = 0;
        a[row + j] = 0;
      }
    }
  }
}

/** dz = da · act'(z) for columns j < width, 0 for the padding. */
export function activationBackward(
  z: Floats,
  da: Floats,
  activation: Activation,
  dz: Floats,
  B: number,
  N: number,
  width: number,
): void {
  for (let b = 0; b < B; b++) {
    const row = b * N;
    for (let j = 0; j < N; j++)
      dz[row + j] = j < width ? da[row + j] * activationDerivative(activation, z[row + j]) : 0;
  }
}

/** db[n] = Σ_b Σ_{r < repeat} dz[b, n·repeat + r] for n < N / repeat: column sums of dz[B×N] when repeat is 1. */
export function biasGradient(dz: Floats, db: Floats, B: number, N: number, repeat = 1): void {
  for (let n = 0; n < N / repeat; n++) {
    let sum = 0;
    for (let b = 0; b < B; b++) for (let r = 0; r < repeat; r++) sum += dz[b * N + n * repeat + r];
    db[n] = sum;
  }
}

/**
 * Mean softmax cross-entropy over B rows; dlogits = (softmax - onehot) / B. `correct`
 * counts rows whose first maximal logit is the label. Stable: shifts by the row maximum.
 */
export function softmaxCrossEntropy(
  logits: Floats,
  labels: Floats,
  dlogits: Floats,
  B: number,
  C: number,
): { loss: number; correct: number } {
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    const row = b * C;
    const label = labels[b];
    let argmax = 0;
    for (let c = 1; c < C; c++) if (logits[row + c] > logits[row + argmax]) argmax = c;
    const max = logits[row + argmax];
    let sumExp = 0;
    for (let c = 0; c < C; c++) sumExp += Math.exp(logits[row + c] - max);
    const logSumExp = max + Math.log(sumExp);
    lossSum += logSumExp - logits[row + label];
    for (let c = 0; c < C; c++) dlogits[row + c] = (Math.exp(logits[row + c] - logSumExp) - (c === label ? 1 : 0)) / B;
    if (argmax === label) correct++;
  }
  return { loss: lossSum / B, correct };
}

/** loss = mean over all B·O entries of (p - t)²; dpred = 2(p - t) / (B·O). */
export function meanSquaredError(pred: Floats, target: Floats, dpred: Floats, B: number, O: number): { loss: number } {
  const n = B * O;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const diff = pred[i] - target[i];
    sum += diff * diff;
    dpred[i] = (2 * diff) / n;
  }
  return { loss: sum / n };
}

/** The learning rate of 0-based `step` under the model's DecayKind (see types.ts). */
export function learningRateAt(
  hyper: ModelHyper,
  step: number,
  batchSize: number,
  trainCount: number,
  totalSteps: number,
): number {
  const base = hyper.learningRate;
  const epoch = Math.floor((step * batchSize) / trainCount);
  const k = hyper.decayRate;
  switch (hyper.decay) {
    case 'none':
      return base;
    case 'inverse_time':
      return base / (1 + k * epoch);
    case 'exponential':
      return base * k ** epoch;
    case 'step':
      return base * k ** Math.floor(epoch / hyper.decayEvery);
    case 'cosine':
      return base * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
  }
}

/**
 * One in-place update of every parameter by the model's OptimizerKind (see types.ts);
 * `m` holds momentum's velocity / Adam's first moment, `v` RMSprop's / Adam's second moment,
 * all starting at 0 (so momentum's first velocity is g, as in PyTorch). `t` is the 1-based
 * update count. Decoupled weight decay uses the weight before this update.
 */
export function optimizerStep(
  params: Floats,
  grads: Floats,
  m: Floats,
  v: Floats,
  hyper: ModelHyper,
  lr: number,
  t: number,
): void {
  const { beta1, beta2, rmspropAlpha, epsilon, weightDecay } = hyper;
  const decay = lr * weightDecay;
  const n = params.length;
  switch (hyper.optimizer) {
    case 'sgd':
      for (let i = 0; i < n; i++) params[i] = params[i] - lr * grads[i] - decay * params[i];
      return;
    case 'momentum':
      for (let i = 0; i < n; i++) {
        const vel = beta1 * m[i] + grads[i];
        m[i] = vel;
        params[i] = params[i] - lr * vel - decay * params[i];
      }
      return;
    case 'rmsprop':
      for (let i = 0; i < n; i++) {
        const g = grads[i];
        const s = rmspropAlpha * v[i] + (1 - rmspropAlpha) * g * g;
        v[i] = s;
        params[i] = params[i] - (lr * g) / (Math.sqrt(s) + epsilon) - decay * params[i];
      }
      return;
    case 'adam': {
      const correction1 = 1 - beta1 ** t;
      const correction2 = 1 - beta2 ** t;
      for (let i = 0; i < n; i++) {
        const g = grads[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const si = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = si;
        params[i] = params[i] - (lr * (mi / correction1)) / (Math.sqrt(si / correction2) + epsilon) - decay * params[i];
      }
      return;
    }
  }
}

/** One block of `set` to fill: rows × cols from element `offset`, `stride` apart, in layer `layer`. */
export interface InitFill {
  layer: number;
  offset: number;
  stride: number;
  rows: number;
  cols: number;
  fill: 'ones' | 'normal';
  scale: number;
}

/**
 * The used extent and 'normal' scale of each layer's blocks (its kind's LOGICAL fans), and
 * `set`'s blocks to fill per their init: a 'normal' block of layer l has element (i, j) =
 * normal(initSeed, l, i, j) · scale inside the model's own rows × columns, a 'ones' block 1
 * there; padded rows and columns and 'zeros' blocks are exactly 0. The WASM engine fills
 * the same blocks in its own kernel.
 */
export function initFills(
  shape: PopulationShape,
  hyper: Pick<ModelHyper, 'hiddenUnits'>,
  set: 'blocks' | 'statistics',
): InitFill[] {
  const layout = modelLayout(shape);
  const used = usedOutputs(layout, hyper);
  return layout.flatMap((layer, l) => {
    const usedInput = l === 0 ? shape.inputs : used[l - 1];
    const fans = layerKind(layer.spec).fans(layer.spec, layer.input, usedInput, used[l]);
    const scale = initScale(shape.init, fans.fanIn, fans.fanOut);
    return layer[set].flatMap(({ offset, cols, init }) =>
      init === 'zeros' ? [] : [{ layer: l, offset, stride: cols, rows: fans.rows, cols: fans.cols, fill: init, scale }],
    );
  });
}

function initBlocks(
  shape: PopulationShape,
  hyper: Pick<ModelHyper, 'hiddenUnits' | 'initSeed'>,
  set: 'blocks' | 'statistics',
  length: number,
): Float32Array {
  const values = new Float32Array(length);
  for (const { layer, offset, stride, rows, cols, fill, scale } of initFills(shape, hyper, set))
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++)
        values[offset + i * stride + j] = fill === 'ones' ? 1 : normal(hyper.initSeed, layer, i, j) * scale;
  return values;
}

/** A model's initial parameters in the padded layout (src/train/layers.ts), as initBlocks fills them. */
export function initParameters(shape: PopulationShape, hyper: ModelHyper): Float32Array {
  return initBlocks(shape, hyper, 'blocks', parameterCount(shape));
}

/** A model's initial running statistics (mean 0, variance 1 over its used channels, PyTorch's), by default all channels used. */
export function initStatistics(
  shape: PopulationShape,
  widths: Pick<ModelHyper, 'hiddenUnits'> = { hiddenUnits: shape.maxHidden },
): Float32Array {
  return initBlocks(shape, { ...widths, initSeed: 0 }, 'statistics', statisticsCount(shape));
}

/**
 * The training-set row for batch slot `b` of 0-based `step`: position p = step·batchSize + b
 * is row permuteIndex(p mod n, n, hash32(dataSeed, floor(p / n))), a fresh shuffle per epoch.
 */
export function batchSampleIndex(dataSeed: number, step: number, b: number, batchSize: number, n: number): number {
  const p = step * batchSize + b;
  return permuteIndex(p % n, n, hash32(dataSeed, Math.floor(p / n)));
}
