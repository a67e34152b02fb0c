// The CPU reference of the image layers: 2-D convolution (stride 1, same padding) and 2×2
// pooling (stride 2), each the oracle of its WGSL kernel. A row is one image [C × H × W],
// channel-major like PyTorch's NCHW. A convolution's weights are one [(C·k·k) × F] matrix,
// row (c·k + ky)·k + kx, column f (so its init and padding work like a dense layer's); it is
// PyTorch's weight[f][c][ky][kx] transposed. Sums run in float64 (JS numbers).
import type { PoolMode } from '../layers.ts';
import type { Floats } from './ops.ts';

/** A convolution's input channels, image size, filters and (odd) kernel size. */
export interface ConvGeometry {
  channels: number;
  height: number;
  width: number;
  filters: number;
  kernel: number;
}

/** y[b, f, i, j] = Σ_{c, ky, kx} x[b, c, i + ky - p, j + kx - p] · w[(c·k + ky)·k + kx, f], p = (k - 1) / 2, zero outside the image. */
export function conv2dForward(x: Floats, w: Floats, y: Floats, B: number, g: ConvGeometry): void {
  const { channels: C, height: H, width: W, filters: F, kernel: k } = g;
  const p = (k - 1) / 2;
  const plane = H * W;
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          let sum = 0;
          for (let c = 0; c < C; c++) {
            const image = (b * C + c) * plane;
            for (let ky = 0; ky < k; ky++) {
              const yy = i + ky - p;
              if (yy < 0 || yy >= H) continue;
              for (let kx = 0; kx < k; kx++) {
                const xx = j + kx - p;
                if (xx < 0 || xx >= W) continue;
                sum += x[image + yy * W + xx] * w[((c * k + ky) * k + kx) * F + f];
              }
            }
          }
          y[((b * F + f) * H + i) * W + j] = sum;
        }
      }
    }
  }
}

/** dx[b, c, i, j] = Σ_{f, ky, kx} dy[b, f, i - ky + p, j - kx + p] · w[(c·k + ky)·k + kx, f] (the forward's transpose). */
export function conv2dBackwardInput(dy: Floats, w: Floats, dx: Floats, B: number, g: ConvGeometry): void {
  const { channels: C, height: H, width: W, filters: F, kernel: k } = g;
  const p = (k - 1) / 2;
  const plane = H * W;
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          let sum = 0;
          for (let ky = 0; ky < k; ky++) {
            const yy = i - ky + p;
            if (yy < 0 || yy >= H) continue;
            for (let kx = 0; kx < k; kx++) {
              const xx = j - kx + p;
              if (xx < 0 || xx >= W) continue;
              const row = ((c * k + ky) * k + kx) * F;
              for (let f = 0; f < F; f++) sum += dy[(b * F + f) * plane + yy * W + xx] * w[row + f];
            }
          }
          dx[((b * C + c) * H + i) * W + j] = sum;
        }
      }
    }
  }
}

/** dw[(c·k + ky)·k + kx, f] = Σ_{b, i, j} x[b, c, i + ky - p, j + kx - p] · dy[b, f, i, j], overwriting dw. */
export function conv2dBackwardWeight(x: Floats, dy: Floats, dw: Floats, B: number, g: ConvGeometry): void {
  const { channels: C, height: H, width: W, filters: F, kernel: k } = g;
  const p = (k - 1) / 2;
  const plane = H * W;
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++) {
        for (let f = 0; f < F; f++) {
          let sum = 0;
          for (let b = 0; b < B; b++) {
            const image = (b * C + c) * plane;
            const gradient = (b * F + f) * plane;
            for (let i = Math.max(0, p - ky); i < Math.min(H, H + p - ky); i++) {
              for (let j = Math.max(0, p - kx); j < Math.min(W, W + p - kx); j++)
                sum += x[image + (i + ky - p) * W + (j + kx - p)] * dy[gradient + i * W + j];
            }
          }
          dw[((c * k + ky) * k + kx) * F + f] = sum;
        }
      }
    }
  }
}

/** The index, within the image plane, of the first maximum of the 2×2 window (oi, oj) (row-major scan, like PyTorch). */
function windowArgmax(x: Floats, image: number, W: number, oi: number, oj: number): number {
  let best = 2 * oi * W + 2 * oj;
  for (const at of [best + 1, best + W, best + W + 1]) if (x[image + at] > x[image + best]) best = at;
  return best;
}

/** 2×2 pooling with stride 2 (PyTorch's MaxPool2d(2) / AvgPool2d(2)): output [C × ⌊H/2⌋ × ⌊W/2⌋]; an odd last row or column is dropped. */
export function pool2dForward(x: Floats, y: Floats, B: number, C: number, H: number, W: number, mode: PoolMode): void {
  const [OH, OW] = [Math.floor(H / 2), Math.floor(W / 2)];
  for (let bc = 0; bc < B * C; bc++) {
    const image = bc * H * W;
    for (let oi = 0; oi < OH; oi++) {
      for (let oj = 0; oj < OW; oj++) {
        const at = image + 2 * oi * W + 2 * oj;
        y[(bc * OH + oi) * OW + oj] =
          mode === 'max'
            ? x[image + windowArgmax(x, image, W, oi, oj)]
            : (x[at] + x[at + 1] + x[at + W] + x[at + W + 1]) / 4;
      }
    }
  }
}

/** The pooling's input gradient: max sends dy to its window's first maximum, avg a quarter to each; rows and columns no window covers get 0. */
export function pool2dBackward(
  x: Floats,
  dy: Floats,
  dx: Floats,
  B: number,
  C: number,
  H: number,
  W: number,
  mode: PoolMode,
): void {
  const [OH, OW] = [Math.floor(H / 2), Math.floor(W / 2)];
  dx.fill(0, 0, B * C * H * W);
  for (let bc = 0; bc < B * C; bc++) {
    const image = bc * H * W;
    for (let oi = 0; oi < OH; oi++) {
      for (let oj = 0; oj < OW; oj++) {
        const gradient = dy[(bc * OH + oi) * OW + oj];
        if (mode === 'max') {
          dx[image + windowArgmax(x, image, W, oi, oj)] = gradient;
        } else {
          const at = image + 2 * oi * W + 2 * oj;
          for (const offset of [0, 1, W, W + 1]) dx[at + offset] = gradient / 4;
        }
      }
    }
  }
}
