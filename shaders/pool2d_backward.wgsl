// The input gradient, one invocation per input element: max sends the window's gradient to
// its first maximum, avg a quarter to each of its 4 inputs; inputs no window covers get 0.
// With EPILOGUE, times the previous layer's act' from `kept` (laid out like dx, which is
// laid out like x). (activation.wgsl, elementwise.wgsl and pool_common.wgsl precede.)

@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<storage, read> kept: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let plane = pool.height * pool.width;
  let per_model = pool.rows * pool.channels * plane;
  if (index >= pool.models * per_model) {
    return;
  }
  let model = index / per_model;
  let within = index % per_model;
  let image = within / plane;
  let i = (within % plane) / pool.width;
  let j = within % pool.width;
  let out_h = pool.height / 2u;
  let out_w = pool.width / 2u;
  let at = pool.x_offset + model * pool.x_model_stride + within;
  var gradient = 0.0;
  if (i / 2u < out_h && j / 2u < out_w) {
    let window = dy[model * pool.y_model_stride + (image * out_h + i / 2u) * out_w + j / 2u];
    if (MODE == MAX_POOL) {
      let corner = at - (i % 2u) * pool.width - (j % 2u);
      gradient = select(0.0, window, window_argmax(corner) == at);
    } else {
      gradient = window / 4.0;
    }
  }
  if (EPILOGUE) {
    gradient = gradient * activation_derivative(ACTIVATION, vec4f(kept[at])).x;
  }
  dx[at] = gradient;
}
