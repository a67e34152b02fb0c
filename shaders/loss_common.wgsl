// Shared by the loss kernels (prepended): one thread per (model, row). Row r of model m
// reads its outputs at m * model_stride + r * outputs and its label(s) at
// label_offset + m * label_model_stride + r * (labels per row); label_model_stride 0
// shares one label set (the validation split) across the population. Each row writes its
// loss (and 1/0 for a correct class) at m * row_capacity + r for metrics_accumulate, and,
// when write_gradient, d(mean loss)/d(output) into gradient.

struct LossParams {
  models: u32,
  rows: u32,
  outputs: u32,
  model_stride: u32,
  label_offset: u32,
  label_model_stride: u32,
  row_capacity: u32,
  write_gradient: u32,
}

@group(0) @binding(0) var<uniform> loss: LossParams;
@group(0) @binding(1) var<storage, read> outputs: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> gradient: array<f32>;
@group(0) @binding(4) var<storage, read_write> row_loss: array<f32>;
@group(0) @binding(5) var<storage, read_write> row_correct: array<f32>;

// Where row i of the flattened (model, row) grid reads and writes.
struct LossRow {
  // First output (and gradient) element of the row.
  outputs: u32,
  // First label of the row.
  labels: u32,
  // The row's slot in row_loss and row_correct.
  metrics: u32,
}

fn loss_row(i: u32, labels_per_row: u32) -> LossRow {
  let model = i / loss.rows;
  let r = i % loss.rows;
  return LossRow(
    model * loss.model_stride + r * loss.outputs,
    loss.label_offset + model * loss.label_model_stride + r * labels_per_row,
    model * loss.row_capacity + r,
  );
}
