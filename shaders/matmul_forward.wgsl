// c[M×N] = a[M×K] · b[K×N] (activations times weights), summed over K. With the epilogue
// (a layer's forward step) b is the parameter buffer, z = a·W + bias, and `activations`
// receives act(z) and c receives z as matmul_common.wgsl says; both are 0 in the padding columns.
// With GATHER, a's rows are the step's batch of the training set (matmul_common.wgsl).
// (activation.wgsl, model.wgsl, elementwise.wgsl and matmul_common.wgsl precede.)

@group(0) @binding(6) var<storage, read> hypers: array<ModelHyper>;
// Laid out like c, and stored like it (store_c).
@group(0) @binding(7) var<storage, read_write> activations: array<vec4f>;
// GATHER: the training row of each slot of the models' batches (matmul_common.wgsl).
@group(0) @binding(8) var<storage, read> batch_rows: array<u32>;

// Where the block's 4 rows of a start (clamped to the last row, as clamped4).
fn a_rows(block: Block) -> vec4u {
  let rows = clamped4(block.row0, params.m);
  if (GATHER) {
    let slots = rows + block.model * params.m;
    return vec4u(batch_rows[slots.x], batch_rows[slots.y], batch_rows[slots.z], batch_rows[slots.w]) * params.k;
  }
  return rows * params.k + params.a_offset + block.model * params.a_model_stride;
}

// Where the block's 4 columns of b start: b's indices (clamped) and, for B_VECTORS, b4's.
struct Columns {
  at: vec4u,
  at4: u32,
  n4: u32,
}

// Row k of b at the block's 4 columns.
fn b_row(cols: Columns, k: u32) -> vec4f {
  if (B_VECTORS) {
    return b4[cols.at4 + k * cols.n4];
  }
  let at = cols.at + k * params.n;
  return vec4f(b[at.x], b[at.y], b[at.z], b[at.w]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= block_count(params.models, params.m, params.n)) {
    return;
  }
  let block = block_of(index, params.m, params.n);
  let model = block.model;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  let rows = a_rows(block);
  let b_start = params.b_offset + model * params.b_model_stride;
  let cols = Columns(clamped4(block.col0, params.n) + b_start, (b_start + block.col0) / 4u, params.n / 4u);
  if (A_VECTORS) {
    // K a multiple of 4: a row's k..k+3 in one load, times b's rows k..k+3.
    let rows4 = rows / 4u;
    let k4s = params.k / 4u;
    for (var k4 = 0u; k4 < k4s; k4 = k4 + 1u) {
      let b0 = b_row(cols, 4u * k4);
      let b1 = b_row(cols, 4u * k4 + 1u);
      let b2 = b_row(cols, 4u * k4 + 2u);
      let b3 = b_row(cols, 4u * k4 + 3u);
      let a0 = a4[rows4.x + k4];
      let a1 = a4[rows4.y + k4];
      let a2 = a4[rows4.z + k4];
      let a3 = a4[rows4.w + k4];
      acc0 = acc0 + a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
      acc1 = acc1 + a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
      acc2 = acc2 + a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
      acc3 = acc3 + a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
    }
  } else {
    for (var k = 0u; k < params.k; k = k + 1u) {
      let bv = b_row(cols, k);
      acc0 = acc0 + a[rows.x + k] * bv;
      acc1 = acc1 + a[rows.y + k] * bv;
      acc2 = acc2 + a[rows.z + k] * bv;
      acc3 = acc3 + a[rows.w + k] * bv;
    }
  }
  // The epilogue's bias and padding mask are the same for the block's 4 rows.
  let bias_at = clamped4(block.col0, params.n) + model * params.b_model_stride + params.bias_offset;
  let bias = vec4f(b[bias_at.x], b[bias_at.y], b[bias_at.z], b[bias_at.w]);
  let own = own_columns(block.col0, params.n, hypers[model].hidden_units);
  store_row(block, 0u, acc0, bias, own);
  store_row(block, 1u, acc1, bias, own);
  store_row(block, 2u, acc2, bias, own);
  store_row(block, 3u, acc3, bias, own);
}

fn store_row(block: Block, i: u32, value: vec4f, bias: vec4f, own: vec4<bool>) {
  let row = block.row0 + i;
  if (row >= params.m) {
    return;
  }
  let at = params.c_offset + block.model * params.c_model_stride + row * params.n + block.col0;
  let count = params.n - block.col0;
  if (EPILOGUE == NO_EPILOGUE) {
    store_c(at, value, count);
    return;
  }
  let z = select(vec4f(0.0), value + bias, own);
  if (EPILOGUE == OUTPUT_LAYER || keeps_pre_activation(ACTIVATION)) {
    store_c(at, z, count);
  }
  if (EPILOGUE == OUTPUT_LAYER) {
    return;
  }
  let activated = select(vec4f(0.0), activate(ACTIVATION, z), own);
  if (VECTOR_STORES) {
    activations[at / 4u] = activated;
    return;
  }
  if (count >= 4u) {
    activations[at / 4u][at % 4u] = activated.x;
    activations[(at + 1u) / 4u][(at + 1u) % 4u] = activated.y;
    activations[(at + 2u) / 4u][(at + 2u) % 4u] = activated.z;
    activations[(at + 3u) / 4u][(at + 3u) % 4u] = activated.w;
    return;
  }
  for (var j = 0u; j < count; j = j + 1u) {
    activations[(at + j) / 4u][(at + j) % 4u] = activated[j];
  }
}
