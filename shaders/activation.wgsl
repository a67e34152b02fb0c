// The activations and their derivatives (prepended to the matmul kernels, whose epilogues
// apply them). Codes follow ACTIVATIONS in src/train/types.ts.

const LEAKY_SLOPE: f32 = 0.01;
const GELU_C: f32 = 0.7978845608028654;
const GELU_A: f32 = 0.044715;

// On vec4 (a row of a matmul's 4×4 block) so the activation switch runs once per 4 values.

// tanh saturates to ±1 in f32 beyond |x| = 10; clamping keeps exp-based tanh from inf/inf.
fn safe_tanh(x: vec4f) -> vec4f {
  return tanh(clamp(x, vec4f(-10.0), vec4f(10.0)));
}

fn sigmoid(z: vec4f) -> vec4f {
  return 1.0 / (1.0 + exp(-z));
}

fn activate(kind: u32, z: vec4f) -> vec4f {
  switch kind {
    case 0u: { return max(z, vec4f(0.0)); }
    case 1u: { return select(LEAKY_SLOPE * z, z, z > vec4f(0.0)); }
    case 2u: { return safe_tanh(z); }
    case 3u: { return sigmoid(z); }
    case 4u: { return 0.5 * z * (1.0 + safe_tanh(GELU_C * (z + GELU_A * z * z * z))); }
    default: { return z; }
  }
}

const GELU: u32 = 4u;

// act'(z) from what the forward pass kept: a = act(z), from which every activation but gelu
// recovers its derivative exactly as from z (relu family: a > 0 iff z > 0, taking the
// z <= 0 branch at 0 like the CPU; tanh: 1 - a²; sigmoid: a(1 - a)), and z itself for gelu.
fn activation_derivative(kind: u32, kept: vec4f) -> vec4f {
  switch kind {
    case 0u: { return select(vec4f(0.0), vec4f(1.0), kept > vec4f(0.0)); }
    case 1u: { return select(vec4f(LEAKY_SLOPE), vec4f(1.0), kept > vec4f(0.0)); }
    case 2u: { return 1.0 - kept * kept; }
    case 3u: { return kept * (1.0 - kept); }
    case 4u: {
      let t = safe_tanh(GELU_C * (kept + GELU_A * kept * kept * kept));
      return 0.5 * (1.0 + t) + 0.5 * kept * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * kept * kept);
    }
    default: { return vec4f(1.0); }
  }
}
