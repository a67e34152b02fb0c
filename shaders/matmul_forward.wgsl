// c[M×N] = a[M×K] · b[K×N] (activations times weights), summed over K. With the epilogue
// (a layer's forward step) b is the parameter buffer and c receives z = a·W + bias, and
// `activations` receives act(z); both are 0 in the padding columns.
// (activation.wgsl, model.wgsl, elementwise.wgsl and matmul_common.wgsl precede.)

@group(0) @binding(4) var<storage, read> hypers: array<ModelHyper>;
@group(0) @binding(5) var<storage, read_write> activations: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = flat_index(gid, groups);
  if (index >= block_count(params.models, params.m, params.n)) {
    return;
  }
  let block = block_of(index, params.m, params.n);
  let model = block.model;
  let row0 = block.row0;
  let col0 = block.col0;
  let rows = clamped4(row0, params.m) * params.k + params.a_offset + model * params.a_model_stride;
  let cols = clamped4(col0, params.n) + params.b_offset + model * params.b_model_stride;
  var acc = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  for (var k = 0u; k < params.k; k = k + 1u) {
    let bk = cols + k * params.n;
    let bv = vec4f(b[bk.x], b[bk.y], b[bk.z], b[bk.w]);
    acc[0] = acc[0] + a[rows.x + k] * bv;
    acc[1] = acc[1] + a[rows.y + k] * bv;
    acc[2] = acc[2] + a[rows.z + k] * bv;
    acc[3] = acc[3] + a[rows.w + k] * bv;
  }
  let base = params.c_offset + model * params.c_model_stride;
  let bias = model * params.b_model_stride + params.bias_offset;
  let width = model_width(model, params.n, hypers[model].hidden_units);
  for (var i = 0u; i < 4u; i = i + 1u) {
    if (row0 + i < params.m) {
      for (var j = 0u; j < 4u; j = j + 1u) {
        let col = col0 + j;
        if (col < params.n) {
          let at = base + (row0 + i) * params.n + col;
          if (params.epilogue == 0u) {
            c[at] = acc[i][j];
          } else if (col < width) {
            let z = acc[i][j] + b[bias + col];
            c[at] = z;
            activations[at] = activate(params.activation, z);
          } else {
            c[at] = 0.0;
            activations[at] = 0.0;
          }
        }
      }
    }
  }
}
