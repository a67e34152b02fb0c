// Shared by the 2×2 pooling kernels (prepended after activation.wgsl and elementwise.wgsl):
// stride 2, output [C × ⌊H/2⌋ × ⌊W/2⌋] per row, an odd last row or column dropped
// (PyTorch's MaxPool2d(2) / AvgPool2d(2)). The input side of model m starts at x_offset +
// m · x_model_stride, the output side at m · y_model_stride. Same words as pool2dForward /
// pool2dBackward in src/train/cpu/convolution.ts.

struct PoolParams {
  models: u32,
  rows: u32,
  channels: u32,
  height: u32,
  width: u32,
  x_offset: u32,
  x_model_stride: u32,
  y_model_stride: u32,
}

@group(0) @binding(0) var<uniform> pool: PoolParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;

const MAX_POOL: u32 = 0u;
const AVERAGE_POOL: u32 = 1u;
// POOL_MODES in src/train/gpu/layers.ts.
override MODE: u32 = MAX_POOL;
// With EPILOGUE set, the input gradient multiplies by the previous layer's ACTIVATION' (pool2d_backward).
override EPILOGUE: bool = false;
override ACTIVATION: u32 = 0u;

// Index in x of the first maximum of the window whose top-left input element is `corner` (row-major scan).
fn window_argmax(corner: u32) -> u32 {
  var best = corner;
  if (x[corner + 1u] > x[best]) {
    best = corner + 1u;
  }
  if (x[corner + pool.width] > x[best]) {
    best = corner + pool.width;
  }
  if (x[corner + pool.width + 1u] > x[best]) {
    best = corner + pool.width + 1u;
  }
  return best;
}
