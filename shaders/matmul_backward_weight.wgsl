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
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var bias = vec4f(0.0);
  if (VECTOR_LOADS) {
    // K and N multiples of 4: row m of a holds this block's 4 rows' inputs side by side.
    let k4 = params.k / 4u;
    let n4 = params.n / 4u;
    let rows = (block.row0 + params.a_offset + model * params.a_model_stride) / 4u;
    let cols = (block.col0 + params.b_offset + model * params.b_model_stride) / 4u;
    for (var m = 0u; m < params.m; m = m + 1u) {
      let av = a4[rows + m * k4];
      let bv = b4[cols + m * n4];
      acc0 = acc0 + av.x * bv;
      acc1 = acc1 + av.y * bv;
      acc2 = acc2 + av.z * bv;
      acc3 = acc3 + av.w * bv;
      bias = bias + bv;
    }
  } else {
    let rows = clamped4(block.row0, params.k) + params.a_offset + model * params.a_model_stride;
    let cols = clamped4(block.col0, params.n) + params.b_offset + model * params.b_model_stride;
    for (var m = 0u; m < params.m; m = m + 1u) {
      let ar = rows + m * params.k;
      let br = cols + m * params.n;
      let bv = vec4f(b[br.x], b[br.y], b[br.z], b[br.w]);
      acc0 = acc0 + a[ar.x] * bv;
      acc1 = acc1 + a[ar.y] * bv;
      acc2 = acc2 + a[ar.z] * bv;
      acc3 = acc3 + a[ar.w] * bv;
      bias = bias + bv;
    }
  }
  let base = params.c_offset + model * params.c_model_stride + block.col0;
  let count = params.n - block.col0;
  let rows_left = params.k - block.row0;
  store_c(base + block.row0 * params.n, acc0, count);
  if (rows_left > 1u) {
    store_c(base + (block.row0 + 1u) * params.n, acc1, count);
  }
  if (rows_left > 2u) {
    store_c(base + (block.row0 + 2u) * params.n, acc2, count);
  }
  if (rows_left > 3u) {
    store_c(base + (block.row0 + 3u) * params.n, acc3, count);
  }
  if (EPILOGUE != NO_EPILOGUE && block.row0 == 0u) {
    store_c(model * params.c_model_stride + params.bias_offset + block.col0, bias, count);
  }
}
