// One thread per model: sums the rows' losses in row order and updates the model's state.
//  mode 0 (train step): the batch loss is the row mean; a NaN/Inf loss, or one above
//          divergence_factor × the first batch loss, freezes the model as diverged;
//          otherwise the loss and accuracy join the sums read back at the next report.
//  mode 1 (validation chunk): adds the rows' losses and correct counts.
//  mode 2 (after a read-back): clears the sums.
// Frozen models (diverged or stopped) are left alone. (model.wgsl and elementwise.wgsl precede.)

struct MetricsParams {
  models: u32,
  rows: u32,
  row_capacity: u32,
  mode: u32,
  divergence_factor: f32,
}

@group(0) @binding(0) var<uniform> metrics: MetricsParams;
@group(0) @binding(1) var<uniform> current: StepParams;
@group(0) @binding(2) var<storage, read> row_loss: array<f32>;
@group(0) @binding(3) var<storage, read> row_correct: array<f32>;
@group(0) @binding(4) var<storage, read_write> states: array<ModelState>;

// By the bits: compilers may assume NaN and Inf never occur and fold x != x away.
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let model = flat_index(gid, groups);
  if (model >= metrics.models) {
    return;
  }
  var state = states[model];
  if (metrics.mode == 2u) {
    state.loss_sum = 0.0;
    state.accuracy_sum = 0.0;
    state.steps = 0u;
    state.validation_loss_sum = 0.0;
    state.validation_correct = 0.0;
    states[model] = state;
    return;
  }
  if (is_frozen(state)) {
    return;
  }
  var loss_sum = 0.0;
  var correct = 0.0;
  let base = model * metrics.row_capacity;
  for (var r = 0u; r < metrics.rows; r = r + 1u) {
    loss_sum = loss_sum + row_loss[base + r];
    correct = correct + row_correct[base + r];
  }
  if (metrics.mode == 1u) {
    state.validation_loss_sum = state.validation_loss_sum + loss_sum;
    state.validation_correct = state.validation_correct + correct;
    states[model] = state;
    return;
  }
  let batch_loss = loss_sum / f32(metrics.rows);
  if (current.step == 0u) {
    state.first_loss = batch_loss;
  }
  if (!is_finite(batch_loss) || batch_loss > metrics.divergence_factor * state.first_loss) {
    state.diverged = 1u;
    state.diverged_at = current.step;
  } else {
    state.loss_sum = state.loss_sum + batch_loss;
    state.accuracy_sum = state.accuracy_sum + correct / f32(metrics.rows);
    state.steps = state.steps + 1u;
  }
  states[model] = state;
}
