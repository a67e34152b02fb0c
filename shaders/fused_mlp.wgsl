// A dense MLP's whole training step, `fused.steps` steps per dispatch, one workgroup per
// model: the batch gather (the CPU's batchSampleIndex, as batch_gather.wgsl), the forward
// pass, the loss, the metrics and divergence check (loss_common.wgsl's), the backward
// pass and the optimizer step (optimizer_common.wgsl), with no dispatch between them. The
// model's weights and its batch's activations live in workgroup memory; each invocation owns
// OWNED vec4s of the parameters (vec4 q = lid + c · WORKGROUP_SIZE) and keeps their gradients and
// optimizer moments in private memory, so only the weights every invocation reads are shared.
// Buffers (parameters, moments, states) are the layered path's, in its layout: validation,
// read-back and PBT copies read them as they always do.
//
// Workgroup memory `arena` holds, per step: the batch's inputs (X_AT) and labels (Y_AT), each
// hidden layer's activations (and z for the gelus), the output layer's z, then the rows'
// losses and correct flags. Backward writes each layer's gradient at z over its own output
// (a layer's delta never needs that output again once the next layer's weight gradient has
// read it), so no delta buffer is kept.
//
// The generated prelude (src/train/gpu/fused-mlp.ts) declares the sizes (OWNED,
// PARAM_VECTORS, PARAM_FLOATS, ARENA_FLOATS, BATCH, INPUTS, OUTPUTS, LABEL_WIDTH, X_AT, Y_AT,
// LOSS_AT, CORRECT_AT, SOFTMAX, ACTIVATION) and forward_layers() / backward_layers(), which
// call dense_forward, weight_gradients and input_gradient once per layer with its `Dense`.
// (The generated declarations, random.wgsl, model.wgsl, activation.wgsl, elementwise.wgsl
// (WORKGROUP_SIZE) and optimizer_common.wgsl precede.)

struct FusedParams {
  models: u32,
  first_step: u32,
  steps: u32,
  train_count: u32,
  total_steps: u32,
  divergence_factor: f32,
}

@group(0) @binding(0) var<uniform> fused: FusedParams;
@group(0) @binding(1) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(2) var<storage, read_write> states: array<ModelState>;
@group(0) @binding(3) var<storage, read_write> parameters: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> first_moment: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> second_moment: array<vec4f>;
@group(0) @binding(6) var<storage, read> train_x: array<f32>;
@group(0) @binding(7) var<storage, read> train_y: array<f32>;

var<workgroup> weights: array<f32, PARAM_FLOATS>;
var<workgroup> arena: array<f32, ARENA_FLOATS>;
var<workgroup> state: ModelState;
var<workgroup> halted: bool;

var<private> lid: u32;
var<private> gradients: array<vec4f, OWNED>;
var<private> first_moments: array<vec4f, OWNED>;
var<private> second_moments: array<vec4f, OWNED>;

const LANES = vec4u(0u, 1u, 2u, 3u);

// One dense layer in the arena: its input rows (`inputs` floats each) at `input`, its output
// rows (`units` floats each: a = act(z) for a hidden layer, z for the output layer) at
// `output`, z at `kept` when the derivative needs it (the gelus; else kept = output), its
// weights [inputs × units] and bias in `weights` at `w` and `b`. A hidden layer masks the
// columns at or beyond the model's hidden units to exact zeros.
struct Dense {
  input: u32,
  inputs: u32,
  output: u32,
  kept: u32,
  units: u32,
  w: u32,
  b: u32,
  hidden: bool,
}

fn weights4(at: vec4u) -> vec4f {
  return vec4f(weights[at.x], weights[at.y], weights[at.z], weights[at.w]);
}

fn arena4(at: vec4u) -> vec4f {
  return vec4f(arena[at.x], arena[at.y], arena[at.z], arena[at.w]);
}

// Stores the lanes of `values` whose column (col0 + lane) is below `count`, from `at` on.
fn store_arena(at: u32, values: vec4f, col0: u32, count: u32) {
  for (var j = 0u; j < 4u && col0 + j < count; j = j + 1u) {
    arena[at + j] = values[j];
  }
}

// Which of the 4 columns from col0 the model uses.
fn own_columns(col0: u32, layer: Dense, hidden_units: u32) -> vec4<bool> {
  return vec4u(col0) + LANES < vec4u(select(layer.units, hidden_units, layer.hidden));
}

// Row b of the batch at position step · BATCH + b: a fresh shuffle per epoch (batch_gather.wgsl's).
fn gather(step: u32, data_seed: u32) {
  let n = fused.train_count;
  for (var b = lid; b < BATCH; b = b + WORKGROUP_SIZE) {
    let row = batch_sample_index(data_seed, step, b, BATCH, n);
    for (var f = 0u; f < INPUTS; f = f + 1u) {
      arena[X_AT + b * INPUTS + f] = train_x[row * INPUTS + f];
    }
    for (var o = 0u; o < LABEL_WIDTH; o = o + 1u) {
      arena[Y_AT + b * LABEL_WIDTH + o] = train_y[row * LABEL_WIDTH + o];
    }
  }
}

// z = x·W + bias over the batch, 4 columns of a row per item, summed over the inputs in order then the bias added (the matmuls' order).
fn dense_forward(layer: Dense, hidden_units: u32) {
  let groups = (layer.units + 3u) / 4u;
  for (var item = lid; item < BATCH * groups; item = item + WORKGROUP_SIZE) {
    let row = item / groups;
    let col0 = (item % groups) * 4u;
    let cols = min(vec4u(col0) + LANES, vec4u(layer.units - 1u));
    var acc = vec4f(0.0);
    for (var k = 0u; k < layer.inputs; k = k + 1u) {
      acc = acc + arena[layer.input + row * layer.inputs + k] * weights4(cols + layer.w + k * layer.units);
    }
    let own = own_columns(col0, layer, hidden_units);
    let z = select(vec4f(0.0), acc + weights4(cols + layer.b), own);
    let at = row * layer.units + col0;
    if (!layer.hidden) {
      store_arena(layer.output + at, z, col0, layer.units);
      continue;
    }
    if (layer.kept != layer.output) {
      store_arena(layer.kept + at, z, col0, layer.units);
    }
    store_arena(layer.output + at, select(vec4f(0.0), activate(ACTIVATION, z), own), col0, layer.units);
  }
}

// Each row's loss and correct flag, and d(mean loss)/dz written over the output layer's z
// (softmax_cross_entropy.wgsl's and mean_squared_error.wgsl's formulas).
fn loss_rows(output: u32) {
  for (var row = lid; row < BATCH; row = row + WORKGROUP_SIZE) {
    let base = output + row * OUTPUTS;
    if (SOFTMAX) {
      let label = u32(arena[Y_AT + row]);
      var argmax = 0u;
      for (var c = 1u; c < OUTPUTS; c = c + 1u) {
        if (arena[base + c] > arena[base + argmax]) {
          argmax = c;
        }
      }
      let top = arena[base + argmax];
      var sum_exp = 0.0;
      for (var c = 0u; c < OUTPUTS; c = c + 1u) {
        sum_exp = sum_exp + exp(arena[base + c] - top);
      }
      let log_sum_exp = top + log(sum_exp);
      arena[LOSS_AT + row] = log_sum_exp - arena[base + label];
      arena[CORRECT_AT + row] = select(0.0, 1.0, argmax == label);
      let scale = 1.0 / f32(BATCH);
      for (var c = 0u; c < OUTPUTS; c = c + 1u) {
        arena[base + c] = (exp(arena[base + c] - log_sum_exp) - select(0.0, 1.0, c == label)) * scale;
      }
    } else {
      let scale = 2.0 / f32(BATCH * OUTPUTS);
      var sum = 0.0;
      for (var o = 0u; o < OUTPUTS; o = o + 1u) {
        let diff = arena[base + o] - arena[Y_AT + row * OUTPUTS + o];
        sum = sum + diff * diff;
        arena[base + o] = diff * scale;
      }
      arena[LOSS_AT + row] = sum / f32(OUTPUTS);
      arena[CORRECT_AT + row] = 0.0;
    }
  }
}

// By the bits: compilers may assume NaN and Inf never occur and fold x != x away.
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// loss_common.wgsl's training mode, by invocation 0: the batch loss (rows summed in order)
// joins the sums, or freezes the model as diverged before this step's update.
fn accumulate_metrics(step: u32) {
  if (lid == 0u) {
    count_batch(step);
  }
}

fn count_batch(step: u32) {
  var loss_sum = 0.0;
  var correct = 0.0;
  for (var row = 0u; row < BATCH; row = row + 1u) {
    loss_sum = loss_sum + arena[LOSS_AT + row];
    correct = correct + arena[CORRECT_AT + row];
  }
  let batch_loss = loss_sum / f32(BATCH);
  if (step == 0u) {
    state.first_loss = batch_loss;
  }
  if (!is_finite(batch_loss) || batch_loss > fused.divergence_factor * state.first_loss) {
    state.diverged = 1u;
    state.diverged_at = step;
    halted = true;
  } else {
    state.loss_sum = state.loss_sum + batch_loss;
    state.accuracy_sum = state.accuracy_sum + correct / f32(BATCH);
    state.steps = state.steps + 1u;
  }
}

// The gradients of the layer's parameters this invocation owns: Σ over the batch rows in
// order of input × delta (weights) and of delta (bias), delta being at the layer's output.
fn weight_gradients(layer: Dense) {
  let end = layer.b + layer.units;
  for (var c = 0u; c < OWNED; c = c + 1u) {
    let first_float = (lid + c * WORKGROUP_SIZE) * 4u;
    if (first_float + 3u < layer.w || first_float >= end) {
      continue;
    }
    for (var e = 0u; e < 4u; e = e + 1u) {
      let p = first_float + e;
      if (p < layer.w || p >= end) {
        continue;
      }
      var sum = 0.0;
      if (p < layer.b) {
        let i = (p - layer.w) / layer.units;
        let j = (p - layer.w) % layer.units;
        for (var row = 0u; row < BATCH; row = row + 1u) {
          sum = sum + arena[layer.input + row * layer.inputs + i] * arena[layer.output + row * layer.units + j];
        }
      } else {
        let j = p - layer.b;
        for (var row = 0u; row < BATCH; row = row + 1u) {
          sum = sum + arena[layer.output + row * layer.units + j];
        }
      }
      gradients[c][e] = sum;
    }
  }
}

// The gradient at the previous (hidden) layer's z: (delta · Wᵀ) ⊙ act'(what it kept), summed
// over the units in order, 0 in its padding, written over that layer's output.
fn input_gradient(layer: Dense, previous: Dense, hidden_units: u32) {
  let groups = (layer.inputs + 3u) / 4u;
  for (var item = lid; item < BATCH * groups; item = item + WORKGROUP_SIZE) {
    let row = item / groups;
    let col0 = (item % groups) * 4u;
    let ks = min(vec4u(col0) + LANES, vec4u(layer.inputs - 1u));
    var acc = vec4f(0.0);
    for (var n = 0u; n < layer.units; n = n + 1u) {
      acc = acc + arena[layer.output + row * layer.units + n] * weights4(ks * layer.units + layer.w + n);
    }
    let at = row * layer.inputs;
    let derivative = activation_derivative(ACTIVATION, arena4(ks + previous.kept + at));
    let own = own_columns(col0, previous, hidden_units);
    store_arena(previous.output + at + col0, select(vec4f(0.0), acc * derivative, own), col0, layer.inputs);
  }
}

// The owned parameters' update from their gradients and moments (optimizer_common.wgsl).
fn update_parameters(hyper: ModelHyper, step: u32) {
  let rates = step_rates(hyper, step, BATCH, fused.train_count, fused.total_steps);
  for (var c = 0u; c < OWNED; c = c + 1u) {
    let q = lid + c * WORKGROUP_SIZE;
    if (q >= PARAM_VECTORS) {
      break;
    }
    let at = vec4u(4u * q) + LANES;
    let updated = optimizer_update(hyper, rates, weights4(at), gradients[c], first_moments[c], second_moments[c]);
    first_moments[c] = updated.first;
    second_moments[c] = updated.second;
    for (var e = 0u; e < 4u; e = e + 1u) {
      weights[at[e]] = updated.w[e];
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) local: u32,
) {
  lid = local;
  let model = wid.x + wid.y * groups.x;
  if (model >= fused.models) {
    return;
  }
  if (lid == 0u) {
    state = states[model];
    halted = is_frozen(state);
  }
  if (workgroupUniformLoad(&halted)) {
    return;
  }
  let hyper = hypers[model];
  let base = model * PARAM_VECTORS;
  for (var c = 0u; c < OWNED; c = c + 1u) {
    let q = lid + c * WORKGROUP_SIZE;
    if (q >= PARAM_VECTORS) {
      break;
    }
    let w = parameters[base + q];
    for (var e = 0u; e < 4u; e = e + 1u) {
      weights[4u * q + e] = w[e];
    }
    first_moments[c] = first_moment[base + q];
    second_moments[c] = second_moment[base + q];
  }
  for (var done = 0u; done < fused.steps; done = done + 1u) {
    let step = fused.first_step + done;
    workgroupBarrier();
    gather(step, hyper.data_seed);
    workgroupBarrier();
    forward_layers(hyper.hidden_units);
    loss_rows(OUTPUT_AT);
    workgroupBarrier();
    accumulate_metrics(step);
    if (workgroupUniformLoad(&halted)) {
      break;
    }
    backward_layers(hyper.hidden_units);
    update_parameters(hyper, step);
  }
  workgroupBarrier();
  if (lid == 0u) {
    states[model] = state;
  }
  for (var c = 0u; c < OWNED; c = c + 1u) {
    let q = lid + c * WORKGROUP_SIZE;
    if (q >= PARAM_VECTORS) {
      break;
    }
    parameters[base + q] = weights4(vec4u(4u * q) + LANES);
    first_moment[base + q] = first_moments[c];
    second_moment[base + q] = second_moments[c];
  }
}
