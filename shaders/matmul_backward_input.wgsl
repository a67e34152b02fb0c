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
  let rows = clamped4(block.row0, params.m) * params.n + params.a_offset + model * params.a_model_stride;
  let cols = clamped4(block.col0, params.k) * params.n + params.b_offset + model * params.b_model_stride;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var n = 0u; n < params.n; n = n + 1u) {
    let bv = vec4f(b[cols.x + n], b[cols.y + n], b[cols.z + n], b[cols.w + n]);
    acc0 = acc0 + a[rows.x + n] * bv;
    acc1 = acc1 + a[rows.y + n] * bv;
    acc2 = acc2 + a[rows.z + n] * bv;
    acc3 = acc3 + a[rows.w + n] * bv;
  }
  store_row(block, 0u, acc0);
  store_row(block, 1u, acc1);
  store_row(block, 2u, acc2);
  store_row(block, 3u, acc3);
}

fn store_row(block: Block, i: u32, value: vec4f) {
  let row = block.row0 + i;
  if (row >= params.m) {
    return;
  }
  let row_start = params.c_offset + block.model * params.c_model_stride + row * params.k;
  let count = params.k - block.col0;
  if (params.epilogue == 0u) {
    store_c(row_start + block.col0, value, count);
    return;
  }
  let zs = clamped4(block.col0, params.k) + row_start;
  let derivative = activation_derivative(params.activation, vec4f(z[zs.x], z[zs.y], z[zs.z], z[zs.w]));
  let own = own_columns(block.col0, params.k, hypers[block.model].hidden_units);
  store_c(row_start + block.col0, select(vec4f(0.0), value * derivative, own), count);
}
