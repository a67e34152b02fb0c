// Batch normalization (PyTorch's nn.BatchNorm1d / nn.BatchNorm2d), the CPU reference of
// shaders/batchnorm_*.wgsl. B rows of [C × plane] floats (channel-major; plane = H·W, 1 after
// a dense layer); channel c's statistics run over its B·plane values, in float64 (two passes:
// the mean, then the squared deviations). Only the first `used` channels are computed (a
// masked layer's model uses a prefix); the rest of each output stays for the caller to zero.
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from '../layers.ts';
import type { Floats } from './ops.ts';

export interface BatchNormGeometry {
  channels: number;
  plane: number;
  /** Channels the model uses (a prefix). */
  used: number;
}

/** The batch's mean and biased variance of each used channel. */
export function batchNormStatistics(
  x: Floats,
  B: number,
  { channels, plane, used }: BatchNormGeometry,
  mean: Floats,
  variance: Floats,
): void {
  const count = B * plane;
  for (let c = 0; c < used; c++) {
    let sum = 0;
    for (let b = 0; b < B; b++) for (let p = 0; p < plane; p++) sum += x[(b * channels + c) * plane + p];
    const mu = sum / count;
    let squares = 0;
    for (let b = 0; b < B; b++)
      for (let p = 0; p < plane; p++) {
        const d = x[(b * channels + c) * plane + p] - mu;
        squares += d * d;
      }
    mean[c] = mu;
    variance[c] = squares / count;
  }
}

/** running = (1 - momentum)·running + momentum·batch, the variance's with the unbiased batch variance (PyTorch's). */
export function updateRunningStatistics(
  runningMean: Floats,
  runningVariance: Floats,
  mean: Floats,
  variance: Floats,
  count: number,
  used: number,
): void {
  for (let c = 0; c < used; c++) {
    runningMean[c] = (1 - BATCH_NORM_MOMENTUM) * runningMean[c] + BATCH_NORM_MOMENTUM * mean[c];
    runningVariance[c] =
      (1 - BATCH_NORM_MOMENTUM) * runningVariance[c] + BATCH_NORM_MOMENTUM * ((variance[c] * count) / (count - 1));
  }
}

/** y = γ·(x - mean)/sqrt(variance + ε) + β over the used channels, with the given mean and variance. */
export function batchNormForward(
  x: Floats,
  B: number,
  { channels, plane, used }: BatchNormGeometry,
  mean: Floats,
  variance: Floats,
  scale: Floats,
  shift: Floats,
  y: Floats,
): void {
  for (let c = 0; c < used; c++) {
    const inverse = 1 / Math.sqrt(variance[c] + BATCH_NORM_EPSILON);
    for (let b = 0; b < B; b++)
      for (let p = 0; p < plane; p++) {
        const i = (b * channels + c) * plane + p;
        y[i] = scale[c] * (x[i] - mean[c]) * inverse + shift[c];
      }
  }
}

/**
 * The backward pass of a training forward (batch statistics `mean`, `variance`), N = B·plane:
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/σ · (dy - dβ/N - x̂·dγ/N) with x̂ = (x - mean)/σ,
 * σ = sqrt(variance + ε). Unused channels get zero gradients (dx too); dx is written when given.
 */
export function batchNormBackward(
  x: Floats,
  dy: Floats,
  B: number,
  { channels, plane, used }: BatchNormGeometry,
  mean: Floats,
  variance: Floats,
  scale: Floats,
  dScale: Floats,
  dShift: Floats,
  dx?: Floats,
): void {
  const count = B * plane;
  for (let c = 0; c < channels; c++) {
    if (c >= used) {
      dScale[c] = dShift[c] = 0;
      if (dx) for (let b = 0; b < B; b++) dx.fill(0, (b * channels + c) * plane, (b * channels + c + 1) * plane);
      continue;
    }
    const inverse = 1 / Math.sqrt(variance[c] + BATCH_NORM_EPSILON);
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let b = 0; b < B; b++)
      for (let p = 0; p < plane; p++) {
        const i = (b * channels + c) * plane + p;
        sumDy += dy[i];
        sumDyXhat += dy[i] * (x[i] - mean[c]) * inverse;
      }
    dShift[c] = sumDy;
    dScale[c] = sumDyXhat;
    if (!dx) continue;
    const factor = scale[c] * inverse;
    for (let b = 0; b < B; b++)
      for (let p = 0; p < plane; p++) {
        const i = (b * channels + c) * plane + p;
        const xhat = (x[i] - mean[c]) * inverse;
        dx[i] = factor * (dy[i] - sumDy / count - (xhat * sumDyXhat) / count);
      }
  }
}
