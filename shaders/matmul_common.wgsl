// Shared by the three matmul kernels (prepended to each): the parameter struct, the
// bindings and the store of one thread's 4×4 register block. Every matmul works on all
// models of the population at once: workgroup z is the model, and each operand's element
// (model, i) lives at offset + model * model_stride + i (model_stride 0 shares an operand).
// m, k, n name the forward product [m×k]·[k×n]; each kernel says which it sums over.

struct MatmulParams {
  m: u32,
  k: u32,
  n: u32,
  a_offset: u32,
  a_model_stride: u32,
  b_offset: u32,
  b_model_stride: u32,
  c_offset: u32,
  c_model_stride: u32,
}

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

override WORKGROUP_X: u32 = 8u;
override WORKGROUP_Y: u32 = 8u;

const LANES = vec4u(0u, 1u, 2u, 3u);

// Indices of 4 consecutive rows (or columns) from `first`, clamped to `count - 1` so the
// inner loops load without branches; the clamped duplicates are never stored.
fn clamped4(first: u32, count: u32) -> vec4u {
  return min(vec4u(first) + LANES, vec4u(count - 1u));
}

// Writes the in-range part of a 4×4 block whose top-left is (row0, col0) of a [rows×cols] c.
fn store_block(model: u32, row0: u32, col0: u32, rows: u32, cols: u32, block: array<vec4f, 4>) {
  let base = params.c_offset + model * params.c_model_stride;
  for (var i = 0u; i < 4u; i = i + 1u) {
    if (row0 + i < rows) {
      for (var j = 0u; j < 4u; j = j + 1u) {
        if (col0 + j < cols) {
          c[base + (row0 + i) * cols + col0 + j] = block[i][j];
        }
      }
    }
  }
}
