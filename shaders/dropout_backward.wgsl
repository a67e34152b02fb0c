// The input gradient dx = dy · dropout_factor (the same mask as the step's forward), one
// invocation per element; with EPILOGUE, times the previous layer's act' from `kept` (laid
// out like dx), and with MASKED, 0 beyond the model's hidden units (a hidden dense layer's
// padding). (random.wgsl, model.wgsl, activation.wgsl, dropout_common.wgsl and
// elementwise.wgsl precede.)

@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read> kept: array<f32>;

override EPILOGUE: bool = false;
override MASKED: bool = false;
override ACTIVATION: u32 = 0u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let per_model = dropout.rows * dropout.size;
  if (index >= dropout.models * per_model) {
    return;
  }
  let model = index / per_model;
  let within = index % per_model;
  let at = dropout.x_offset + model * dropout.x_model_stride + within;
  var gradient = dy[model * dropout.y_model_stride + within] * dropout_factor(model, within);
  if (EPILOGUE) {
    gradient = gradient * activation_derivative(ACTIVATION, vec4f(kept[at])).x;
  }
  if (MASKED && within % dropout.size >= hypers[model].hidden_units) {
    gradient = 0.0;
  }
  dx[at] = gradient;
}
