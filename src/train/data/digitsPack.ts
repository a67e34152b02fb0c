// Build-time packing of the mnist package's digits (Node only: vite.config.ts and tests).
// Its ten JSON files hold each digit's samples as 28×28 floats in [0, 1]; a pack keeps them
// at 28×28 or as f×f block means at 14×14 (f = 2), as uint8, interleaving the classes
// (sample k of digit 0, of 1, …).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'fflate';
import { type DigitsPack, type DigitsSide, encodeDigitsPack } from './digitsFormat.ts';

const SOURCE_SIDE = 28;

export function packMnist(side: DigitsSide = 14): DigitsPack {
  const require = createRequire(import.meta.url);
  const perDigit = Array.from({ length: 10 }, (_, d) => {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  });
  const sourcePixels = SOURCE_SIDE * SOURCE_SIDE;
  const block = SOURCE_SIDE / side;
  const available = perDigit.map((data) => Math.floor(data.length / sourcePixels));
  const order: Array<{ digit: number; index: number }> = [];
  for (let k = 0; k < Math.max(...available); k++) {
    for (let d = 0; d < 10; d++) if (k < available[d]) order.push({ digit: d, index: k });
  }
  const labels = new Uint8Array(order.length);
  const pixels = new Uint8Array(order.length * side * side);
  for (const [i, { digit, index }] of order.entries()) {
    labels[i] = digit;
    const source = perDigit[digit];
    const start = index * sourcePixels;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        let sum = 0;
        for (let dr = 0; dr < block; dr++)
          for (let dc = 0; dc < block; dc++) sum += source[start + (block * r + dr) * SOURCE_SIDE + block * c + dc];
        pixels[i * side * side + r * side + c] = Math.round((sum / (block * block)) * 255);
      }
    }
  }
  return { count: order.length, side, labels, pixels };
}

/** The asset as the lab serves it: the encoded pack, deflated. */
export function digitsAssetBytes(side: DigitsSide = 14): Uint8Array {
  return deflateSync(encodeDigitsPack(packMnist(side)), { level: 9 });
}
