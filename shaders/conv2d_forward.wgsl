// z[m, b, f, i, j] = bias[f] + Σ_{c, ky, kx} x[m, b, c, i + ky - p, j + kx - p] · w[(c·k + ky)·k + kx, f]
// and a = act(z), one invocation per output element. (activation.wgsl, elementwise.wgsl and
// conv_common.wgsl precede.)

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> parameters: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> a: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let plane = conv.height * conv.width;
  let per_model = conv.rows * conv.filters * plane;
  if (index >= conv.models * per_model) {
    return;
  }
  let model = index / per_model;
  let within = index % per_model;
  let b = within / (conv.filters * plane);
  let f = (within / plane) % conv.filters;
  let i = (within % plane) / conv.width;
  let j = within % conv.width;
  let k = conv.kernel;
  let params = model * conv.param_model_stride;
  let image = conv.x_offset + model * conv.x_model_stride + b * conv.channels * plane;
  var sum = 0.0;
  for (var c = 0u; c < conv.channels; c = c + 1u) {
    for (var ky = 0u; ky < k; ky = ky + 1u) {
      let yy = tap(i, ky, conv.height);
      if (yy < 0) {
        continue;
      }
      for (var kx = 0u; kx < k; kx = kx + 1u) {
        let xx = tap(j, kx, conv.width);
        if (xx < 0) {
          continue;
        }
        let weight = parameters[params + conv.weight_offset + ((c * k + ky) * k + kx) * conv.filters + f];
        sum = sum + x[image + c * plane + u32(yy) * conv.width + u32(xx)] * weight;
      }
    }
  }
  let value = sum + parameters[params + conv.bias_offset + f];
  let out = model * conv.y_model_stride + within;
  z[out] = value;
  a[out] = activate(ACTIVATION, vec4f(value)).x;
}
