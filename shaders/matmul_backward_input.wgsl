// The input gradient c[M×K] = a[M×N] · b[K×N]ᵀ (a = dy, b = the layer's weights), summed
// over N. With the epilogue (back through the previous layer's activation) c receives
// dz = c · act'(z), and 0 in the padding columns; `kept` is what that layer's forward
// kept, laid out like c: its activations, or z for the gelus (see activation_derivative).
// (activation.wgsl, model.wgsl, elementwise.wgsl and matmul_common.wgsl precede.)

@group(0) @binding(6) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(7) var<storage, read> kept: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= block_count(params.models, params.m, params.k)) {
    return;
  }
  let block = block_of(index, params.m, params.k);
  let model = block.model;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  if (VECTOR_LOADS) {
    // N a multiple of 4: dy's rows and the weights' rows, 4 summed elements at a time.
    let n4s = params.n / 4u;
    let rows = clamped4(block.row0, params.m) * n4s + (params.a_offset + model * params.a_model_stride) / 4u;
    let cols = clamped4(block.col0, params.k) * n4s + (params.b_offset + model * params.b_model_stride) / 4u;
    for (var n4 = 0u; n4 < n4s; n4 = n4 + 1u) {
      let b0 = b4[cols.x + n4];
      let b1 = b4[cols.y + n4];
      let b2 = b4[cols.z + n4];
      let b3 = b4[cols.w + n4];
      let a0 = a4[rows.x + n4];
      let a1 = a4[rows.y + n4];
      let a2 = a4[rows.z + n4];
      let a3 = a4[rows.w + n4];
      acc0 = acc0 + vec4f(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
      acc1 = acc1 + vec4f(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
      acc2 = acc2 + vec4f(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
      acc3 = acc3 + vec4f(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
    }
  } else {
    let rows = clamped4(block.row0, params.m) * params.n + params.a_offset + model * params.a_model_stride;
    let cols = clamped4(block.col0, params.k) * params.n + params.b_offset + model * params.b_model_stride;
    for (var n = 0u; n < params.n; n = n + 1u) {
      let bv = vec4f(b[cols.x + n], b[cols.y + n], b[cols.z + n], b[cols.w + n]);
      acc0 = acc0 + a[rows.x + n] * bv;
      acc1 = acc1 + a[rows.y + n] * bv;
      acc2 = acc2 + a[rows.z + n] * bv;
      acc3 = acc3 + a[rows.w + n] * bv;
    }
  }
  // The padding mask is the same for the block's 4 rows.
  let own = own_columns(block.col0, params.k, hypers[model].hidden_units);
  store_row(block, 0u, acc0, own);
  store_row(block, 1u, acc1, own);
  store_row(block, 2u, acc2, own);
  store_row(block, 3u, acc3, own);
}

fn store_row(block: Block, i: u32, value: vec4f, own: vec4<bool>) {
  let row = block.row0 + i;
  if (row >= params.m) {
    return;
  }
  let row_start = params.c_offset + block.model * params.c_model_stride + row * params.k;
  let count = params.k - block.col0;
  if (EPILOGUE == NO_EPILOGUE) {
    store_c(row_start + block.col0, value, count);
    return;
  }
  let ks = clamped4(block.col0, params.k) + row_start;
  let derivative = activation_derivative(ACTIVATION, vec4f(kept[ks.x], kept[ks.y], kept[ks.z], kept[ks.w]));
  store_c(row_start + block.col0, select(vec4f(0.0), value * derivative, own), count);
}
