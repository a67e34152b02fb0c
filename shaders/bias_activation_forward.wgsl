// z = pre + bias, a = act(z) in place over a layer's pre-activations; columns at or beyond
// the model's own width (its hiddenUnits when mask_hidden) are padding and stay exactly 0,
// so padding never changes a model's math. (model.wgsl, elementwise.wgsl and
// layer_common.wgsl precede.)

@group(0) @binding(0) var<uniform> layer: LayerParams;
@group(0) @binding(1) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(2) var<storage, read> parameters: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> a: array<f32>;

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
  if (j >= width) {
    z[at] = 0.0;
    a[at] = 0.0;
    return;
  }
  let zv = z[at] + parameters[model * layer.param_count + layer.bias_offset + j];
  z[at] = zv;
  a[at] = activate(layer.activation, zv);
}
