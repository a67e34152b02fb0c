// Softmax cross-entropy of one row, shifted by the row maximum for stability; the row is
// correct when its first maximal logit is the label; the gradient is (softmax - onehot) / rows.
// (elementwise.wgsl and loss_common.wgsl precede.)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  if (i >= loss.models * loss.rows) {
    return;
  }
  let row = loss_row(i, 1u);
  let base = row.outputs;
  let label = u32(labels[row.labels]);
  var argmax = 0u;
  for (var c = 1u; c < loss.outputs; c = c + 1u) {
    if (outputs[base + c] > outputs[base + argmax]) {
      argmax = c;
    }
  }
  let top = outputs[base + argmax];
  var sum_exp = 0.0;
  for (var c = 0u; c < loss.outputs; c = c + 1u) {
    sum_exp = sum_exp + exp(outputs[base + c] - top);
  }
  let log_sum_exp = top + log(sum_exp);
  row_loss[row.metrics] = log_sum_exp - outputs[base + label];
  row_correct[row.metrics] = select(0.0, 1.0, argmax == label);
  if (loss.write_gradient != 0u) {
    let scale = 1.0 / f32(loss.rows);
    for (var c = 0u; c < loss.outputs; c = c + 1u) {
      let onehot = select(0.0, 1.0, c == label);
      gradient[base + c] = (exp(outputs[base + c] - log_sum_exp) - onehot) * scale;
    }
  }
}
