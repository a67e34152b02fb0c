// The input gradient c[M×K] = a[M×N] · b[K×N]ᵀ (a = dy, b = the layer's weights), summed
// over N. With the epilogue (back through the previous layer's activation) c receives
// dz = c · act'(z), with z laid out like c, and 0 in the padding columns.
// (activation.wgsl, model.wgsl, elementwise.wgsl and matmul_common.wgsl precede.)

@group(0) @binding(4) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(5) var<storage, read> z: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= block_count(params.models, params.m, params.k)) {
    return;
  }
  let block = block_of(index, params.m, params.k);
  let model = block.model;
  let row0 = block.row0;
  let col0 = block.col0;
  let rows = clamped4(row0, params.m) * params.n + params.a_offset + model * params.a_model_stride;
  let cols = clamped4(col0, params.k) * params.n + params.b_offset + model * params.b_model_stride;
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  for (var n = 0u; n < params.n; n = n + 1u) {
    let bv = vec4f(b[cols.x + n], b[cols.y + n], b[cols.z + n], b[cols.w + n]);
    acc[0] = acc[0] + a[rows.x + n] * bv;
    acc[1] = acc[1] + a[rows.y + n] * bv;
    acc[2] = acc[2] + a[rows.z + n] * bv;
    acc[3] = acc[3] + a[rows.w + n] * bv;
  }
  let base = params.c_offset + model * params.c_model_stride;
  let width = model_width(model, params.k, hypers[model].hidden_units);
  for (var i = 0u; i < 4u; i = i + 1u) {
    if (row0 + i < params.m) {
      for (var j = 0u; j < 4u; j = j + 1u) {
        let col = col0 + j;
        if (col < params.k) {
          let at = base + (row0 + i) * params.k + col;
          if (params.epilogue == 0u) {
            c[at] = acc[i][j];
          } else {
            c[at] = select(0.0, acc[i][j] * activation_derivative(params.activation, z[at]), col < width);
          }
        }
      }
    }
  }
}
