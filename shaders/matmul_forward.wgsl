// c[M×N] = a[M×K] · b[K×N] (activations times weights), summed over K. Each thread owns a
// 4×4 block of c in registers: on SwiftShader register blocking beats workgroup-memory
// tiling, whose barriers cost more than the loads they save. (matmul_common.wgsl precedes.)

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= params.m || col0 >= params.n) {
    return;
  }
  let model = gid.z;
  let rows = clamped4(row0, params.m) * params.k + params.a_offset + model * params.a_model_stride;
  let cols = clamped4(col0, params.n) + params.b_offset + model * params.b_model_stride;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < params.k; k = k + 1u) {
    let bk = cols + k * params.n;
    let bv = vec4f(b[bk.x], b[bk.y], b[bk.z], b[bk.w]);
    acc0 = acc0 + a[rows.x + k] * bv;
    acc1 = acc1 + a[rows.y + k] * bv;
    acc2 = acc2 + a[rows.z + k] * bv;
    acc3 = acc3 + a[rows.w + k] * bv;
  }
  store_block(model, row0, col0, params.m, params.n, array<vec4f, 4>(acc0, acc1, acc2, acc3));
}
