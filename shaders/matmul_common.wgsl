// Shared by the three matmul kernels (prepended to each, after activation.wgsl, model.wgsl
// and elementwise.wgsl): the parameter struct, the operand bindings and block helpers.
// Every matmul works on all models of the population at once, over one flat grid of 4×4
// output blocks (dense, so narrow layers leave no idle invocations, and few workgroups,
// each of which costs about an empty dispatch on SwiftShader). Operand element (model, i)
// lives at offset + model * model_stride + i (model_stride 0 shares an operand). m, k, n
// name the forward product [m×k]·[k×n]; each kernel says which it sums over.
// Each invocation keeps its 4×4 block in four named vec4 accumulators: on SwiftShader
// register blocking beats workgroup-memory tiling, whose barriers cost more than the loads
// they save, and a private array indexed in a loop is slower still (measured: 4×8 and 8×8
// blocks held in arrays lost to 4×4 in named registers).
//
// With EPILOGUE set, each kernel also does the layer's elementwise step as it stores,
// saving a dispatch and a pass over memory: forward adds the bias and applies the
// activation, input-gradient multiplies by act'(z), weight-gradient also sums the bias
// gradient. Stores cost most on SwiftShader, so forward keeps only what is read later:
// epilogue 1 (a hidden layer) stores a = act(z), and z too only for the gelus, whose
// derivatives need it; epilogue 2 (the output layer) stores z, the logits or predictions. The layer's
// bias (or its gradient) for model m starts at m * (parameter buffer's model stride) +
// bias_offset. In a hidden layer, columns at or beyond the model's width (its hiddenUnits)
// are padding and are stored as exact zeros, so padding never changes a model's math.
// The epilogue and its activation are pipeline constants, not uniforms: SwiftShader runs
// every case of a switch (and both sides of a branch) with lanes masked off, so a uniform
// activation code cost every activation's arithmetic four times per block (measured:
// ~0.7 ms of a 1.6 ms first-layer forward on the 64-model workload).

struct MatmulParams {
  models: u32,
  m: u32,
  k: u32,
  n: u32,
  a_offset: u32,
  a_model_stride: u32,
  b_offset: u32,
  b_model_stride: u32,
  c_offset: u32,
  c_model_stride: u32,
  bias_offset: u32,
}

const NO_EPILOGUE: u32 = 0u;
const HIDDEN_LAYER: u32 = 1u;
const OUTPUT_LAYER: u32 = 2u;
override EPILOGUE: u32 = NO_EPILOGUE;
// The hidden layers' activation code (ACTIVATIONS in src/train/types.ts) that the epilogue applies or differentiates.
override ACTIVATION: u32 = 0u;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
// Written 16 bytes at a time when VECTOR_STORES, else one component at a time (see store_c).
@group(0) @binding(3) var<storage, read_write> c: array<vec4f>;
// The same buffers as a and b, read 16 bytes at a time when VECTOR_LOADS: SwiftShader pays
// per load and lane, so one vec4 load instead of four scalar ones makes the product
// 1.5-2x faster. Only for aligned operands: the summed dimension (and, where a kernel
// says, the other one) a multiple of 4, and every offset and model stride too.
@group(0) @binding(4) var<storage, read> a4: array<vec4f>;
@group(0) @binding(5) var<storage, read> b4: array<vec4f>;

override VECTOR_LOADS: bool = false;
// One operand alone read 16 bytes at a time, in the kernels that read a's rows along K and
// b's rows along N (forward, weight gradient), so the thin first layer (K = 2: b's rows)
// and output layer (N = 2: a's rows) gain too (measured: output-layer forward 15% faster).
// A_VECTORS: K, a_offset and a_model_stride multiples of 4; B_VECTORS: N, b_offset and
// b_model_stride. VECTOR_LOADS sets both.
override A_VECTORS: bool = VECTOR_LOADS;
override B_VECTORS: bool = VECTOR_LOADS;
// c's rows, offset and model stride (and bias_offset) are multiples of 4, so every block row
// starts on a vec4 and is whole: one store instead of four (measured ~15% of a forward).
override VECTOR_STORES: bool = false;
// A dense first layer's training products (forward, weight gradient) read the step's batch
// in place instead of a copy of it: a is the training set (a_offset and a_model_stride 0)
// and row r of model m's batch is a's row batch_rows[m * params.m + r] (drawn by
// batch_gather.wgsl). Both kernels declare batch_rows either way.
override GATHER: bool = false;

const LANES = vec4u(0u, 1u, 2u, 3u);

// Indices of 4 consecutive rows (or columns) from `first`, clamped to `count - 1` so the
// inner loops load without branches; the clamped duplicates are never stored.
fn clamped4(first: u32, count: u32) -> vec4u {
  return min(vec4u(first) + LANES, vec4u(count - 1u));
}

// The 4×4 block of a [rows×cols] output that flat invocation `index` owns.
struct Block {
  model: u32,
  row0: u32,
  col0: u32,
}

fn block_of(index: u32, rows: u32, cols: u32) -> Block {
  let col_blocks = (cols + 3u) / 4u;
  let per_model = ((rows + 3u) / 4u) * col_blocks;
  let within = index % per_model;
  return Block(index / per_model, (within / col_blocks) * 4u, (within % col_blocks) * 4u);
}

fn block_count(models: u32, rows: u32, cols: u32) -> u32 {
  return models * ((rows + 3u) / 4u) * ((cols + 3u) / 4u);
}

// Which of the 4 columns from col0 are the model's own (not padding): its hiddenUnits in a
// hidden layer, else all `cols` columns.
fn own_columns(col0: u32, cols: u32, hidden_units: u32) -> vec4<bool> {
  return vec4u(col0) + LANES < vec4u(select(cols, hidden_units, EPILOGUE == HIDDEN_LAYER));
}

// Stores the first min(4, count) lanes of `values` at float index `at` of c; whole rows take
// no branch per lane.
fn store_c(at: u32, values: vec4f, count: u32) {
  if (VECTOR_STORES) {
    c[at / 4u] = values;
    return;
  }
  if (count >= 4u) {
    c[at / 4u][at % 4u] = values.x;
    c[(at + 1u) / 4u][(at + 1u) % 4u] = values.y;
    c[(at + 2u) / 4u][(at + 2u) % 4u] = values.z;
    c[(at + 3u) / 4u][(at + 3u) % 4u] = values.w;
    return;
  }
  for (var j = 0u; j < count; j = j + 1u) {
    c[(at + j) / 4u][(at + j) % 4u] = values[j];
  }
}
