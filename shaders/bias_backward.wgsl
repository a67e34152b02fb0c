// The bias gradient db[j] = Σ_r dz[r, j], one thread per (model, column), summed in row
// order. (model.wgsl, elementwise.wgsl and layer_common.wgsl precede.)

@group(0) @binding(0) var<uniform> layer: LayerParams;
@group(0) @binding(1) var<storage, read> delta: array<f32>;
@group(0) @binding(2) var<storage, read_write> gradients: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  if (i >= layer.models * layer.cols) {
    return;
  }
  let model = i / layer.cols;
  let j = i % layer.cols;
  let base = model * layer.model_stride + j;
  var sum = 0.0;
  for (var r = 0u; r < layer.rows; r = r + 1u) {
    sum = sum + delta[base + r * layer.cols];
  }
  gradients[model * layer.param_count + layer.bias_offset + j] = sum;
}
