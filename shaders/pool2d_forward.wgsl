// y = the max (MODE 0) or the mean (MODE 1) of each 2×2 window, one invocation per output
// element. (activation.wgsl, elementwise.wgsl and pool_common.wgsl precede.)

@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let out_h = pool.height / 2u;
  let out_w = pool.width / 2u;
  let per_model = pool.rows * pool.channels * out_h * out_w;
  if (index >= pool.models * per_model) {
    return;
  }
  let model = index / per_model;
  let within = index % per_model;
  let image = within / (out_h * out_w);
  let oi = (within % (out_h * out_w)) / out_w;
  let oj = within % out_w;
  let corner = pool.x_offset + model * pool.x_model_stride + image * pool.height * pool.width + 2u * oi * pool.width + 2u * oj;
  var value = 0.0;
  if (MODE == MAX_POOL) {
    value = x[window_argmax(corner)];
  } else {
    value = (x[corner] + x[corner + 1u] + x[corner + pool.width] + x[corner + pool.width + 1u]) / 4.0;
  }
  y[model * pool.y_model_stride + within] = value;
}
