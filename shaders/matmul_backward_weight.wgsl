// The weight gradient c[K×N] = a[M×K]ᵀ · b[M×N] (a = the layer's input, b = dy), summed
// over the M rows; it overwrites c. With the epilogue the threads of the first block row
// also store the bias gradient Σ_m b[m, j], summed in row order alongside.
// (activation.wgsl, model.wgsl, elementwise.wgsl and matmul_common.wgsl precede.)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= block_count(params.models, params.k, params.n)) {
    return;
  }
  let block = block_of(index, params.k, params.n);
  let model = block.model;
  let row0 = block.row0;
  let col0 = block.col0;
  let rows = clamped4(row0, params.k) + params.a_offset + model * params.a_model_stride;
  let cols = clamped4(col0, params.n) + params.b_offset + model * params.b_model_stride;
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  var bias_acc = vec4f(0.0);
  for (var m = 0u; m < params.m; m = m + 1u) {
    let ar = rows + m * params.k;
    let br = cols + m * params.n;
    let bv = vec4f(b[br.x], b[br.y], b[br.z], b[br.w]);
    acc[0] = acc[0] + a[ar.x] * bv;
    acc[1] = acc[1] + a[ar.y] * bv;
    acc[2] = acc[2] + a[ar.z] * bv;
    acc[3] = acc[3] + a[ar.w] * bv;
    bias_acc = bias_acc + bv;
  }
  let base = params.c_offset + model * params.c_model_stride;
  for (var i = 0u; i < 4u; i = i + 1u) {
    if (row0 + i < params.k) {
      for (var j = 0u; j < 4u; j = j + 1u) {
        if (col0 + j < params.n) {
          c[base + (row0 + i) * params.n + col0 + j] = acc[i][j];
        }
      }
    }
  }
  if (params.epilogue != 0u && row0 == 0u) {
    let bias = model * params.c_model_stride + params.bias_offset;
    for (var j = 0u; j < 4u; j = j + 1u) {
      if (col0 + j < params.n) {
        c[bias + col0 + j] = bias_acc[j];
      }
    }
  }
}
