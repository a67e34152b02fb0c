// y = x · dropout_factor, one invocation per element. (random.wgsl, model.wgsl,
// activation.wgsl, dropout_common.wgsl and elementwise.wgsl precede.)

@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let per_model = dropout.rows * dropout.size;
  if (index >= dropout.models * per_model) {
    return;
  }
  let model = index / per_model;
  let within = index % per_model;
  y[model * dropout.y_model_stride + within] =
    x[dropout.x_offset + model * dropout.x_model_stride + within] * dropout_factor(model, within);
}
