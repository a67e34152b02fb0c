// The input gradient c[M×K] = a[M×N] · b[K×N]ᵀ (a = dy, b = the layer's weights), summed
// over N. 4×4 register blocks with clamped loads, as in matmul_forward.
// (matmul_common.wgsl precedes.)

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= params.m || col0 >= params.k) {
    return;
  }
  let model = gid.z;
  let rows = clamped4(row0, params.m) * params.n + params.a_offset + model * params.a_model_stride;
  let cols = clamped4(col0, params.k) * params.n + params.b_offset + model * params.b_model_stride;
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
  store_block(model, row0, col0, params.m, params.k, array<vec4f, 4>(acc0, acc1, acc2, acc3));
}
