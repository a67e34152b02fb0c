// Shared by the one-thread-per-element kernels (prepended): the flat invocation index of a
// 2-D grid, so counts beyond 65535 workgroups still fit one dispatch.

override WORKGROUP_SIZE: u32 = 64u;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}
