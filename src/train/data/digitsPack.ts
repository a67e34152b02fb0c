// Build-time packing of the mnist package's digits (Node only: vite.config.ts and tests).
// Its ten JSON files hold each digit's samples as 28×28 floats in [0, 1]; the pack keeps
// 2×2 means at 14×14 as uint8, interleaving the classes (sample k of digit 0, of 1, …).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'fflate';
import { type DigitsPack, encodeDigitsPack } from './digitsFormat.ts';

const SOURCE_SIDE = 28;
const SIDE = 14;

export function packMnist(): DigitsPack {
  const require = createRequire(import.meta.url);
  const perDigit = Array.from({ length: 10 }, (_, d) => {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  });
  const sourcePixels = SOURCE_SIDE * SOURCE_SIDE;
  const available = perDigit.map((data) => Math.floor(data.length / sourcePixels));
  const order: Array<{ digit: number; index: number }> = [];
  for (let k = 0; k < Math.max(...available); k++) {
    for (let d = 0; d < 10; d++) if (k < available[d]) order.push({ digit: d, index: k });
  }
  const labels = new Uint8Array(order.length);
  const pixels = new Uint8Array(order.length * SIDE * SIDE);
  for (const [i, { digit, index }] of order.entries()) {
    labels[i] = digit;
    const source = perDigit[digit];
    const start = index * sourcePixels;
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++) {
        let sum = 0;
        for (const [dr, dc] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ])
          sum += source[start + (2 * r + dr) * SOURCE_SIDE + 2 * c + dc];
        pixels[i * SIDE * SIDE + r * SIDE + c] = Math.round((sum / 4) * 255);
      }
    }
  }
  return { count: order.length, side: SIDE, labels, pixels };
}

/** The asset as the lab serves it: the encoded pack, deflated. */
export function digitsAssetBytes(): Uint8Array {
  return deflateSync(encodeDigitsPack(packMnist()), { level: 9 });
}
