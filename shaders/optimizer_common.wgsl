// The optimizers' math on one vec4 of a model's parameters, shared by optimizer_step.wgsl
// (the layered path: one dispatch per step) and fused_mlp.wgsl (the whole step in one
// workgroup per model): PyTorch's forms (see OptimizerKind and DecayKind in
// src/train/types.ts): momentum keeps v = βv + g, RMSprop the second moment, Adam both with
// bias correction; every kind applies decoupled weight decay with the weight before the
// update. The learning rate of a step comes from the model's decay schedule.
// OPTIMIZERS and DECAYS have bit k set when some model of the population uses optimizer
// (decay) code k, and the pipeline compiles only those cases: SwiftShader runs every case
// of a switch with lanes masked off, so unused cases cost as much as used ones.
// (The generated declarations precede: OPTIMIZER_* and DECAY_* are the codes of the table
// of hyperparameters.)

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

// The schedule's rate at `step`; epoch = floor(step · batch_size / train_count).
fn learning_rate(hyper: ModelHyper, step: u32, batch_size: u32, train_count: u32, total_steps: u32) -> f32 {
  let epoch = (step * batch_size) / train_count;
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
    return hyper.learning_rate * 0.5 * (1.0 + cos(PI * f32(step) / f32(total_steps)));
  }
  return hyper.learning_rate;
}

// What one model's update at one step needs besides the parameters: computed once per model and step.
struct StepRates {
  lr: f32,
  decay: f32,
  correction1: f32,
  correction2: f32,
}

fn step_rates(hyper: ModelHyper, step: u32, batch_size: u32, train_count: u32, total_steps: u32) -> StepRates {
  let lr = learning_rate(hyper, step, batch_size, train_count, total_steps);
  let t = step + 1u;
  return StepRates(lr, lr * hyper.weight_decay, one_minus_power(hyper.beta1, t), one_minus_power(hyper.beta2, t));
}

// Whether the model's optimizer keeps a first moment (momentum's v, Adam's m) and a second (RMSprop's and Adam's s).
fn keeps_first_moment(hyper: ModelHyper) -> bool {
  return hyper.optimizer == OPTIMIZER_MOMENTUM || hyper.optimizer == OPTIMIZER_ADAM;
}

fn keeps_second_moment(hyper: ModelHyper) -> bool {
  return hyper.optimizer == OPTIMIZER_RMSPROP || hyper.optimizer == OPTIMIZER_ADAM;
}

// A vec4 of parameters and its moments after one step; moments an optimizer does not keep pass through.
struct Updated {
  w: vec4f,
  first: vec4f,
  second: vec4f,
}

fn optimizer_update(hyper: ModelHyper, rates: StepRates, w: vec4f, g: vec4f, first: vec4f, second: vec4f) -> Updated {
  let lr = rates.lr;
  let decay = rates.decay;
  var out = Updated(w, first, second);
  if (uses(OPTIMIZERS, OPTIMIZER_SGD) && hyper.optimizer == OPTIMIZER_SGD) {
    out.w = w - lr * g - decay * w;
  }
  if (uses(OPTIMIZERS, OPTIMIZER_MOMENTUM) && hyper.optimizer == OPTIMIZER_MOMENTUM) {
    let velocity = hyper.beta1 * first + g;
    out.first = velocity;
    out.w = w - lr * velocity - decay * w;
  }
  if (uses(OPTIMIZERS, OPTIMIZER_RMSPROP) && hyper.optimizer == OPTIMIZER_RMSPROP) {
    let s = hyper.rmsprop_alpha * second + (1.0 - hyper.rmsprop_alpha) * g * g;
    out.second = s;
    out.w = w - lr * g / (sqrt(s) + hyper.epsilon) - decay * w;
  }
  if (uses(OPTIMIZERS, OPTIMIZER_ADAM) && hyper.optimizer == OPTIMIZER_ADAM) {
    let m = hyper.beta1 * first + (1.0 - hyper.beta1) * g;
    let s = hyper.beta2 * second + (1.0 - hyper.beta2) * g * g;
    out.first = m;
    out.second = s;
    out.w = w - lr * (m / rates.correction1) / (sqrt(s / rates.correction2) + hyper.epsilon) - decay * w;
  }
  return out;
}
