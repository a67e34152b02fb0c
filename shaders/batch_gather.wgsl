// Draws each model's training batch of this step, one thread per (model, batch slot b):
// notes which training row each slot holds (bit for bit the CPU's batchSampleIndex), which
// the loss reads the labels through and a dense first layer its inputs (GATHER in
// matmul_common.wgsl); copies the row's first copy_width inputs, all of them for a first
// layer that reads a copy (image layers), none for a dense one.
// (random.wgsl, model.wgsl and elementwise.wgsl precede.)

struct GatherParams {
  models: u32,
  batch_size: u32,
  inputs: u32,
  copy_width: u32,
  train_count: u32,
}

@group(0) @binding(0) var<uniform> gather: GatherParams;
@group(0) @binding(1) var<uniform> current: StepParams;
@group(0) @binding(2) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(3) var<storage, read> train_x: array<f32>;
@group(0) @binding(4) var<storage, read_write> batch_x: array<f32>;
@group(0) @binding(5) var<storage, read_write> batch_rows: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let slot = flat_index(gid, groups);
  if (slot >= gather.models * gather.batch_size) {
    return;
  }
  let model = slot / gather.batch_size;
  let b = slot % gather.batch_size;
  let row = batch_sample_index(hypers[model].data_seed, current.step, b, gather.batch_size, gather.train_count);
  for (var f = 0u; f < gather.copy_width; f = f + 1u) {
    batch_x[slot * gather.copy_width + f] = train_x[row * gather.inputs + f];
  }
  batch_rows[slot] = row;
}
