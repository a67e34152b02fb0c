// Shared by the batch norm kernels (prepended after model.wgsl, activation.wgsl and
// elementwise.wgsl): PyTorch's BatchNorm1d / BatchNorm2d over a layer of `channels` channels
// of `plane` (H·W) values per row, per channel over rows × plane. The x side (the layer's
// input, or its gradient) of model m starts at x_offset + m · x_model_stride, the y side (z,
// a, or the gradient at z) at m · y_model_stride; element (b, c, p) lies at (b·C + c)·plane + p
// from there. γ and β are [C] at scale_offset and shift_offset within a model's parameters
// (or gradients), the running mean and variance [C] at mean_offset and variance_offset within
// its running statistics; `batch` holds each model's batch mean [C] then biased variance [C].
// A masked layer's model uses its hidden_units channels; the rest stay 0. Same words as
// src/train/cpu/batchnorm.ts.

struct BatchNormParams {
  models: u32,
  rows: u32,
  channels: u32,
  plane: u32,
  masked: u32,
  training: u32,
  epsilon: f32,
  momentum: f32,
  x_offset: u32,
  x_model_stride: u32,
  y_model_stride: u32,
  param_model_stride: u32,
  scale_offset: u32,
  shift_offset: u32,
  statistics_model_stride: u32,
  mean_offset: u32,
  variance_offset: u32,
}

@group(0) @binding(0) var<uniform> norm: BatchNormParams;
@group(0) @binding(1) var<storage, read> hypers: array<ModelHyper>;

// Channels model `model` uses.
fn used_channels(model: u32) -> u32 {
  return select(norm.channels, hypers[model].hidden_units, norm.masked != 0u);
}

// Offset of element `i` (0 <= i < rows · plane) of channel c within one model's rows.
fn in_channel(c: u32, i: u32) -> u32 {
  return (i / norm.plane * norm.channels + c) * norm.plane + i % norm.plane;
}

// Index of element `i` of channel c of model m's x side.
fn channel_element(model: u32, c: u32, i: u32) -> u32 {
  return norm.x_offset + model * norm.x_model_stride + in_channel(c, i);
}

// The batch's mean and biased variance of channel c of model m (batchnorm_statistics wrote them).
fn batch_mean(model: u32, c: u32) -> f32 {
  return batch[model * 2u * norm.channels + c];
}

fn batch_variance(model: u32, c: u32) -> f32 {
  return batch[model * 2u * norm.channels + norm.channels + c];
}

// The channel of element `within` of a model's rows.
fn channel_of(within: u32) -> u32 {
  return (within / norm.plane) % norm.channels;
}
