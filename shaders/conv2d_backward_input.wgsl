// dx[m, b, c, i, j] = Σ_{f, ky, kx} dy[m, b, f, i - ky + p, j - kx + p] · w[(c·k + ky)·k + kx, f]
// (the forward's transpose), one invocation per input element; with EPILOGUE, times the
// previous layer's act' from `kept` (laid out like dx). (activation.wgsl, elementwise.wgsl
// and conv_common.wgsl precede.)

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> parameters: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<storage, read> kept: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let plane = conv.height * conv.width;
  let per_model = conv.rows * conv.channels * plane;
  if (index >= conv.models * per_model) {
    return;
  }
  let model = index / per_model;
  let within = index % per_model;
  let b = within / (conv.channels * plane);
  let c = (within / plane) % conv.channels;
  let i = (within % plane) / conv.width;
  let j = within % conv.width;
  let k = conv.kernel;
  let p = k / 2u;
  let weights = model * conv.param_model_stride + conv.weight_offset;
  let gradient = model * conv.y_model_stride + b * conv.filters * plane;
  var sum = 0.0;
  for (var ky = 0u; ky < k; ky = ky + 1u) {
    // Output row i - ky + p, when inside the image.
    let yy = i32(i + p) - i32(ky);
    if (yy < 0 || yy >= i32(conv.height)) {
      continue;
    }
    for (var kx = 0u; kx < k; kx = kx + 1u) {
      let xx = i32(j + p) - i32(kx);
      if (xx < 0 || xx >= i32(conv.width)) {
        continue;
      }
      let row = weights + ((c * k + ky) * k + kx) * conv.filters;
      let at = gradient + u32(yy) * conv.width + u32(xx);
      for (var f = 0u; f < conv.filters; f = f + 1u) {
        sum = sum + dy[at + f * plane] * parameters[row + f];
      }
    }
  }
  let out = conv.x_offset + model * conv.x_model_stride + within;
  if (EPILOGUE) {
    sum = sum * activation_derivative(ACTIVATION, vec4f(kept[out])).x;
  }
  dx[out] = sum;
}
