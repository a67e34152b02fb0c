// Fills one 'normal' parameter block (a [rows × cols] matrix) of every model, one thread per
// element: element (i, j) of layer `layer` = normal(initSeed, layer, i, j) · scale inside the
// model's own used rows × cols, with He scale sqrt(2 / fanIn) or Xavier sqrt(2 / (fanIn +
// fanOut)) from its used widths; the padding is 0. With `ones`, a 'ones' block (of the
// parameters or the running statistics): 1 inside the used rows × cols. Other blocks (biases) keep the zeros a
// new buffer starts with. Same words as initParameters in src/train/cpu/ops.ts; each layer
// kind (src/train/gpu/layers.ts) says how its used rows, columns and fans follow from the
// model's width. (random.wgsl, model.wgsl and elementwise.wgsl precede.)

// Used rows: the model's hidden units when rows_masked, else all rows. Used
// columns: the model's hidden units when cols_masked, else all columns. fan_out = used columns
// × fan_out_per_col (PyTorch counts a conv filter's kernel positions too).
struct InitParams {
  models: u32,
  model_stride: u32,
  offset: u32,
  rows: u32,
  cols: u32,
  layer: u32,
  rows_masked: u32,
  cols_masked: u32,
  fan_out_per_col: u32,
  xavier: u32,
  ones: u32,
}

@group(0) @binding(0) var<uniform> init: InitParams;
@group(0) @binding(1) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(2) var<storage, read_write> parameters: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let size = init.rows * init.cols;
  if (index >= init.models * size) {
    return;
  }
  let model = index / size;
  let i = (index % size) / init.cols;
  let j = index % init.cols;
  let hidden = hypers[model].hidden_units;
  let fan_in = select(init.rows, hidden, init.rows_masked != 0u);
  let used_cols = select(init.cols, hidden, init.cols_masked != 0u);
  let fan_out = used_cols * init.fan_out_per_col;
  var value = 0.0;
  if (i < fan_in && j < used_cols && init.ones != 0u) {
    value = 1.0;
  } else if (i < fan_in && j < used_cols) {
    let variance = select(2.0 / f32(fan_in), 2.0 / f32(fan_in + fan_out), init.xavier != 0u);
    value = normal4(hypers[model].init_seed, init.layer, i, j) * sqrt(variance);
  }
  parameters[model * init.model_stride + init.offset + index % size] = value;
}
