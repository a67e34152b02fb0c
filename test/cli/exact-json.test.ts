// The journal's and the workers' JSON gives back every bit: typed arrays (NaN payloads, -0 and
// all), non-finite numbers and -0 in plain fields, nested anywhere.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromExactJson, toExactJson } from '../../src/cli/exact-json.ts';

const bits = (a: ArrayBufferView) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

describe('exact JSON', () => {
  it('round-trips typed arrays byte for byte and numbers with Object.is', () => {
    const value = fc.record({
      f32: fc.float32Array({ maxLength: 40 }),
      f64: fc.float64Array({ maxLength: 20 }),
      i32: fc.int32Array({ maxLength: 20 }),
      u8: fc.uint8Array({ maxLength: 20 }),
      numbers: fc.array(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -0, Infinity, -Infinity))),
      text: fc.string(),
    });
    fc.assert(
      fc.property(value, (v) => {
        const back = fromExactJson(toExactJson(v)) as typeof v;
        expect(back.f32).toBeInstanceOf(Float32Array);
        expect(bits(back.f32)).toEqual(bits(v.f32));
        expect(bits(back.f64)).toEqual(bits(v.f64));
        expect(back.i32).toEqual(v.i32);
        expect(back.u8).toEqual(v.u8);
        expect(back.numbers.length).toBe(v.numbers.length);
        back.numbers.forEach((n, i) => expect(Object.is(n, v.numbers[i]), `${n} vs ${v.numbers[i]}`).toBe(true));
        expect(back.text).toBe(v.text);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a view into a larger buffer as the view alone', () => {
    const whole = new Float32Array([1, 2, 3, 4]);
    const back = fromExactJson(toExactJson({ part: whole.subarray(1, 3) })) as { part: Float32Array };
    expect(Array.from(back.part)).toEqual([2, 3]);
  });
});
