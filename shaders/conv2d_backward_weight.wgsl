// The weight gradient dw[(c·k + ky)·k + kx, f] = Σ_{b, i, j} x[b, c, i + ky - p, j + kx - p] · dy[b, f, i, j]
// over the batch's rows, and the bias gradient db[f] = Σ_{b, i, j} dy[b, f, i, j]: one
// invocation per weight, then one per bias, per model; both overwrite. (activation.wgsl,
// elementwise.wgsl and conv_common.wgsl precede.)

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> gradients: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  let k = conv.kernel;
  let taps = conv.channels * k * k;
  let per_model = (taps + 1u) * conv.filters;
  if (index >= conv.models * per_model) {
    return;
  }
  let model = index / per_model;
  let r = (index % per_model) / conv.filters;
  let f = index % conv.filters;
  let plane = conv.height * conv.width;
  let params = model * conv.param_model_stride;
  var sum = 0.0;
  if (r == taps) {
    for (var b = 0u; b < conv.rows; b = b + 1u) {
      let at = model * conv.y_model_stride + (b * conv.filters + f) * plane;
      for (var q = 0u; q < plane; q = q + 1u) {
        sum = sum + dy[at + q];
      }
    }
    gradients[params + conv.bias_offset + f] = sum;
    return;
  }
  let c = r / (k * k);
  let ky = (r / k) % k;
  let kx = r % k;
  let p = k / 2u;
  // Output rows and columns whose tap (ky, kx) falls inside the image.
  let i0 = select(0u, p - ky, ky < p);
  let i1 = min(conv.height, conv.height + p - ky);
  let j0 = select(0u, p - kx, kx < p);
  let j1 = min(conv.width, conv.width + p - kx);
  for (var b = 0u; b < conv.rows; b = b + 1u) {
    let image = conv.x_offset + model * conv.x_model_stride + (b * conv.channels + c) * plane;
    let gradient = model * conv.y_model_stride + (b * conv.filters + f) * plane;
    for (var i = i0; i < i1; i = i + 1u) {
      let row = image + (i + ky - p) * conv.width - p + kx;
      for (var j = j0; j < j1; j = j + 1u) {
        sum = sum + x[row + j] * dy[gradient + i * conv.width + j];
      }
    }
  }
  gradients[params + conv.weight_offset + r * conv.filters + f] = sum;
}
