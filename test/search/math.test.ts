// The engine-independent exp/log/log1p/expm1/pow/cos against this engine's Math.*: within one
// ulp over wide ranges (each is within 1 ulp of the exact value, as is V8's, so they may differ
// by that much), and exactly the IEEE special cases the spec fixes for Math.*.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COS_MAX_ARGUMENT, cos, exp, expm1, log, log1p, pow } from '../../src/search/math.ts';

/** How many doubles apart a and b are (0 when Object.is-equal; both must be finite, same sign or zero). */
function ulpsApart(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const signed = (i: bigint) => (i < 0n ? -(i & 0x7fffffffffffffffn) : i); // monotone in the double's value
  const d = signed(bits[0]) - signed(bits[1]);
  return Number(d < 0n ? -d : d);
}

const RUNS = { numRuns: 20_000 };
/** Doubles in [min, max] of every magnitude, not only near the bounds (fc.double spreads over exponents). */
const inRange = (min: number, max: number) => fc.double({ min, max, noNaN: true });

function withinOneUlp<T>(name: string, ours: (x: T) => number, reference: (x: T) => number, arb: fc.Arbitrary<T>) {
  let identical = 0;
  let total = 0;
  fc.assert(
    fc.property(arb, (x) => {
      const [a, b] = [ours(x), reference(x)];
      total++;
      if (Object.is(a, b)) identical++;
      return ulpsApart(a, b) <= 1;
    }),
    RUNS,
  );
  console.log(
    `[math] ${name}: ${((100 * identical) / total).toFixed(2)}% bit-identical to this engine's Math, all within 1 ulp`,
  );
}

describe('deterministic math (fdlibm ports)', () => {
  it('exp is within 1 ulp of Math.exp from underflow to overflow', () => {
    withinOneUlp('exp', exp, Math.exp, inRange(-746, 710));
    withinOneUlp('exp near 0', exp, Math.exp, inRange(-1e-6, 1e-6));
  });

  it('log is within 1 ulp of Math.log over all positive doubles, subnormals included', () => {
    withinOneUlp('log', log, Math.log, inRange(Number.MIN_VALUE, Number.MAX_VALUE));
    withinOneUlp('log near 1', log, Math.log, inRange(0.5, 2));
  });

  it('log1p and expm1 are within 1 ulp of Math.log1p and Math.expm1, tiny arguments included', () => {
    withinOneUlp('log1p', log1p, Math.log1p, inRange(-1, Number.MAX_VALUE));
    withinOneUlp('log1p near 0', log1p, Math.log1p, inRange(-1e-3, 1e-3));
    withinOneUlp('expm1', expm1, Math.expm1, inRange(-800, 709));
    withinOneUlp('expm1 near 0', expm1, Math.expm1, inRange(-1e-3, 1e-3));
  });

  it('cos is within 1 ulp of Math.cos over its whole domain and on the Box-Muller angles', () => {
    withinOneUlp(
      'cos',
      cos,
      Math.cos,
      inRange(-COS_MAX_ARGUMENT, COS_MAX_ARGUMENT).filter((x) => Math.abs(x) < COS_MAX_ARGUMENT),
    );
    withinOneUlp(
      'cos(2πu)',
      (u) => cos(2 * Math.PI * u),
      (u) => Math.cos(2 * Math.PI * u),
      inRange(0, 1),
    );
    expect(() => cos(COS_MAX_ARGUMENT)).toThrow(/cos needs \|x\| < 1647099/);
  });

  it('pow is within 1 ulp of Math.pow for positive bases, and for negative bases with integer exponents', () => {
    const finite = (x: number) => Number.isFinite(x) && x !== 0;
    withinOneUlp(
      'pow',
      ([x, y]) => pow(x, y),
      ([x, y]) => x ** y,
      fc.tuple(inRange(1e-300, 1e300), inRange(-200, 200)).filter(([x, y]) => finite(x ** y)),
    );
    withinOneUlp(
      'pow, negative base',
      ([x, y]) => pow(x, y),
      ([x, y]) => x ** y,
      fc.tuple(inRange(-1e6, -1e-6), fc.integer({ min: -50, max: 50 })).filter(([x, y]) => finite(x ** y)),
    );
  });

  it('pow of integers is exact whenever the result is representable', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 40 }), (x, y) => {
        const exact = BigInt(x) ** BigInt(y);
        fc.pre(exact <= 2n ** 53n && exact >= -(2n ** 53n));
        return pow(x, y) === Number(exact);
      }),
      RUNS,
    );
  });

  it('gives exactly the special values the spec fixes for Math.* (NaN, infinities, signed zeros, exact ones)', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, Number.MIN_VALUE, -1e308, 1e308];
    /** Equal bits, or else an ordinary finite nonzero value within 1 ulp (those the spec leaves to the engine). */
    const agrees = (what: string, ours: number, spec: number) => {
      if (Object.is(ours, spec)) return;
      expect(Number.isFinite(spec) && spec !== 0, `${what} = ${ours}, Math gives ${spec}`).toBe(true);
      expect(ulpsApart(ours, spec), `${what} = ${ours}, Math gives ${spec}`).toBeLessThanOrEqual(1);
    };
    for (const x of specials) {
      agrees(`exp(${x})`, exp(x), Math.exp(x));
      agrees(`log(${x})`, log(x), Math.log(x));
      agrees(`log1p(${x})`, log1p(x), Math.log1p(x));
      agrees(`expm1(${x})`, expm1(x), Math.expm1(x));
      if (!(Math.abs(x) >= COS_MAX_ARGUMENT) || !Number.isFinite(x)) agrees(`cos(${x})`, cos(x), Math.cos(x));
      for (const y of specials) agrees(`pow(${x}, ${y})`, pow(x, y), x ** y);
    }
    expect(exp(1)).toBeCloseTo(Math.E, 15);
    expect(log(Math.E)).toBeCloseTo(1, 15);
  });
});
