// Copies each model's training batch of this step, one thread per (model, batch slot b):
// position p = step · batch_size + b is training row permuteIndex(p mod n, n,
// hash32(dataSeed, floor(p / n))), a fresh shuffle per epoch, bit for bit the CPU's
// batchSampleIndex. (random.wgsl, model.wgsl and elementwise.wgsl precede.)

struct GatherParams {
  models: u32,
  batch_size: u32,
  inputs: u32,
  label_width: u32,
  train_count: u32,
}

@group(0) @binding(0) var<uniform> gather: GatherParams;
@group(0) @binding(1) var<uniform> current: StepParams;
@group(0) @binding(2) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(3) var<storage, read> train_x: array<f32>;
@group(0) @binding(4) var<storage, read> train_y: array<f32>;
@group(0) @binding(5) var<storage, read_write> batch_x: array<f32>;
@group(0) @binding(6) var<storage, read_write> batch_y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let slot = flat_index(gid, groups);
  if (slot >= gather.models * gather.batch_size) {
    return;
  }
  let model = slot / gather.batch_size;
  let b = slot % gather.batch_size;
  let n = gather.train_count;
  let position = current.step * gather.batch_size + b;
  let row = permute_index(position % n, n, hash2(hypers[model].data_seed, position / n));
  for (var f = 0u; f < gather.inputs; f = f + 1u) {
    batch_x[slot * gather.inputs + f] = train_x[row * gather.inputs + f];
  }
  for (var o = 0u; o < gather.label_width; o = o + 1u) {
    batch_y[slot * gather.label_width + o] = train_y[row * gather.label_width + o];
  }
}
