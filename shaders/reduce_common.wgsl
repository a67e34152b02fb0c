// Shared by the kernels that run one workgroup per (model, channel) and sum over it
// (prepended after elementwise.wgsl, whose WORKGROUP_SIZE, a power of two at most 256, sizes
// the workgroup): pairwise sums in workgroup memory.

var<workgroup> partial: array<f32, 256>;

// The workgroup's index on a 2-D grid (dispatchSize in src/train/gpu/kernels.ts).
fn workgroup_index(wid: vec3u, groups: vec3u) -> u32 {
  return wid.x + wid.y * groups.x;
}

// Σ over the workgroup's invocations of `value`, the same for every invocation.
fn workgroup_sum(value: f32, lid: u32) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      partial[lid] = partial[lid] + partial[lid + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}
