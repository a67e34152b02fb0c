// Shared by the dropout kernels (prepended after random.wgsl, model.wgsl and activation.wgsl):
// inverted dropout, PyTorch's nn.Dropout(p). In training, element e of row b of model m at
// step s is kept iff the top 24 bits of hash(dataSeed, DROPOUT_STREAM, layer, s, b, e) are
// >= threshold = ceil(p·2^24), and a kept element is scaled by 1/(1-p) (an f32 the
// caller rounds); in evaluation the layer is the identity. Integer thresholds make the mask
// bit-identical to src/train/cpu/dropout.ts's. The x side of model m starts at x_offset +
// m · x_model_stride, the y side at m · y_model_stride.

struct DropoutParams {
  models: u32,
  rows: u32,
  size: u32,
  layer: u32,
  threshold: u32,
  scale: f32,
  training: u32,
  x_offset: u32,
  x_model_stride: u32,
  y_model_stride: u32,
}

// DROPOUT_STREAM in src/train/cpu/dropout.ts.
const DROPOUT_STREAM: u32 = 0xd209u;

@group(0) @binding(0) var<uniform> dropout: DropoutParams;
@group(0) @binding(1) var<uniform> current: StepParams;
@group(0) @binding(2) var<storage, read> hypers: array<ModelHyper>;

// What element `within` (b · size + e) of model `model` is multiplied by this step: 0 or
// 1/(1-p) in training, 1 in evaluation. Row and element are hashed apart, so a padded layer
// draws a model's units as its unpadded one does.
fn dropout_factor(model: u32, within: u32) -> f32 {
  if (dropout.training == 0u) {
    return 1.0;
  }
  let row = within / dropout.size;
  let h = hash_fold(hash5(hypers[model].data_seed, DROPOUT_STREAM, dropout.layer, current.step, row), within % dropout.size);
  return select(0.0, dropout.scale, (h >> 8u) >= dropout.threshold);
}
