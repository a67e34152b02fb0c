// Distributions and the search space. Every distribution maps its values to and from the
// unit interval [0, 1] so that samplers, coarse-to-fine boxes and importance all work in one
// "transformed" space where a uniform draw is a draw on the parameter's own scale:
//  float linear         u = (x - low) / (high - low)
//  float log            u = ln(x / low) / ln(high / low)              (each decade gets equal mass)
//  float one-minus-log  u = ln((1-low) / (1-x)) / ln((1-low) / (1-high))
//                       i.e. 1-β is log-uniform: β in [0.9, 0.999] puts half its mass in [0.99, 0.999]
//  int linear/log       as float over [low-½, high+½], rounded: every integer owns an equal-width
//                       bin on its scale; toUnit gives the integer's own position, inside its bin,
//                       so fromUnit(toUnit(v)) === v exactly
//  power-of-two         uniform over the exponents log2(low)..log2(high)
//  categorical          uniform over the choices, choice i owns bin [i/n, (i+1)/n)

import { exp, expm1, log, log1p } from './math.ts';

export type FloatScale = 'linear' | 'log' | 'one-minus-log';
export type IntScale = 'linear' | 'log';

export interface FloatDistribution {
  kind: 'float';
  scale: FloatScale;
  low: number;
  high: number;
}
export interface IntDistribution {
  kind: 'int';
  scale: IntScale;
  low: number;
  high: number;
}
/** Powers of two from low to high inclusive (e.g. batch sizes 16..512). */
export interface PowerOfTwoDistribution {
  kind: 'power-of-two';
  low: number;
  high: number;
}
export interface CategoricalDistribution {
  kind: 'categorical';
  choices: readonly (string | number)[];
}
export type Distribution = FloatDistribution | IntDistribution | PowerOfTwoDistribution | CategoricalDistribution;
export type NumericDistribution = Exclude<Distribution, CategoricalDistribution>;

export type ParamValue = number | string;
/** A hyperparameter's place in the hierarchy; 'fixed' ones stay at their default unless unlocked. */
export type Tier = 1 | 2 | 3 | 'fixed';

export interface HyperparameterSpec {
  /** The engine's field name, e.g. 'learningRate' (see catalog.ts). */
  name: string;
  distribution: Distribution;
  /**
   * The value used whenever this hyperparameter is not being searched. It must suit the
   * engine but need not lie in the search range (weightDecay: 0 = off, searched on log [1e-5, 1e-1]).
   */
  default: ParamValue;
  tier: Tier;
  /** Searched (true) or held at its default (false). Unlocking a 'fixed' one sets this. */
  enabled: boolean;
}
export type SearchSpace = HyperparameterSpec[];

/** Throws an Error naming the broken rule; returns the distribution unchanged when valid. */
export function validateDistribution<D extends Distribution>(d: D): D {
  if (d.kind === 'categorical') {
    if (!Array.isArray(d.choices) || d.choices.length === 0)
      throw new Error('categorical needs at least one choice, got none');
    const seen = new Set<string | number>();
    for (const c of d.choices) {
      if (typeof c !== 'string' && !(typeof c === 'number' && Number.isFinite(c)))
        throw new Error(`categorical choices must be strings or finite numbers, got ${String(c)}`);
      if (seen.has(c)) throw new Error(`categorical choices must be distinct, got ${JSON.stringify(c)} twice`);
      seen.add(c);
    }
    return d;
  }
  const { low, high } = d;
  if (!Number.isFinite(low) || !Number.isFinite(high))
    throw new Error(`bounds must be finite numbers, got low=${low}, high=${high}`);
  if (d.kind === 'float') {
    if (!(low < high)) throw new Error(`float range needs low < high, got low=${low}, high=${high}`);
    if (d.scale === 'log' && !(low > 0)) throw new Error(`log scale needs low > 0, got low=${low}`);
    if (d.scale === 'one-minus-log' && !(high < 1))
      throw new Error(`one-minus-log scale needs high < 1 (it samples 1-x on a log scale), got high=${high}`);
    if (d.scale !== 'linear' && d.scale !== 'log' && d.scale !== 'one-minus-log')
      throw new Error(`float scale must be linear, log or one-minus-log, got ${String(d.scale)}`);
    return d;
  }
  if (!(low <= high)) throw new Error(`${d.kind} range needs low <= high, got low=${low}, high=${high}`);
  if (d.kind === 'int') {
    if (!Number.isInteger(low) || !Number.isInteger(high))
      throw new Error(`int range needs integer bounds, got low=${low}, high=${high}`);
    if (d.scale === 'log' && !(low >= 1)) throw new Error(`log scale needs low >= 1 for integers, got low=${low}`);
    if (d.scale !== 'linear' && d.scale !== 'log')
      throw new Error(`int scale must be linear or log, got ${String(d.scale)}`);
    return d;
  }
  if (d.kind === 'power-of-two') {
    for (const [which, v] of [
      ['low', low],
      ['high', high],
    ] as const) {
      if (!(v >= 1) || !Number.isInteger(Math.log2(v)))
        throw new Error(`power-of-two range needs powers of two >= 1, got ${which}=${v}`);
    }
    return d;
  }
  throw new Error(`unknown distribution kind ${String((d as { kind: unknown }).kind)}`);
}

/** The continuous interval (on the linear axis) whose transformed image is [0, 1]. */
function continuousBounds(d: NumericDistribution): [number, number] {
  if (d.kind === 'float') return [d.low, d.high];
  if (d.kind === 'int') return [d.low - 0.5, d.high + 0.5];
  return [Math.log2(d.low) - 0.5, Math.log2(d.high) + 0.5]; // exponents
}

/** The scale a numeric distribution is uniform on, after continuousBounds. */
function warp(d: NumericDistribution): FloatScale {
  return d.kind === 'power-of-two' ? 'linear' : d.scale;
}

// math.ts, not Math.*: engines round Math.exp/log differently, and a link must draw the same values everywhere.
function forward(scale: FloatScale, x: number): number {
  return scale === 'log' ? log(x) : scale === 'one-minus-log' ? -log1p(-x) : x;
}
function inverse(scale: FloatScale, t: number): number {
  return scale === 'log' ? exp(t) : scale === 'one-minus-log' ? -expm1(-t) : t;
}

/** Number of distinct values, or Infinity for floats. */
export function cardinality(d: Distribution): number {
  if (d.kind === 'float') return Infinity;
  if (d.kind === 'categorical') return d.choices.length;
  if (d.kind === 'int') return d.high - d.low + 1;
  return Math.log2(d.high) - Math.log2(d.low) + 1;
}

/** Whether `value` is one of the distribution's values. */
export function contains(d: Distribution, value: ParamValue): boolean {
  if (d.kind === 'categorical') return d.choices.includes(value);
  if (typeof value !== 'number' || !(value >= d.low && value <= d.high)) return false;
  if (d.kind === 'int') return Number.isInteger(value);
  if (d.kind === 'power-of-two') return Number.isInteger(Math.log2(value));
  return true;
}

/** The position of `value` in [0, 1]; discrete values map to their bin's centre. Throws on values outside the distribution. */
export function toUnit(d: Distribution, value: ParamValue): number {
  if (!contains(d, value)) throw new Error(`value ${JSON.stringify(value)} is not in ${describeDistribution(d)}`);
  if (d.kind === 'categorical') return (d.choices.indexOf(value) + 0.5) / d.choices.length;
  const x = d.kind === 'power-of-two' ? Math.log2(value as number) : (value as number);
  const [a, b] = continuousBounds(d);
  const s = warp(d);
  const u = (forward(s, x) - forward(s, a)) / (forward(s, b) - forward(s, a));
  return Math.min(1, Math.max(0, u));
}

/** The value at position u in [0, 1] (u is clamped), always inside the distribution's bounds. */
export function fromUnit(d: Distribution, u: number): ParamValue {
  if (!Number.isFinite(u)) throw new Error(`fromUnit needs a finite u in [0, 1], got ${u}`);
  u = Math.min(1, Math.max(0, u));
  if (d.kind === 'categorical') return d.choices[Math.min(d.choices.length - 1, Math.floor(u * d.choices.length))];
  const [a, b] = continuousBounds(d);
  const s = warp(d);
  const fa = forward(s, a);
  const x = inverse(s, fa + u * (forward(s, b) - fa));
  if (d.kind === 'float') return Math.min(d.high, Math.max(d.low, x));
  if (d.kind === 'int') return Math.min(d.high, Math.max(d.low, Math.round(x)));
  return 2 ** Math.min(Math.log2(d.high), Math.max(Math.log2(d.low), Math.round(x)));
}

export function describeDistribution(d: Distribution): string {
  if (d.kind === 'categorical') return `categorical {${d.choices.map((c) => JSON.stringify(c)).join(', ')}}`;
  if (d.kind === 'power-of-two') return `power-of-two [${d.low}, ${d.high}]`;
  return `${d.kind} ${d.scale} [${d.low}, ${d.high}]`;
}

/** Throws naming the hyperparameter and the broken rule; checks names are distinct. */
export function validateSpace(space: readonly HyperparameterSpec[]): void {
  const names = new Set<string>();
  for (const p of space) {
    if (typeof p.name !== 'string' || p.name === '') throw new Error('every hyperparameter needs a non-empty name');
    if (names.has(p.name)) throw new Error(`hyperparameter names must be distinct, got ${p.name} twice`);
    names.add(p.name);
    try {
      validateDistribution(p.distribution);
    } catch (e) {
      throw new Error(`${p.name}: ${(e as Error).message}`);
    }
    const numeric = p.distribution.kind !== 'categorical';
    if (
      numeric
        ? typeof p.default !== 'number' || !Number.isFinite(p.default)
        : typeof p.default !== 'string' && typeof p.default !== 'number'
    ) {
      throw new Error(
        `${p.name}: default must be ${numeric ? 'a finite number' : 'a string or number'}, got ${JSON.stringify(p.default)}`,
      );
    }
    if (![1, 2, 3, 'fixed'].includes(p.tier))
      throw new Error(`${p.name}: tier must be 1, 2, 3 or 'fixed', got ${String(p.tier)}`);
  }
}

/** The hyperparameters a sampler draws (enabled ones), in space order. */
export function searchedParams(space: readonly HyperparameterSpec[]): HyperparameterSpec[] {
  return space.filter((p) => p.enabled);
}

/** Every hyperparameter at its default. */
export function defaultParams(space: readonly HyperparameterSpec[]): Record<string, ParamValue> {
  return Object.fromEntries(space.map((p) => [p.name, p.default]));
}
