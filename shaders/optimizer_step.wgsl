// One update of every parameter of every model (optimizer_common.wgsl's math), driven by
// the model's own row of hyperparameters. Frozen models (diverged or stopped) keep
// their parameters. Each invocation updates VECTORS_PER_INVOCATION consecutive vec4s of
// one model's parameters, so the per-model constants are read and computed once for them
// and memory moves 16 bytes per access (per-invocation and per-access overheads dominate
// on SwiftShader); param_count, the per-model stride, is a multiple of 4. Only the moments
// the model's optimizer keeps are read and written (stores cost most on SwiftShader).
// (The generated declarations, model.wgsl, elementwise.wgsl and optimizer_common.wgsl precede.)

struct OptimizerParams {
  models: u32,
  param_count: u32,
  batch_size: u32,
  train_count: u32,
  total_steps: u32,
}

@group(0) @binding(0) var<uniform> optimizer: OptimizerParams;
@group(0) @binding(1) var<uniform> current: StepParams;
@group(0) @binding(2) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(3) var<storage, read> states: array<ModelState>;
@group(0) @binding(4) var<storage, read_write> parameters: array<vec4f>;
@group(0) @binding(5) var<storage, read> gradients: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> first_moment: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> second_moment: array<vec4f>;

override VECTORS_PER_INVOCATION: u32 = 4u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let vectors = optimizer.param_count / 4u;
  let chunks = (vectors + VECTORS_PER_INVOCATION - 1u) / VECTORS_PER_INVOCATION;
  let invocation = flat_index(gid, groups);
  if (invocation >= optimizer.models * chunks) {
    return;
  }
  let model = invocation / chunks;
  if (states[model].diverged != 0u || states[model].stopped != 0u) {
    return;
  }
  let hyper = hypers[model];
  let rates = step_rates(hyper, current.step, optimizer.batch_size, optimizer.train_count, optimizer.total_steps);
  let first_kept = keeps_first_moment(hyper);
  let second_kept = keeps_second_moment(hyper);
  let start = (invocation % chunks) * VECTORS_PER_INVOCATION;
  let end = min(start + VECTORS_PER_INVOCATION, vectors);
  for (var v = start; v < end; v = v + 1u) {
    let i = model * vectors + v;
    var first = vec4f(0.0);
    var second = vec4f(0.0);
    if (first_kept) {
      first = first_moment[i];
    }
    if (second_kept) {
      second = second_moment[i];
    }
    let updated = optimizer_update(hyper, rates, parameters[i], gradients[i], first, second);
    parameters[i] = updated.w;
    if (first_kept) {
      first_moment[i] = updated.first;
    }
    if (second_kept) {
      second_moment[i] = updated.second;
    }
  }
}
