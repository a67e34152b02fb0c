// Counter-based randomness, bit for bit the words of src/search/random.ts: u32 arithmetic
// wraps in WGSL exactly like Math.imul and `>>> 0` in JavaScript. WGSL has no variadic
// functions, so hash32 comes in the arities the kernels use.

fn mix32(x0: u32) -> u32 {
  var x = x0;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  return x ^ (x >> 16u);
}

const HASH_START: u32 = 0x811c9dc5u;

fn hash_fold(h: u32, word: u32) -> u32 {
  return mix32((h ^ word) + 0x9e3779b9u);
}

fn hash2(a: u32, b: u32) -> u32 {
  return hash_fold(hash_fold(HASH_START, a), b);
}

fn hash3(a: u32, b: u32, c: u32) -> u32 {
  return hash_fold(hash2(a, b), c);
}

fn hash5(a: u32, b: u32, c: u32, d: u32, e: u32) -> u32 {
  return hash_fold(hash_fold(hash3(a, b, c), d), e);
}

// Top 24 bits as an f32-exact value in [0, 1).
fn unit_float24(h: u32) -> f32 {
  return f32(h >> 8u) / 16777216.0;
}

// Box-Muller needs log and cos closer to the CPU's than some adapters' built-ins give
// (SwiftShader's differ by ~4e-4 relative), so both are series in f32 on reduced arguments.

// -log(u) for u in (0, 1]: u = m · 2^e with m in [0.5, 1), and -log(m) = 2 (s + s³/3 + s⁵/5 + …)
// with s = (1 - m) / (1 + m) in [0, 1/3] (atanh series, exact to f32 in 10 terms).
fn neg_log_unit(u: f32) -> f32 {
  let parts = frexp(u);
  let m = parts.fract;
  let s = (1.0 - m) / (1.0 + m);
  let s2 = s * s;
  var term = s;
  var sum = 0.0;
  for (var n = 1.0; n < 20.0; n = n + 2.0) {
    sum = sum + term / n;
    term = term * s2;
  }
  return 2.0 * sum - f32(parts.exp) * 0.6931471805599453;
}

// cos(2π u) for u in [0, 1): u folds exactly into r in [0, 1/4] (cos(2πu) = ±cos(2πr)), then
// a Taylor series to x^16 (error below 2e-10 for x <= π/2).
fn cos_turns(u: f32) -> f32 {
  let a = abs(u - round(u));
  let flip = a > 0.25;
  let x = 6.283185307179586 * select(a, 0.5 - a, flip);
  let x2 = x * x;
  var term = 1.0;
  var sum = 1.0;
  for (var k = 1.0; k < 9.0; k = k + 1.0) {
    term = -term * x2 / ((2.0 * k - 1.0) * (2.0 * k));
    sum = sum + term;
  }
  return select(sum, -sum, flip);
}

// normal(a, b, c, d) of random.ts: Box-Muller over the words (a, b, c, d, 0) and (…, 1).
fn normal4(a: u32, b: u32, c: u32, d: u32) -> f32 {
  let u1 = 1.0 - unit_float24(hash5(a, b, c, d, 0u));
  let u2 = unit_float24(hash5(a, b, c, d, 1u));
  return sqrt(2.0 * neg_log_unit(u1)) * cos_turns(u2);
}

// batchSampleIndex of src/train/cpu/ops.ts: the training row at slot b of a model's batch
// `step`: position p = step · batch_size + b is row permute_index(p mod n, n,
// hash2(data_seed, floor(p / n))) of the n rows, a fresh shuffle per epoch.
fn batch_sample_index(data_seed: u32, step: u32, b: u32, batch_size: u32, n: u32) -> u32 {
  let position = step * batch_size + b;
  return permute_index(position % n, n, hash2(data_seed, position / n));
}

// permuteIndex of random.ts: a 4-round Feistel network with cycle-walking into [0, n).
fn permute_index(index: u32, n: u32, key: u32) -> u32 {
  var half_bits = 1u;
  while ((1u << (2u * half_bits)) < n) {
    half_bits = half_bits + 1u;
  }
  let mask = (1u << half_bits) - 1u;
  var x = index;
  loop {
    var left = x >> half_bits;
    var right = x & mask;
    for (var round = 0u; round < 4u; round = round + 1u) {
      let next = left ^ (hash3(key, round, right) & mask);
      left = right;
      right = next;
    }
    x = (left << half_bits) | right;
    if (x < n) {
      break;
    }
  }
  return x;
}
