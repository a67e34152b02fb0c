// The loss kernels' shared part (prepended after model.wgsl and elementwise.wgsl; the loss's
// own file defines row_loss and labels_per_row): one thread per model takes its rows in row
// order, writes d(mean loss)/d(output) for each when training, and folds the rows' losses
// straight into the model's state, so no per-row buffer and no second dispatch is needed.
// Row r of model m reads its outputs at m * model_stride + r * outputs and its label(s):
// when training, those of training row batch_rows[m * rows + r] (the step's batch, drawn
// by batch_gather.wgsl); else at label_offset + m * label_model_stride + r *
// labels_per_row(), label_model_stride 0 sharing one label set (the validation split)
// across the population.
//  mode 0 (training step): the batch loss is the row mean; a NaN/Inf loss, or one above
//          divergence_factor × the first batch loss, freezes the model as diverged;
//          otherwise the loss and accuracy join the sums read back at the next report.
//  mode 1 (validation chunk): adds the rows' losses and correct counts.
//  mode 2 (after a read-back): clears the sums (rows 0).
// Frozen models (diverged or stopped) are left alone: their gradient is never read, as the
// optimizer skips them.

struct LossParams {
  models: u32,
  rows: u32,
  outputs: u32,
  model_stride: u32,
  label_offset: u32,
  label_model_stride: u32,
  mode: u32,
  divergence_factor: f32,
}

const LOSS_TRAIN: u32 = 0u;
const LOSS_VALIDATION: u32 = 1u;
const LOSS_RESET: u32 = 2u;

@group(0) @binding(0) var<uniform> loss: LossParams;
@group(0) @binding(1) var<uniform> current: StepParams;
@group(0) @binding(2) var<storage, read> outputs: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<f32>;
@group(0) @binding(4) var<storage, read_write> gradient: array<f32>;
@group(0) @binding(5) var<storage, read_write> states: array<ModelState>;
@group(0) @binding(6) var<storage, read> batch_rows: array<u32>;

// One row's loss and whether its prediction is right (1 or 0; always 0 for regression).
struct RowLoss {
  loss: f32,
  correct: f32,
}

// By the bits: compilers may assume NaN and Inf never occur and fold x != x away.
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let model = flat_index(gid, groups);
  if (model >= loss.models) {
    return;
  }
  var state = states[model];
  if (loss.mode == LOSS_RESET) {
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
  let training = loss.mode == LOSS_TRAIN;
  var loss_sum = 0.0;
  var correct = 0.0;
  for (var r = 0u; r < loss.rows; r = r + 1u) {
    var labels_at = loss.label_offset + model * loss.label_model_stride + r * labels_per_row();
    if (training) {
      labels_at = batch_rows[model * loss.rows + r] * labels_per_row();
    }
    let row = row_loss(model * loss.model_stride + r * loss.outputs, labels_at, training);
    loss_sum = loss_sum + row.loss;
    correct = correct + row.correct;
  }
  if (!training) {
    state.validation_loss_sum = state.validation_loss_sum + loss_sum;
    state.validation_correct = state.validation_correct + correct;
    states[model] = state;
    return;
  }
  let batch_loss = loss_sum / f32(loss.rows);
  if (current.step == 0u) {
    state.first_loss = batch_loss;
  }
  if (!is_finite(batch_loss) || batch_loss > loss.divergence_factor * state.first_loss) {
    state.diverged = 1u;
    state.diverged_at = current.step;
  } else {
    state.loss_sum = state.loss_sum + batch_loss;
    state.accuracy_sum = state.accuracy_sum + correct / f32(loss.rows);
    state.steps = state.steps + 1u;
  }
  states[model] = state;
}
