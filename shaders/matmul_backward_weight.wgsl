// The weight gradient c[K×N] = a[M×K]ᵀ · b[M×N] (a = the layer's input, b = dy), summed
// over the M rows; it overwrites c. With the epilogue the threads of the first block row
// also store the bias gradient Σ_m b[m, j], summed in row order alongside.
// (activation.wgsl, model.wgsl, elementwise.wgsl and matmul_common.wgsl precede.)

// GATHER: the training row of each slot of the models' batches (matmul_common.wgsl).
@group(0) @binding(6) var<storage, read> batch_rows: array<u32>;

// Row m of a at the block's 4 rows of c, and of b at its 4 columns: one vec4 load each when
// A_VECTORS / B_VECTORS (matmul_common.wgsl), else 4 scalar ones at clamped indices.
fn a_row(block: Block, m: u32) -> vec4f {
  var start = params.a_offset + block.model * params.a_model_stride + m * params.k;
  if (GATHER) {
    start = batch_rows[block.model * params.m + m] * params.k;
  }
  if (A_VECTORS) {
    return a4[(start + block.row0) / 4u];
  }
  let at = clamped4(block.row0, params.k) + start;
  return vec4f(a[at.x], a[at.y], a[at.z], a[at.w]);
}

fn b_row(block: Block, m: u32) -> vec4f {
  let start = params.b_offset + block.model * params.b_model_stride + m * params.n;
  if (B_VECTORS) {
    return b4[(start + block.col0) / 4u];
  }
  let at = clamped4(block.col0, params.n) + start;
  return vec4f(b[at.x], b[at.y], b[at.z], b[at.w]);
}

// The block's 4 rows of c and its bias gradient, summed so far.
struct Sums {
  c0: vec4f,
  c1: vec4f,
  c2: vec4f,
  c3: vec4f,
  bias: vec4f,
}

fn accumulate(sums: ptr<function, Sums>, block: Block, m: u32) {
  let av = a_row(block, m);
  let bv = b_row(block, m);
  (*sums).c0 = (*sums).c0 + av.x * bv;
  (*sums).c1 = (*sums).c1 + av.y * bv;
  (*sums).c2 = (*sums).c2 + av.z * bv;
  (*sums).c3 = (*sums).c3 + av.w * bv;
  (*sums).bias = (*sums).bias + bv;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= block_count(params.models, params.k, params.n)) {
    return;
  }
  let block = block_of(index, params.k, params.n);
  var sums = Sums(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  // 4 rows per iteration while they last, then the rest: SwiftShader pays per loop
  // iteration (lane masks, merges), ~20% of this kernel's time at one row per iteration.
  var m = 0u;
  for (; m + 4u <= params.m; m = m + 4u) {
    accumulate(&sums, block, m);
    accumulate(&sums, block, m + 1u);
    accumulate(&sums, block, m + 2u);
    accumulate(&sums, block, m + 3u);
  }
  for (; m < params.m; m = m + 1u) {
    accumulate(&sums, block, m);
  }
  let base = params.c_offset + block.model * params.c_model_stride + block.col0;
  let count = params.n - block.col0;
  let rows_left = params.k - block.row0;
  store_c(base + block.row0 * params.n, sums.c0, count);
  if (rows_left > 1u) {
    store_c(base + (block.row0 + 1u) * params.n, sums.c1, count);
  }
  if (rows_left > 2u) {
    store_c(base + (block.row0 + 2u) * params.n, sums.c2, count);
  }
  if (rows_left > 3u) {
    store_c(base + (block.row0 + 3u) * params.n, sums.c3, count);
  }
  if (EPILOGUE != NO_EPILOGUE && block.row0 == 0u) {
    store_c(block.model * params.c_model_stride + params.bias_offset + block.col0, sums.bias, count);
  }
}
