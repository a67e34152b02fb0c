// The activations and their derivatives (prepended to the matmul kernels, whose epilogues
// apply them). Codes are the generated ACTIVATION_* constants (the table of hyperparameters,
// src/search/hyperparameters.ts); the formulas are PyTorch's.

const LEAKY_SLOPE: f32 = 0.01;
const GELU_C: f32 = 0.7978845608028654;
const GELU_A: f32 = 0.044715;
const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;
// Abramowitz & Stegun 7.1.26: erfc(x) = t·(a1 + a2 t + … + a5 t⁴)·e^{-x²}, t = 1/(1 + p x),
// for x >= 0, within 1.5e-7 of erf absolutely (WGSL has no erf). Against the float64 exact
// gelu on [-10, 10] the float32 value and derivative stay within 1.4e-7·max(1, |z|) on
// SwiftShader (kernels test).
const ERF_P: f32 = 0.3275911;
const ERF_A1: f32 = 0.254829592;
const ERF_A2: f32 = -0.284496736;
const ERF_A3: f32 = 1.421413741;
const ERF_A4: f32 = -1.453152027;
const ERF_A5: f32 = 1.061405429;

// On vec4 (a row of a matmul's 4×4 block) so the activation switch runs once per 4 values.

// tanh saturates to ±1 in f32 beyond |x| = 10; clamping keeps exp-based tanh from inf/inf.
fn safe_tanh(x: vec4f) -> vec4f {
  return tanh(clamp(x, vec4f(-10.0), vec4f(10.0)));
}

fn sigmoid(z: vec4f) -> vec4f {
  return 1.0 / (1.0 + exp(-z));
}

// e^{-z²/2}: both φ(z)·√(2π) and, as e^{-x²} at x = z/√2, the factor of erfc(|z|/√2).
fn gaussian(z: vec4f) -> vec4f {
  return exp(-0.5 * z * z);
}

// Φ(z) = ½(1 + erf(z/√2)) from the tail ½erfc(|z|/√2) = Φ(-|z|), so the left tail has no cancellation.
fn normal_cdf(z: vec4f, gauss: vec4f) -> vec4f {
  let t = 1.0 / (1.0 + ERF_P * SQRT1_2 * abs(z));
  let tail = 0.5 * t * (ERF_A1 + t * (ERF_A2 + t * (ERF_A3 + t * (ERF_A4 + t * ERF_A5)))) * gauss;
  return select(1.0 - tail, tail, z < vec4f(0.0));
}

fn activate(kind: u32, z: vec4f) -> vec4f {
  switch kind {
    case ACTIVATION_RELU: { return max(z, vec4f(0.0)); }
    case ACTIVATION_LEAKY_RELU: { return select(LEAKY_SLOPE * z, z, z > vec4f(0.0)); }
    case ACTIVATION_TANH: { return safe_tanh(z); }
    case ACTIVATION_SIGMOID: { return sigmoid(z); }
    case ACTIVATION_GELU: { return z * normal_cdf(z, gaussian(z)); }
    case ACTIVATION_GELU_TANH: { return 0.5 * z * (1.0 + safe_tanh(GELU_C * (z + GELU_A * z * z * z))); }
    default: { return z; }
  }
}

// Whether the forward keeps z for the derivative: the gelus' z cannot be recovered from a.
fn keeps_pre_activation(kind: u32) -> bool {
  return kind == ACTIVATION_GELU || kind == ACTIVATION_GELU_TANH;
}

// act'(z) from what the forward pass kept: a = act(z), from which every activation but the
// gelus recovers its derivative exactly as from z (relu family: a > 0 iff z > 0, taking the
// z <= 0 branch at 0 like the CPU; tanh: 1 - a²; sigmoid: a(1 - a)), and z itself for the gelus.
fn activation_derivative(kind: u32, kept: vec4f) -> vec4f {
  switch kind {
    case ACTIVATION_RELU: { return select(vec4f(0.0), vec4f(1.0), kept > vec4f(0.0)); }
    case ACTIVATION_LEAKY_RELU: { return select(vec4f(LEAKY_SLOPE), vec4f(1.0), kept > vec4f(0.0)); }
    case ACTIVATION_TANH: { return 1.0 - kept * kept; }
    case ACTIVATION_SIGMOID: { return kept * (1.0 - kept); }
    case ACTIVATION_GELU: {
      // d/dz z·Φ(z) = Φ(z) + z·φ(z).
      let gauss = gaussian(kept);
      return normal_cdf(kept, gauss) + kept * INV_SQRT_2PI * gauss;
    }
    case ACTIVATION_GELU_TANH: {
      let t = safe_tanh(GELU_C * (kept + GELU_A * kept * kept * kept));
      return 0.5 * (1.0 + t) + 0.5 * kept * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * kept * kept);
    }
    default: { return vec4f(1.0); }
  }
}
