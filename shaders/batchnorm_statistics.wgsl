// A training step's batch statistics, one workgroup per (model, channel): the mean and the
// biased variance (two passes, as the CPU's) into `batch`; for a model that is not frozen,
// the running statistics of its used channels move as PyTorch's do: running = (1 - momentum) ·
// running + momentum · batch, the variance's with the unbiased batch variance.
// (model.wgsl, activation.wgsl, elementwise.wgsl, batchnorm_common.wgsl and
// reduce_common.wgsl precede.)

@group(0) @binding(2) var<storage, read> states: array<ModelState>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> batch: array<f32>;
@group(0) @binding(5) var<storage, read_write> statistics: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let group = workgroup_index(wid, groups);
  if (group >= norm.models * norm.channels) {
    return;
  }
  let model = group / norm.channels;
  let c = group % norm.channels;
  let count = norm.rows * norm.plane;
  var sum = 0.0;
  for (var i = lid; i < count; i = i + WORKGROUP_SIZE) {
    sum = sum + x[channel_element(model, c, i)];
  }
  let mean = workgroup_sum(sum, lid) / f32(count);
  var squares = 0.0;
  for (var i = lid; i < count; i = i + WORKGROUP_SIZE) {
    let d = x[channel_element(model, c, i)] - mean;
    squares = squares + d * d;
  }
  let variance = workgroup_sum(squares, lid) / f32(count);
  if (lid != 0u) {
    return;
  }
  batch[model * 2u * norm.channels + c] = mean;
  batch[model * 2u * norm.channels + norm.channels + c] = variance;
  if (is_frozen(states[model]) || c >= used_channels(model)) {
    return;
  }
  let at = model * norm.statistics_model_stride;
  let unbiased = variance * f32(count) / f32(count - 1u);
  statistics[at + norm.mean_offset + c] = (1.0 - norm.momentum) * statistics[at + norm.mean_offset + c] + norm.momentum * mean;
  statistics[at + norm.variance_offset + c] =
    (1.0 - norm.momentum) * statistics[at + norm.variance_offset + c] + norm.momentum * unbiased;
}
