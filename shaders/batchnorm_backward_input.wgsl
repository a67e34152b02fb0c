// The input gradient of a training step, one invocation per element:
// dx = γ/σ · (dy - dβ/N - x̂·dγ/N), σ = sqrt(variance + ε), x̂ = (x - mean)/σ, N = rows·plane,
// with the batch's statistics and this step's dγ, dβ (batchnorm_backward_parameters ran
// first); 0 beyond the used channels. Written into the previous layer's delta: with EPILOGUE,
// times its act' from `kept` (laid out like x), with MASKED 0 beyond the model's hidden units.
// (model.wgsl, activation.wgsl, elementwise.wgsl and batchnorm_common.wgsl precede.)

@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read> batch: array<f32>;
@group(0) @binding(5) var<storage, read> parameters: array<f32>;
@group(0) @binding(6) var<storage, read> gradients: array<f32>;
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;
@group(0) @binding(8) var<storage, read> kept: array<f32>;

override EPILOGUE: bool = false;
override MASKED: bool = false;
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
  let at = norm.x_offset + model * norm.x_model_stride + within;
  var gradient = 0.0;
  if (c < used_channels(model)) {
    let mean = batch_mean(model, c);
    let inverse = 1.0 / sqrt(batch_variance(model, c) + norm.epsilon);
    let params = model * norm.param_model_stride;
    let count = f32(norm.rows * norm.plane);
    let xhat = (x[at] - mean) * inverse;
    gradient = parameters[params + norm.scale_offset + c] * inverse *
      (dy[model * norm.y_model_stride + within] - gradients[params + norm.shift_offset + c] / count -
        xhat * gradients[params + norm.scale_offset + c] / count);
    if (EPILOGUE) {
      gradient = gradient * activation_derivative(ACTIVATION, vec4f(kept[at])).x;
    }
  }
  if (MASKED && within % (norm.channels * norm.plane) >= hypers[model].hidden_units) {
    gradient = 0.0;
  }
  dx[at] = gradient;
}
