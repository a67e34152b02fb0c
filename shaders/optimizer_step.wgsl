// One update of every parameter of every model, driven by the model's own row of
// hyperparameters (see OptimizerKind and DecayKind in src/train/types.ts: PyTorch's forms):
// momentum keeps v = βv + g, RMSprop the second moment, Adam both with bias correction;
// every kind applies decoupled weight decay with the weight before the update. The learning rate of this
// step comes from the model's decay schedule. Frozen models (diverged or stopped) keep
// their parameters. Each invocation updates VECTORS_PER_INVOCATION consecutive vec4s of
// one model's parameters, so the per-model constants are read and computed once for them
// and memory moves 16 bytes per access (per-invocation and per-access overheads dominate
// on SwiftShader); param_count, the per-model stride, is a multiple of 4.
// OPTIMIZERS and DECAYS have bit k set when some model of the population uses optimizer
// (decay) code k, and the pipeline compiles only those cases: SwiftShader runs every case
// of a switch with lanes masked off, so unused cases cost as much as used ones.
// (The generated declarations, model.wgsl and elementwise.wgsl precede: OPTIMIZER_* and
// DECAY_* are the codes of the table of hyperparameters.)

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
override OPTIMIZERS: u32 = 0xffffffffu;
override DECAYS: u32 = 0xffffffffu;

fn uses(kinds: u32, code: u32) -> bool {
  return (kinds & (1u << code)) != 0u;
}

const PI: f32 = 3.141592653589793;

// base^exponent for an integer exponent, with 0^0 = 1 and 0^n = 0 (pow(0, y) is undefined in WGSL).
fn power(base: f32, exponent: u32) -> f32 {
  if (exponent == 0u) {
    return 1.0;
  }
  if (base == 0.0) {
    return 0.0;
  }
  return pow(base, f32(exponent));
}

// 1 - base^exponent, Adam's bias correction, to float32 accuracy (1.5e-7 relative, emulated):
// 1 - pow(β, t) for β near 1 cancels (~3e-5 off at β = 0.999, t = 1; torch computes it in
// float64). Instead ln β = ln(1 - d) with d = 1 - β exact, by the atanh series
// -2(y + y³/3 + …), y = d/(2 - d) <= 1/3 for β >= 0.5 (8 terms reach 1e-9); then
// 1 - e^x = -(x + x²/2! + …) while |x| <= 0.5, where 1 - e^x itself would cancel.
fn one_minus_power(base: f32, exponent: u32) -> f32 {
  if (base < 0.5 || exponent == 0u) {
    return 1.0 - power(base, exponent);
  }
  let d = 1.0 - base;
  let y = d / (2.0 - d);
  var log_sum = 0.0;
  var odd_power = y;
  for (var k = 0u; k < 8u; k = k + 1u) {
    log_sum = log_sum + odd_power / f32(2u * k + 1u);
    odd_power = odd_power * y * y;
  }
  let x = -2.0 * log_sum * f32(exponent);
  if (x < -0.5) {
    return 1.0 - exp(x);
  }
  var expm1 = 0.0;
  var term = x;
  for (var k = 1u; k <= 10u; k = k + 1u) {
    expm1 = expm1 + term;
    term = term * x / f32(k + 1u);
  }
  return -expm1;
}

fn learning_rate(hyper: ModelHyper, step: u32) -> f32 {
  let epoch = (step * optimizer.batch_size) / optimizer.train_count;
  let k = hyper.decay_rate;
  if (uses(DECAYS, DECAY_INVERSE_TIME) && hyper.decay == DECAY_INVERSE_TIME) {
    return hyper.learning_rate / (1.0 + k * f32(epoch));
  }
  if (uses(DECAYS, DECAY_EXPONENTIAL) && hyper.decay == DECAY_EXPONENTIAL) {
    return hyper.learning_rate * power(k, epoch);
  }
  if (uses(DECAYS, DECAY_STEP) && hyper.decay == DECAY_STEP) {
    return hyper.learning_rate * power(k, epoch / u32(hyper.decay_every));
  }
  if (uses(DECAYS, DECAY_COSINE) && hyper.decay == DECAY_COSINE) {
    return hyper.learning_rate * 0.5 * (1.0 + cos(PI * f32(step) / f32(optimizer.total_steps)));
  }
  return hyper.learning_rate;
}

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
  let lr = learning_rate(hyper, current.step);
  let decay = lr * hyper.weight_decay;
  let t = current.step + 1u;
  let correction1 = one_minus_power(hyper.beta1, t);
  let correction2 = one_minus_power(hyper.beta2, t);
  let first = (invocation % chunks) * VECTORS_PER_INVOCATION;
  let end = min(first + VECTORS_PER_INVOCATION, vectors);
  for (var v = first; v < end; v = v + 1u) {
    let i = model * vectors + v;
    let w = parameters[i];
    let g = gradients[i];
    if (uses(OPTIMIZERS, OPTIMIZER_SGD) && hyper.optimizer == OPTIMIZER_SGD) {
      parameters[i] = w - lr * g - decay * w;
    }
    if (uses(OPTIMIZERS, OPTIMIZER_MOMENTUM) && hyper.optimizer == OPTIMIZER_MOMENTUM) {
      let velocity = hyper.beta1 * first_moment[i] + g;
      first_moment[i] = velocity;
      parameters[i] = w - lr * velocity - decay * w;
    }
    if (uses(OPTIMIZERS, OPTIMIZER_RMSPROP) && hyper.optimizer == OPTIMIZER_RMSPROP) {
      let s = hyper.rmsprop_alpha * second_moment[i] + (1.0 - hyper.rmsprop_alpha) * g * g;
      second_moment[i] = s;
      parameters[i] = w - lr * g / (sqrt(s) + hyper.epsilon) - decay * w;
    }
    if (uses(OPTIMIZERS, OPTIMIZER_ADAM) && hyper.optimizer == OPTIMIZER_ADAM) {
      let m = hyper.beta1 * first_moment[i] + (1.0 - hyper.beta1) * g;
      let s = hyper.beta2 * second_moment[i] + (1.0 - hyper.beta2) * g * g;
      first_moment[i] = m;
      second_moment[i] = s;
      parameters[i] = w - lr * (m / correction1) / (sqrt(s / correction2) + hyper.epsilon) - decay * w;
    }
  }
}
