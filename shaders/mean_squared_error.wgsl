// Squared error of one row averaged over its outputs (so the mean over rows is the mean
// over all rows × outputs); the gradient is 2 (p - t) / (rows · outputs). Regression has no
// accuracy: row_correct is 0. (elementwise.wgsl and loss_common.wgsl precede.)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  if (i >= loss.models * loss.rows) {
    return;
  }
  let row = loss_row(i, loss.outputs);
  let base = row.outputs;
  let target_base = row.labels;
  let scale = 2.0 / f32(loss.rows * loss.outputs);
  var sum = 0.0;
  for (var o = 0u; o < loss.outputs; o = o + 1u) {
    let diff = outputs[base + o] - labels[target_base + o];
    sum = sum + diff * diff;
    if (loss.write_gradient != 0u) {
      gradient[base + o] = diff * scale;
    }
  }
  row_loss[row.metrics] = sum / f32(loss.outputs);
  row_correct[row.metrics] = 0.0;
}
