// Fills every model's padded parameters, one thread per parameter: weight (l, i, j) =
// normal(initSeed, l, i, j) · scale inside the model's own (logical) fan-in × fan-out,
// with He scale sqrt(2 / fanIn) or Xavier sqrt(2 / (fanIn + fanOut)) from the logical
// widths; padded rows and columns and all biases are 0. Same words as initParameters in
// src/train/cpu/ops.ts. (random.wgsl, model.wgsl and elementwise.wgsl precede.)

struct InitParams {
  models: u32,
  param_count: u32,
  inputs: u32,
  outputs: u32,
  max_hidden: u32,
  hidden_layers: u32,
  xavier: u32,
}

@group(0) @binding(0) var<uniform> init: InitParams;
@group(0) @binding(1) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(2) var<storage, read_write> parameters: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= init.models * init.param_count) {
    return;
  }
  let model = index / init.param_count;
  let hidden = hypers[model].hidden_units;
  var rest = index % init.param_count;
  var value = 0.0;
  for (var l = 0u; l <= init.hidden_layers; l = l + 1u) {
    let rows = select(init.max_hidden, init.inputs, l == 0u);
    let cols = select(init.max_hidden, init.outputs, l == init.hidden_layers);
    if (rest < rows * cols) {
      let i = rest / cols;
      let j = rest % cols;
      let fan_in = select(hidden, init.inputs, l == 0u);
      let fan_out = select(hidden, init.outputs, l == init.hidden_layers);
      if (i < fan_in && j < fan_out) {
        let variance = select(2.0 / f32(fan_in), 2.0 / f32(fan_in + fan_out), init.xavier != 0u);
        value = normal4(hypers[model].init_seed, l, i, j) * sqrt(variance);
      }
      break;
    }
    let layer_size = rows * cols + cols;
    if (rest < layer_size) {
      break;
    }
    rest = rest - layer_size;
  }
  parameters[index] = value;
}
