// The packed-digits binary format, shared by the build-time packer (digitsPack.ts, run by
// vite.config.ts) and the loader (digits.ts). Before deflating (fflate) as a whole:
//   "DIG1" | count u32 LE | side u8 | pad u8×3 | labels u8×count | pixels u8×count×side²
const MAGIC = 'DIG1';
const HEADER_BYTES = 12;
/** The image sizes the lab offers: MNIST's own 28×28, and 2×2 block means at 14×14 (4× fewer inputs). */
export const DIGITS_SIDES = [14, 28] as const;
export type DigitsSide = (typeof DIGITS_SIDES)[number];

/** Where the lab serves the packed digits of one size, relative to the app's base URL. */
export function digitsAsset(side: DigitsSide): string {
  return side === 14 ? 'digits.bin' : `digits-${side}.bin`;
}

export interface DigitsPack {
  count: number;
  side: number;
  labels: Uint8Array;
  /** count × side² grey levels, 0 = background, 255 = ink. */
  pixels: Uint8Array;
}

export function encodeDigitsPack(pack: DigitsPack): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + pack.count * (1 + pack.side * pack.side));
  bytes.set([...MAGIC].map((c) => c.charCodeAt(0)));
  new DataView(bytes.buffer).setUint32(4, pack.count, true);
  bytes[8] = pack.side;
  bytes.set(pack.labels, HEADER_BYTES);
  bytes.set(pack.pixels, HEADER_BYTES + pack.count);
  return bytes;
}

/** Reads an inflated pack; throws saying what is wrong when the bytes are not one. */
export function decodeDigitsPack(bytes: Uint8Array): DigitsPack {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER_BYTES || magic !== MAGIC)
    throw new Error(`digits asset is not a ${MAGIC} pack (starts with "${magic}"); rebuild the lab`);
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const side = bytes[8];
  const expected = HEADER_BYTES + count * (1 + side * side);
  if (bytes.length !== expected)
    throw new Error(`digits asset holds ${bytes.length} bytes, its header promises ${expected}; rebuild the lab`);
  return {
    count,
    side,
    labels: bytes.subarray(HEADER_BYTES, HEADER_BYTES + count),
    pixels: bytes.subarray(HEADER_BYTES + count),
  };
}
