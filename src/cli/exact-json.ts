// JSON that gives back exactly what went in: typed arrays as base64 of their bytes and
// NaN/±Infinity/-0 as tagged strings, where plain JSON writes an object of indices, null and 0.
// The coordinator's journal and the workers' results travel in it, so a study replayed from
// its journal or trained on another machine has the same bits as one trained here.

const TYPED = { Float32Array, Float64Array, Int32Array, Uint8Array } as const;
type TypedName = keyof typeof TYPED;

interface TaggedTyped {
  $typed: TypedName;
  base64: string;
}
interface TaggedNumber {
  $number: 'NaN' | 'Infinity' | '-Infinity' | '-0';
}

function replacer(_key: string, value: unknown): unknown {
  if (Object.is(value, -0)) return { $number: '-0' } satisfies TaggedNumber;
  if (typeof value === 'number' && !Number.isFinite(value))
    return { $number: String(value) as TaggedNumber['$number'] } satisfies TaggedNumber;
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (!Object.hasOwn(TYPED, name)) throw new Error(`exact JSON cannot hold a ${name}`);
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { $typed: name as TypedName, base64: bytes.toString('base64') } satisfies TaggedTyped;
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if ('$number' in value) return Number((value as TaggedNumber).$number);
  if ('$typed' in value) {
    const { $typed, base64 } = value as TaggedTyped;
    const bytes = Buffer.from(base64, 'base64');
    const Typed = TYPED[$typed];
    // Copied into a fresh, aligned buffer (Buffer.from may return a view into a shared pool).
    return new Typed(new Uint8Array(bytes).buffer);
  }
  return value;
}

/** One line of exact JSON (typed arrays and non-finite numbers survive the round trip). */
export function toExactJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function fromExactJson(text: string): unknown {
  return JSON.parse(text, reviver);
}
