// The gradients of γ and β, one workgroup per (model, channel): dβ = Σ dy, dγ = Σ dy·x̂ with
// x̂ = (x - mean)/sqrt(variance + ε) by the batch's statistics; 0 beyond the used channels.
// dy is the gradient at z (the y side). (model.wgsl, activation.wgsl, elementwise.wgsl,
// batchnorm_common.wgsl and reduce_common.wgsl precede.)

@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read> batch: array<f32>;
@group(0) @binding(5) var<storage, read_write> gradients: array<f32>;

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
  let mean = batch_mean(model, c);
  let inverse = 1.0 / sqrt(batch_variance(model, c) + norm.epsilon);
  let count = norm.rows * norm.plane;
  var sum_dy = 0.0;
  var sum_dy_xhat = 0.0;
  for (var i = lid; i < count; i = i + WORKGROUP_SIZE) {
    let g = dy[model * norm.y_model_stride + in_channel(c, i)];
    sum_dy = sum_dy + g;
    sum_dy_xhat = sum_dy_xhat + g * (x[channel_element(model, c, i)] - mean) * inverse;
  }
  let shift = workgroup_sum(sum_dy, lid);
  let scale = workgroup_sum(sum_dy_xhat, lid);
  if (lid != 0u) {
    return;
  }
  let used = c < used_channels(model);
  let params = model * norm.param_model_stride;
  gradients[params + norm.scale_offset + c] = select(0.0, scale, used);
  gradients[params + norm.shift_offset + c] = select(0.0, shift, used);
}
