// z = γ·(x - mean)/sqrt(variance + ε) + β and a = act(z), one invocation per element: the
// batch's statistics in training, the running ones when evaluating; 0 beyond the used
// channels. (model.wgsl, activation.wgsl, elementwise.wgsl and batchnorm_common.wgsl precede.)

@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> parameters: array<f32>;
@group(0) @binding(4) var<storage, read> batch: array<f32>;
@group(0) @binding(5) var<storage, read> statistics: array<f32>;
@group(0) @binding(6) var<storage, read_write> z: array<f32>;
@group(0) @binding(7) var<storage, read_write> a: array<f32>;

override ACTIVATION: u32 = 0u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let per_model = norm.rows * norm.channels * norm.plane;
  if (index >= norm.models * per_model) {
    return;
  }
  let model = index / per_model;
  let within = index % per_model;
  let c = channel_of(within);
  let out = model * norm.y_model_stride + within;
  if (c >= used_channels(model)) {
    z[out] = 0.0;
    a[out] = 0.0;
    return;
  }
  var mean: f32;
  var variance: f32;
  if (norm.training != 0u) {
    mean = batch_mean(model, c);
    variance = batch_variance(model, c);
  } else {
    let at = model * norm.statistics_model_stride;
    mean = statistics[at + norm.mean_offset + c];
    variance = statistics[at + norm.variance_offset + c];
  }
  let params = model * norm.param_model_stride;
  let value = parameters[params + norm.scale_offset + c] * (x[norm.x_offset + model * norm.x_model_stride + within] - mean) /
    sqrt(variance + norm.epsilon) + parameters[params + norm.shift_offset + c];
  z[out] = value;
  a[out] = activate(ACTIVATION, vec4f(value)).x;
}
