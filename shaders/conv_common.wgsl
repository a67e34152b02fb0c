// Shared by the convolution kernels (prepended after activation.wgsl and elementwise.wgsl):
// the parameter struct and the layout. Every kernel works on all models at once, one
// invocation per output element. An image row is [C × H × W] (channel-major, PyTorch's
// NCHW); the x side (the layer's input, or its gradient) of model m starts at x_offset +
// m · x_model_stride, the y side (output z / a, or the gradient at z) at m · y_model_stride.
// A model's weights are one [(C·k·k) × F] matrix at weight_offset (row (c·k + ky)·k + kx,
// column f), its bias [F] at bias_offset, within its parameters (or gradients) at
// m · param_model_stride. Same padding, stride 1: tap (ky, kx) of output (i, j) reads input
// (i + ky - p, j + kx - p), p = (k - 1) / 2, zero outside. Same words as
// src/train/cpu/convolution.ts.

struct ConvParams {
  models: u32,
  rows: u32,
  channels: u32,
  height: u32,
  width: u32,
  filters: u32,
  kernel: u32,
  x_offset: u32,
  x_model_stride: u32,
  y_model_stride: u32,
  param_model_stride: u32,
  weight_offset: u32,
  bias_offset: u32,
}

@group(0) @binding(0) var<uniform> conv: ConvParams;

// With EPILOGUE set, a kernel applies ACTIVATION as it stores: forward a = act(z); the input
// gradient multiplies by the previous layer's act'(from what its forward kept).
override EPILOGUE: bool = false;
override ACTIVATION: u32 = 0u;

// Input coordinate of tap t (0..k-1) at output coordinate o, or -1 outside [0, size).
fn tap(o: u32, t: u32, size: u32) -> i32 {
  let at = i32(o + t) - i32(conv.kernel / 2u);
  return select(-1, at, at >= 0 && at < i32(size));
}
