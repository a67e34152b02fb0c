// Inverted dropout (PyTorch's nn.Dropout(p)), the CPU reference of shaders/dropout_*.wgsl:
// in training, element e of row b of a layer's output at step s is kept iff the top 24 bits
// of hash32(dataSeed, DROPOUT_STREAM, layer, s, b, e) reach ceil(p · 2^24), and a
// kept element is scaled by 1/(1-p) rounded to float32; in evaluation it is the identity.
// The integer threshold and the float32 scale make the mask and the products bit-identical
// to the GPU's.
import { hash32 } from '../../search/random.ts';
import type { Floats } from './ops.ts';

/** Keeps dropout's draws apart from every other use of the model's data seed (DROPOUT_STREAM in dropout_common.wgsl). */
export const DROPOUT_STREAM = 0xd209;

/** Elements whose 24-bit draw is below this are dropped. */
export function dropoutThreshold(rate: number): number {
  return Math.ceil(rate * 2 ** 24);
}

/** What a kept element is multiplied by: 1/(1-p) as a float32. */
export function dropoutScale(rate: number): number {
  return Math.fround(1 / (1 - rate));
}

/** Where dropout's draws come from: the model's data seed, the layer's index and the 0-based step. */
export interface DropoutDraw {
  seed: number;
  layer: number;
  step: number;
}

/**
 * factors[b·size + e] = 1/(1-p) for kept elements, 0 for dropped ones, over `rows` rows of
 * `size`. Row and element are hashed apart, so a padded layer draws a model's units as its
 * unpadded one does.
 */
export function dropoutFactors(factors: Floats, rows: number, size: number, rate: number, draw: DropoutDraw): void {
  const threshold = dropoutThreshold(rate);
  const scale = dropoutScale(rate);
  for (let b = 0; b < rows; b++)
    for (let e = 0; e < size; e++)
      factors[b * size + e] =
        hash32(draw.seed, DROPOUT_STREAM, draw.layer, draw.step, b, e) >>> 8 >= threshold ? scale : 0;
}
