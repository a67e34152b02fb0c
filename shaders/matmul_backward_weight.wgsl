// The weight gradient c[K×N] = a[M×K]ᵀ · b[M×N] (a = the layer's input, b = dy), summed
// over the M rows; it overwrites c. 4×4 register blocks with clamped loads, as in
// matmul_forward. (matmul_common.wgsl precedes.)

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= params.k || col0 >= params.n) {
    return;
  }
  let model = gid.z;
  let rows = clamped4(row0, params.k) + params.a_offset + model * params.a_model_stride;
  let cols = clamped4(col0, params.n) + params.b_offset + model * params.b_model_stride;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var m = 0u; m < params.m; m = m + 1u) {
    let ar = rows + m * params.k;
    let br = cols + m * params.n;
    let bv = vec4f(b[br.x], b[br.y], b[br.z], b[br.w]);
    acc0 = acc0 + a[ar.x] * bv;
    acc1 = acc1 + a[ar.y] * bv;
    acc2 = acc2 + a[ar.z] * bv;
    acc3 = acc3 + a[ar.w] * bv;
  }
  store_block(model, row0, col0, params.k, params.n, array<vec4f, 4>(acc0, acc1, acc2, acc3));
}
