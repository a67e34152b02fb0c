// Softmax cross-entropy of one row, shifted by the row maximum for stability; the row is
// correct when its first maximal logit is the label; the gradient is (softmax - onehot) / rows.
// (model.wgsl, elementwise.wgsl and loss_common.wgsl precede.)

// A row's label: its class index.
fn labels_per_row() -> u32 {
  return 1u;
}

fn row_loss(base: u32, label_at: u32, write_gradient: bool) -> RowLoss {
  let label = u32(labels[label_at]);
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
  if (write_gradient) {
    let scale = 1.0 / f32(loss.rows);
    for (var c = 0u; c < loss.outputs; c = c + 1u) {
      let onehot = select(0.0, 1.0, c == label);
      gradient[base + c] = (exp(outputs[base + c] - log_sum_exp) - onehot) * scale;
    }
  }
  return RowLoss(log_sum_exp - outputs[base + label], select(0.0, 1.0, argmax == label));
}
