// AssemblyScript kernels of the WASM engine (compiled by ../compile.ts; not part of the tsc
// project). Every training array is "quad-interleaved": four models train side by side, one
// per 128-bit SIMD lane, so element e of lane l is the f32 at byte (e·4 + l)·4 and one v128
// holds element e of all four models. A lane never reads another lane, so a model's numbers
// do not depend on its neighbours, its position or the number of threads. Every sum runs in
// element order (no split accumulators), so zero padding at the end of a sum changes nothing.
// The formulas are the CPU engine's (src/train/cpu/ops.ts), in float32 except where noted.

import { cosMedium, logPositive } from './fdlibm';

const LANE_BYTES: usize = 16;

/** First free byte after the module's static data: the host lays its buffers out from here. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------
// Matmul: C[i·N + j] = Σ_k A[i·aRow + k·aInner] · B[k·bInner + j·bCol], strides in elements.
// One routine serves the forward pass and both backward passes, as in the CPU engine.
// Register blocking: 4 rows × 2 columns of C (8 accumulators) share each load. Every
// element's sum starts at 0 and adds k in order, whichever routine and tile computes it.

// @ts-ignore: decorator
@inline
function madd(acc: v128, x: v128, w: v128): v128 {
  return f32x4.add(acc, f32x4.mul(x, w));
}

/** C's 4 × 2 tile at `out` (rows cR bytes apart): A rows from pa (aR apart), B columns from pb (bC apart). */
// @ts-ignore: decorator
@inline
function tile4x2(pa: usize, aR: usize, aI: usize, pb: usize, bI: usize, bC: usize, out: usize, cR: usize, K: i32): void {
  let s00 = f32x4.splat(0);
  let s01 = f32x4.splat(0);
  let s10 = f32x4.splat(0);
  let s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0);
  let s21 = f32x4.splat(0);
  let s30 = f32x4.splat(0);
  let s31 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    const w0 = v128.load(pb);
    const w1 = v128.load(pb + bC);
    const x0 = v128.load(pa);
    s00 = madd(s00, x0, w0);
    s01 = madd(s01, x0, w1);
    const x1 = v128.load(pa + aR);
    s10 = madd(s10, x1, w0);
    s11 = madd(s11, x1, w1);
    const x2 = v128.load(pa + 2 * aR);
    s20 = madd(s20, x2, w0);
    s21 = madd(s21, x2, w1);
    const x3 = v128.load(pa + 3 * aR);
    s30 = madd(s30, x3, w0);
    s31 = madd(s31, x3, w1);
    pa += aI;
    pb += bI;
  }
  v128.store(out, s00);
  v128.store(out, s01, LANE_BYTES);
  v128.store(out + cR, s10);
  v128.store(out + cR, s11, LANE_BYTES);
  v128.store(out + 2 * cR, s20);
  v128.store(out + 2 * cR, s21, LANE_BYTES);
  v128.store(out + 3 * cR, s30);
  v128.store(out + 3 * cR, s31, LANE_BYTES);
}

/** C's 4 × 1 tile at `out`. */
// @ts-ignore: decorator
@inline
function tile4x1(pa: usize, aR: usize, aI: usize, pb: usize, bI: usize, out: usize, cR: usize, K: i32): void {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    const w = v128.load(pb);
    s0 = madd(s0, v128.load(pa), w);
    s1 = madd(s1, v128.load(pa + aR), w);
    s2 = madd(s2, v128.load(pa + 2 * aR), w);
    s3 = madd(s3, v128.load(pa + 3 * aR), w);
    pa += aI;
    pb += bI;
  }
  v128.store(out, s0);
  v128.store(out + cR, s1);
  v128.store(out + 2 * cR, s2);
  v128.store(out + 3 * cR, s3);
}

/** One element of C at `out`. */
// @ts-ignore: decorator
@inline
function tile1x1(pa: usize, aI: usize, pb: usize, bI: usize, out: usize, K: i32): void {
  let s = f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    s = madd(s, v128.load(pa), v128.load(pb));
    pa += aI;
    pb += bI;
  }
  v128.store(out, s);
}

export function product(
  a: usize,
  aRow: i32,
  aInner: i32,
  b: usize,
  bInner: i32,
  bCol: i32,
  c: usize,
  M: i32,
  K: i32,
  N: i32,
): void {
  const aR = (<usize>aRow) * LANE_BYTES;
  const aI = (<usize>aInner) * LANE_BYTES;
  const bI = (<usize>bInner) * LANE_BYTES;
  const bC = (<usize>bCol) * LANE_BYTES;
  const cR = (<usize>N) * LANE_BYTES;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const pa = a + <usize>i * aR;
    const out = c + <usize>i * cR;
    let j = 0;
    for (; j + 2 <= N; j += 2) tile4x2(pa, aR, aI, b + <usize>j * bC, bI, bC, out + <usize>j * LANE_BYTES, cR, K);
    if (j < N) tile4x1(pa, aR, aI, b + <usize>j * bC, bI, out + <usize>j * LANE_BYTES, cR, K);
  }
  for (; i < M; i++)
    for (let j = 0; j < N; j++)
      tile1x1(a + <usize>i * aR, aI, b + <usize>j * bC, bI, c + (<usize>i * <usize>N + <usize>j) * LANE_BYTES, K);
}

/**
 * product for a B that is strided along k (the forward pass's weights, whose rows are k):
 * each pair of B's columns is first copied into `panel` (K × 2 elements, k contiguous),
 * which then stays in cache while every row block of A passes over it. Walking a wide
 * matrix's column directly reads one line per k, 4 KiB apart at width 256: all in one
 * cache set, so they evict each other and every row block refetches them.
 */
export function productPanel(
  a: usize,
  aRow: i32,
  aInner: i32,
  b: usize,
  bInner: i32,
  bCol: i32,
  c: usize,
  M: i32,
  K: i32,
  N: i32,
  panel: usize,
): void {
  const aR = (<usize>aRow) * LANE_BYTES;
  const aI = (<usize>aInner) * LANE_BYTES;
  const bI = (<usize>bInner) * LANE_BYTES;
  const bC = (<usize>bCol) * LANE_BYTES;
  const cR = (<usize>N) * LANE_BYTES;
  const rowBlocks = M & ~3;
  let j = 0;
  for (; j + 2 <= N; j += 2) {
    let from = b + <usize>j * bC;
    for (let k = 0; k < K; k++) {
      const to = panel + <usize>k * 2 * LANE_BYTES;
      v128.store(to, v128.load(from));
      v128.store(to, v128.load(from + bC), LANE_BYTES);
      from += bI;
    }
    const out = c + <usize>j * LANE_BYTES;
    for (let i = 0; i < rowBlocks; i += 4)
      tile4x2(a + <usize>i * aR, aR, aI, panel, 2 * LANE_BYTES, LANE_BYTES, out + <usize>i * cR, cR, K);
    for (let i = rowBlocks; i < M; i++) {
      tile1x1(a + <usize>i * aR, aI, panel, 2 * LANE_BYTES, out + <usize>i * cR, K);
      tile1x1(a + <usize>i * aR, aI, panel + LANE_BYTES, 2 * LANE_BYTES, out + <usize>i * cR + LANE_BYTES, K);
    }
  }
  if (j < N) {
    const pb = b + <usize>j * bC;
    const out = c + <usize>j * LANE_BYTES;
    for (let i = 0; i < rowBlocks; i += 4) tile4x1(a + <usize>i * aR, aR, aI, pb, bI, out + <usize>i * cR, cR, K);
    for (let i = rowBlocks; i < M; i++) tile1x1(a + <usize>i * aR, aI, pb, bI, out + <usize>i * cR, K);
  }
}

/**
 * dst[j·rows + i] = src[i·cols + j] for a rows × cols matrix of quad elements. product's
 * inner loop walks both operands along k; when one is laid out with k as its row index, a
 * copy with k contiguous keeps every load in cache and away from 4 KiB aliasing.
 */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rowBytes = (<usize>cols) * LANE_BYTES;
  const colBytes = (<usize>rows) * LANE_BYTES;
  // 4 × 4 tiles: four source rows are read together, four destination rows written together.
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const from = src + <usize>i * rowBytes;
    const to = dst + <usize>i * LANE_BYTES;
    for (let j = 0; j < cols; j++) {
      const s = from + <usize>j * LANE_BYTES;
      const d = to + <usize>j * colBytes;
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s + rowBytes), LANE_BYTES);
      v128.store(d, v128.load(s + 2 * rowBytes), 2 * LANE_BYTES);
      v128.store(d, v128.load(s + 3 * rowBytes), 3 * LANE_BYTES);
    }
  }
  for (; i < rows; i++)
    for (let j = 0; j < cols; j++)
      v128.store(dst + (<usize>j * <usize>rows + <usize>i) * LANE_BYTES, v128.load(src + (<usize>i * <usize>cols + <usize>j) * LANE_BYTES));
}

// ---------------------------------------------------------------------------------------
// Activations (codes are ACTIVATIONS' indices in src/train/types.ts). relu, leaky_relu and
// linear run as SIMD in float32; the others per lane in float64, as the CPU engine does.

const RELU = 0;
const LEAKY_RELU = 1;
const TANH = 2;
const SIGMOID = 3;
const GELU = 4;
const LINEAR = 5;
const GELU_TANH = 6;
const LEAKY_SLOPE: f32 = 0.01;
const GELU_C: f64 = Math.sqrt(2 / Math.PI);
const GELU_A: f64 = 0.044715;
const TWO_OVER_SQRT_PI: f64 = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_2PI: f64 = 1 / Math.sqrt(2 * Math.PI);

/** erfc(x) for x >= 2: Laplace's continued fraction, 60 terms (ops.ts's erfcTail). */
function erfcTail(x: f64): f64 {
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + <f64>k / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** erf by the series of positive terms below 2, 1 - erfc beyond (ops.ts's erf). */
function erf(x: f64): f64 {
  const a = Math.abs(x);
  if (a >= 2) return Math.sign(x) * (1 - erfcTail(a));
  const a2 = a * a;
  let term: f64 = 1;
  let sum: f64 = 1;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a2) / <f64>(2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * x * Math.exp(-a2) * sum;
}

function erfc(x: f64): f64 {
  if (x >= 2) return erfcTail(x);
  if (x <= -2) return 2 - erfcTail(-x);
  return 1 - erf(x);
}

function normalCdf(z: f64): f64 {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

function activateScalar(act: i32, z: f64): f64 {
  if (act == TANH) return Math.tanh(z);
  if (act == SIGMOID) return 1 / (1 + Math.exp(-z));
  if (act == GELU) return z * normalCdf(z);
  if (act == GELU_TANH) return 0.5 * z * (1 + Math.tanh(GELU_C * (z + GELU_A * z * z * z)));
  return z;
}

function derivativeScalar(act: i32, z: f64): f64 {
  if (act == TANH) {
    const t = Math.tanh(z);
    return 1 - t * t;
  }
  if (act == SIGMOID) {
    const s = 1 / (1 + Math.exp(-z));
    return s * (1 - s);
  }
  if (act == GELU) return normalCdf(z) + z * ONE_OVER_SQRT_2PI * Math.exp(-0.5 * z * z);
  if (act == GELU_TANH) {
    const t = Math.tanh(GELU_C * (z + GELU_A * z * z * z));
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * z * z);
  }
  return 1;
}

// @ts-ignore: decorator
@inline
function perLane(act: i32, v: v128, derivative: bool): v128 {
  const f0 = <f64>f32x4.extract_lane(v, 0);
  const f1 = <f64>f32x4.extract_lane(v, 1);
  const f2 = <f64>f32x4.extract_lane(v, 2);
  const f3 = <f64>f32x4.extract_lane(v, 3);
  return derivative
    ? f32x4(
        <f32>derivativeScalar(act, f0),
        <f32>derivativeScalar(act, f1),
        <f32>derivativeScalar(act, f2),
        <f32>derivativeScalar(act, f3),
      )
    : f32x4(
        <f32>activateScalar(act, f0),
        <f32>activateScalar(act, f1),
        <f32>activateScalar(act, f2),
        <f32>activateScalar(act, f3),
      );
}

// @ts-ignore: decorator
@inline
function activate(act: i32, z: v128): v128 {
  if (act == RELU) return f32x4.max(z, f32x4.splat(0));
  if (act == LEAKY_RELU) return v128.bitselect(z, f32x4.mul(z, f32x4.splat(LEAKY_SLOPE)), f32x4.gt(z, f32x4.splat(0)));
  if (act == LINEAR) return z;
  return perLane(act, z, false);
}

// @ts-ignore: decorator
@inline
function derivative(act: i32, z: v128): v128 {
  const positive = f32x4.gt(z, f32x4.splat(0));
  if (act == RELU) return v128.and(f32x4.splat(1), positive);
  if (act == LEAKY_RELU) return v128.bitselect(f32x4.splat(1), f32x4.splat(LEAKY_SLOPE), positive);
  if (act == LINEAR) return f32x4.splat(1);
  return perLane(act, z, true);
}

/** Lanes whose model has a unit j: width holds each lane's width as i32. */
// @ts-ignore: decorator
@inline
function columnMask(j: i32, widths: v128): v128 {
  return i32x4.lt_s(i32x4.splat(j), widths);
}

/** z = pre + bias, a = act(z) where j < the lane's width; z = a = 0 in the padding. */
export function biasActivation(
  pre: usize,
  bias: usize,
  act: i32,
  z: usize,
  a: usize,
  B: i32,
  N: i32,
  widths: usize,
): void {
  // Each activation gets its own loop (act is a constant once inlined): no branch per element.
  if (act == RELU) biasActivationOf(RELU, pre, bias, z, a, B, N, widths);
  else if (act == LEAKY_RELU) biasActivationOf(LEAKY_RELU, pre, bias, z, a, B, N, widths);
  else if (act == LINEAR) biasActivationOf(LINEAR, pre, bias, z, a, B, N, widths);
  else biasActivationOf(act, pre, bias, z, a, B, N, widths);
}

// @ts-ignore: decorator
@inline
function biasActivationOf(act: i32, pre: usize, bias: usize, z: usize, a: usize, B: i32, N: i32, widths: usize): void {
  const w = v128.load(widths);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < N; j++) {
      const at = (<usize>b * <usize>N + <usize>j) * LANE_BYTES;
      const mask = columnMask(j, w);
      const zv = v128.and(f32x4.add(v128.load(pre + at), v128.load(bias + <usize>j * LANE_BYTES)), mask);
      v128.store(z + at, zv);
      v128.store(a + at, v128.and(activate(act, zv), mask));
    }
  }
}

/** dz = da · act'(z) where j < the lane's width, 0 in the padding. */
export function activationBackward(
  z: usize,
  da: usize,
  act: i32,
  dz: usize,
  B: i32,
  N: i32,
  widths: usize,
): void {
  if (act == RELU) activationBackwardOf(RELU, z, da, dz, B, N, widths);
  else if (act == LEAKY_RELU) activationBackwardOf(LEAKY_RELU, z, da, dz, B, N, widths);
  else if (act == LINEAR) activationBackwardOf(LINEAR, z, da, dz, B, N, widths);
  else activationBackwardOf(act, z, da, dz, B, N, widths);
}

// @ts-ignore: decorator
@inline
function activationBackwardOf(act: i32, z: usize, da: usize, dz: usize, B: i32, N: i32, widths: usize): void {
  const w = v128.load(widths);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < N; j++) {
      const at = (<usize>b * <usize>N + <usize>j) * LANE_BYTES;
      const dv = f32x4.mul(v128.load(da + at), derivative(act, v128.load(z + at)));
      v128.store(dz + at, v128.and(dv, columnMask(j, w)));
    }
  }
}

/** db[j] = Σ_b dz[b·N + j]. */
export function biasGradient(dz: usize, db: usize, B: i32, N: i32): void {
  for (let j = 0; j < N; j++) {
    let s = f32x4.splat(0);
    for (let b = 0; b < B; b++) s = f32x4.add(s, v128.load(dz + (<usize>b * <usize>N + <usize>j) * LANE_BYTES));
    v128.store(db + <usize>j * LANE_BYTES, s);
  }
}

// ---------------------------------------------------------------------------------------
// Losses, per lane in float64 like the CPU engine. `out` receives 8 f64: the 4 lanes' mean
// losses, then their counts of correct rows (NaN for regression).

/** Mean softmax cross-entropy over B rows; dlogits = (softmax - onehot) / B. */
export function softmaxCrossEntropy(logits: usize, labels: usize, dlogits: usize, B: i32, C: i32, out: usize): void {
  for (let lane: usize = 0; lane < 4; lane++) {
    let lossSum: f64 = 0;
    let correct = 0;
    for (let b = 0; b < B; b++) {
      const row = logits + <usize>b * <usize>C * LANE_BYTES + lane * 4;
      const grad = dlogits + <usize>b * <usize>C * LANE_BYTES + lane * 4;
      const label = <i32>load<f32>(labels + <usize>b * LANE_BYTES + lane * 4);
      let argmax = 0;
      for (let c = 1; c < C; c++)
        if (load<f32>(row + <usize>c * LANE_BYTES) > load<f32>(row + <usize>argmax * LANE_BYTES)) argmax = c;
      const max = <f64>load<f32>(row + <usize>argmax * LANE_BYTES);
      let sumExp: f64 = 0;
      for (let c = 0; c < C; c++) sumExp += Math.exp(<f64>load<f32>(row + <usize>c * LANE_BYTES) - max);
      const logSumExp = max + Math.log(sumExp);
      lossSum += logSumExp - <f64>load<f32>(row + <usize>label * LANE_BYTES);
      for (let c = 0; c < C; c++) {
        const p = Math.exp(<f64>load<f32>(row + <usize>c * LANE_BYTES) - logSumExp);
        store<f32>(grad + <usize>c * LANE_BYTES, <f32>((p - (c == label ? 1 : 0)) / <f64>B));
      }
      if (argmax == label) correct++;
    }
    store<f64>(out + lane * 8, lossSum / <f64>B);
    store<f64>(out + 32 + lane * 8, <f64>correct);
  }
}

/** loss = mean over B·O entries of (p - t)²; dpred = 2(p - t) / (B·O). */
export function meanSquaredError(pred: usize, target: usize, dpred: usize, B: i32, O: i32, out: usize): void {
  const n = B * O;
  for (let lane: usize = 0; lane < 4; lane++) {
    let sum: f64 = 0;
    for (let e = 0; e < n; e++) {
      const at = <usize>e * LANE_BYTES + lane * 4;
      const diff = <f64>load<f32>(pred + at) - <f64>load<f32>(target + at);
      sum += diff * diff;
      store<f32>(dpred + at, <f32>((2 * diff) / <f64>n));
    }
    store<f64>(out + lane * 8, sum / <f64>n);
    store<f64>(out + 32 + lane * 8, NaN);
  }
}

// ---------------------------------------------------------------------------------------
// Optimizers (codes are OPTIMIZERS' indices). `hyper` holds per-lane vectors, in order:
// lr, β1, 1-β1, β2 or α, 1-β2 or 1-α, ε, lr·weightDecay, 1-β1^t, 1-β2^t, and an i32 mask
// of the lanes this call updates (a quad may mix optimizers; frozen lanes are left alone).

const SGD = 0;
const MOMENTUM = 1;
const RMSPROP = 2;
const ADAM = 3;

export function optimizerStep(kind: i32, params: usize, grads: usize, m: usize, v: usize, n: i32, hyper: usize): void {
  if (kind == SGD) optimizerStepOf(SGD, params, grads, m, v, n, hyper);
  else if (kind == MOMENTUM) optimizerStepOf(MOMENTUM, params, grads, m, v, n, hyper);
  else if (kind == RMSPROP) optimizerStepOf(RMSPROP, params, grads, m, v, n, hyper);
  else optimizerStepOf(ADAM, params, grads, m, v, n, hyper);
}

// @ts-ignore: decorator
@inline
function optimizerStepOf(kind: i32, params: usize, grads: usize, m: usize, v: usize, n: i32, hyper: usize): void {
  const lr = v128.load(hyper);
  const beta1 = v128.load(hyper, 16);
  const oneMinusBeta1 = v128.load(hyper, 32);
  const beta2 = v128.load(hyper, 48);
  const oneMinusBeta2 = v128.load(hyper, 64);
  const epsilon = v128.load(hyper, 80);
  const decay = v128.load(hyper, 96);
  const correction1 = v128.load(hyper, 112);
  const correction2 = v128.load(hyper, 128);
  const mask = v128.load(hyper, 144);
  for (let e = 0; e < n; e++) {
    const at = <usize>e * LANE_BYTES;
    const w = v128.load(params + at);
    const g = v128.load(grads + at);
    const decayed = f32x4.mul(decay, w);
    let next: v128;
    if (kind == SGD) {
      next = f32x4.sub(f32x4.sub(w, f32x4.mul(lr, g)), decayed);
    } else if (kind == MOMENTUM) {
      const velocity = f32x4.add(f32x4.mul(beta1, v128.load(m + at)), g);
      v128.store(m + at, v128.bitselect(velocity, v128.load(m + at), mask));
      next = f32x4.sub(f32x4.sub(w, f32x4.mul(lr, velocity)), decayed);
    } else if (kind == RMSPROP) {
      const s = f32x4.add(f32x4.mul(beta2, v128.load(v + at)), f32x4.mul(f32x4.mul(oneMinusBeta2, g), g));
      v128.store(v + at, v128.bitselect(s, v128.load(v + at), mask));
      const step = f32x4.div(f32x4.mul(lr, g), f32x4.add(f32x4.sqrt(s), epsilon));
      next = f32x4.sub(f32x4.sub(w, step), decayed);
    } else {
      const mi = f32x4.add(f32x4.mul(beta1, v128.load(m + at)), f32x4.mul(oneMinusBeta1, g));
      const si = f32x4.add(f32x4.mul(beta2, v128.load(v + at)), f32x4.mul(f32x4.mul(oneMinusBeta2, g), g));
      v128.store(m + at, v128.bitselect(mi, v128.load(m + at), mask));
      v128.store(v + at, v128.bitselect(si, v128.load(v + at), mask));
      const step = f32x4.div(
        f32x4.mul(lr, f32x4.div(mi, correction1)),
        f32x4.add(f32x4.sqrt(f32x4.div(si, correction2)), epsilon),
      );
      next = f32x4.sub(f32x4.sub(w, step), decayed);
    }
    v128.store(params + at, v128.bitselect(next, w, mask));
  }
}

// ---------------------------------------------------------------------------------------
// Batches. The sample order is src/search/random.ts's, bit for bit: hash32 folds u32 words
// through lowbias32, permuteIndex is a 4-round Feistel network with cycle walking.

function mix32(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  return x ^ (x >>> 16);
}

// @ts-ignore: decorator
@inline
function fold(h: u32, word: u32): u32 {
  return mix32((h ^ word) + 0x9e3779b9);
}

function permuteIndex(index: u32, n: u32, key: u32, halfBits: u32): u32 {
  const mask: u32 = (1 << halfBits) - 1;
  const keyed = fold(0x811c9dc5, key);
  let x = index;
  do {
    let left = x >>> halfBits;
    let right = x & mask;
    for (let round: u32 = 0; round < 4; round++) {
      const next = left ^ (fold(fold(keyed, round), right) & mask);
      left = right;
      right = next;
    }
    x = (left << halfBits) | right;
  } while (x >= n);
  return x;
}

/**
 * The batch of 0-based `step` for each lane: lane l's slot b holds training row
 * permuteIndex(p mod n, n, hash32(seed_l, floor(p / n))) with p = step·B + b. x rows are
 * [n × K], y rows [n × yPerRow], both plain; the batch is written quad-interleaved.
 */
export function gatherBatch(
  x: usize,
  y: usize,
  n: i32,
  K: i32,
  yPerRow: i32,
  seeds: usize,
  step: i32,
  B: i32,
  batchX: usize,
  batchY: usize,
): void {
  let halfBits: u32 = 1;
  while ((<u64>1 << (2 * halfBits)) < <u64>n) halfBits++;
  for (let lane: usize = 0; lane < 4; lane++) {
    const seed = load<u32>(seeds + lane * 4);
    for (let b = 0; b < B; b++) {
      const p = <u64>step * <u64>B + <u64>b;
      const epoch = <u32>(p / <u64>n);
      const row = <usize>permuteIndex(<u32>(p % <u64>n), <u32>n, fold(fold(0x811c9dc5, seed), epoch), halfBits);
      for (let i = 0; i < K; i++)
        store<f32>(batchX + (<usize>b * <usize>K + <usize>i) * LANE_BYTES + lane * 4, load<f32>(x + (row * <usize>K + <usize>i) * 4));
      for (let o = 0; o < yPerRow; o++)
        store<f32>(
          batchY + (<usize>b * <usize>yPerRow + <usize>o) * LANE_BYTES + lane * 4,
          load<f32>(y + (row * <usize>yPerRow + <usize>o) * 4),
        );
    }
  }
}

// ---------------------------------------------------------------------------------------
// Weight init: src/search/random.ts's normal(seed, layer, i, j) bit for bit (hash32 of the
// words and 0 or 1, unitFloat24, Box-Muller with math.ts's log and cos), times the layer's
// scale, rounded to f32 once, as src/train/cpu/ops.ts's initBlocks does. In TypeScript it
// took ~300 ns a weight: 1.2 s a run for 64 models of width 256, more than 100 steps.

/**
 * One lane's block of `rows` × `cols` normal weights: element (i, j) goes to element
 * offset + i·stride + j of the quad-interleaved array at `lane` (its address plus lane·4).
 */
export function initNormal(
  lane: usize,
  offset: i32,
  stride: i32,
  rows: i32,
  cols: i32,
  seed: u32,
  layer: u32,
  scale: f64,
): void {
  const seeded = fold(fold(0x811c9dc5, seed), layer);
  for (let i = 0; i < rows; i++) {
    const row = fold(seeded, <u32>i);
    const at = lane + (<usize>offset + <usize>i * <usize>stride) * LANE_BYTES;
    for (let j = 0; j < cols; j++) {
      const h = fold(row, <u32>j);
      const u1 = 1 - <f64>(fold(h, 0) >>> 8) / 16777216; // (0, 1]: log is finite
      const u2 = <f64>(fold(h, 1) >>> 8) / 16777216;
      const normal = Math.sqrt(-2 * logPositive(u1)) * cosMedium(2 * Math.PI * u2);
      store<f32>(at + <usize>j * LANE_BYTES, <f32>(normal * scale));
    }
  }
}

/** dst (quad-interleaved) = `count` plain floats of src in all four lanes: validation rows every model sees. */
export function broadcast(src: usize, count: i32, dst: usize): void {
  for (let e = 0; e < count; e++) v128.store(dst + <usize>e * LANE_BYTES, v128.load32_splat(src + <usize>e * 4));
}
