import { describe, expect, it } from 'vitest';
import { compositeSprites, type Sprite } from '../../src/ui/point-cloud.ts';

/** A 3×3 sprite, one colour (straight r, g, b in [0, 1]) at `alpha` on every pixel but the corners. */
function plus(r: number, g: number, b: number, alpha: number): Sprite {
  const pixels = new Float32Array(3 * 3 * 4);
  for (let y = 0; y < 3; y++)
    for (let x = 0; x < 3; x++) {
      if ((x === 1) === (y === 1) && x !== 1) continue; // corners stay empty
      pixels.set([r * alpha, g * alpha, b * alpha, alpha], (y * 3 + x) * 4);
    }
  return { size: 3, pixels };
}

const pixel = (bytes: Uint8ClampedArray, width: number, x: number, y: number) =>
  Array.from(bytes.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));

describe('compositeSprites', () => {
  const box = { left: 0, top: 0, width: 8, height: 6 };

  it('one opaque sprite is copied centred on its point, nothing else drawn', () => {
    const bytes = compositeSprites(box, [{ xs: [4], ys: [2], sprite: plus(1, 0.5, 0, 1) }]);
    // Sprite size 3, centre offset 1: the plus covers (3..5, 1..3), corners empty.
    expect(pixel(bytes, 8, 4, 2)).toEqual([255, 128, 0, 255]);
    expect(pixel(bytes, 8, 3, 2)).toEqual([255, 128, 0, 255]);
    expect(pixel(bytes, 8, 4, 1)).toEqual([255, 128, 0, 255]);
    expect(pixel(bytes, 8, 3, 1)).toEqual([0, 0, 0, 0]);
    let drawn = 0;
    for (let i = 3; i < bytes.length; i += 4) drawn += bytes[i] > 0 ? 1 : 0;
    expect(drawn).toBe(5);
  });

  it('"source over": two half-transparent sprites make alpha 0.75, the later colour weighing twice the earlier', () => {
    const bytes = compositeSprites(box, [
      { xs: [4], ys: [2], sprite: plus(1, 0, 0, 0.5) },
      { xs: [4], ys: [2], sprite: plus(0, 0, 1, 0.5) },
    ]);
    // Premultiplied: blue 0.5 + red 0.5 × 0.5 = (0.25, 0, 0.5) over alpha 0.75; straight: (1/3, 0, 2/3).
    expect(pixel(bytes, 8, 4, 2)).toEqual([85, 0, 170, 191]);
  });

  it('a sprite over an edge is cut; points off the image or NaN draw nothing', () => {
    const bytes = compositeSprites(box, [{ xs: [0, -5, 20, Number.NaN], ys: [0, 2, 2, 2], sprite: plus(0, 1, 0, 1) }]);
    expect(pixel(bytes, 8, 0, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(bytes, 8, 1, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(bytes, 8, 0, 1)).toEqual([0, 255, 0, 255]);
    let drawn = 0;
    for (let i = 3; i < bytes.length; i += 4) drawn += bytes[i] > 0 ? 1 : 0;
    expect(drawn).toBe(3);
  });

  it('points are placed relative to the box origin', () => {
    const bytes = compositeSprites({ left: 100, top: 50, width: 8, height: 6 }, [
      { xs: [104], ys: [52], sprite: plus(1, 1, 1, 1) },
    ]);
    expect(pixel(bytes, 8, 4, 2)).toEqual([255, 255, 255, 255]);
  });
});
