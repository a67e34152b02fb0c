// dz = da · act'(z) in place over a layer's gradient; 0 in the padding columns at or
// beyond the model's width. (model.wgsl, elementwise.wgsl and layer_common.wgsl precede.)

@group(0) @binding(0) var<uniform> layer: LayerParams;
@group(0) @binding(1) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  let per_model = layer.rows * layer.cols;
  if (i >= layer.models * per_model) {
    return;
  }
  let model = i / per_model;
  let r = (i % per_model) / layer.cols;
  let j = i % layer.cols;
  let at = model * layer.model_stride + r * layer.cols + j;
  let width = select(layer.cols, hypers[model].hidden_units, layer.mask_hidden != 0u);
  delta[at] = select(0.0, delta[at] * activation_derivative(layer.activation, z[at]), j < width);
}
