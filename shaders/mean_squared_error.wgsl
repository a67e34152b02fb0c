// Squared error of one row averaged over its outputs (so the mean over rows is the mean
// over all rows × outputs); the gradient is 2 (p - t) / (rows · outputs). Regression has no
// accuracy: no row is counted correct. (model.wgsl, elementwise.wgsl and loss_common.wgsl precede.)

// A row's targets: one per output.
fn labels_per_row() -> u32 {
  return loss.outputs;
}

fn row_loss(base: u32, target_base: u32, write_gradient: bool) -> RowLoss {
  let scale = 2.0 / f32(loss.rows * loss.outputs);
  var sum = 0.0;
  for (var o = 0u; o < loss.outputs; o = o + 1u) {
    let diff = outputs[base + o] - labels[target_base + o];
    sum = sum + diff * diff;
    if (write_gradient) {
      gradient[base + o] = diff * scale;
    }
  }
  return RowLoss(sum / f32(loss.outputs), 0.0);
}
