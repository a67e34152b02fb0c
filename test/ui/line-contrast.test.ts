// Lines on a card read on both themes: every colour lineColor gives keeps WCAG's 3:1 contrast
// for graphics against the card's surface (page.css, light and dark) at LINE_ALPHA, and u = 0
// (the lowest loss in the parallel coordinates, a scale's low end on the loss curves) stands
// out most. The plain ramp's dark end on the dark card had 1.0:1.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contrastRatio, over, parseHex, type Rgb } from '../../src/ui/contrast.ts';
import { LINE_ALPHA, lineColor, rampRgb } from '../../src/ui/trial-display.ts';

const css = readFileSync(new URL('../../src/page.css', import.meta.url), 'utf8');
const [light, dark] = [...css.matchAll(/--lab-surface:\s*(#[0-9a-f]+)/gi)].map((m) => parseHex(m[1])!);

const rgbOf = (color: string) => color.match(/\d+/g)!.slice(0, 3).map(Number) as unknown as Rgb;
const contrastOn = (surface: Rgb, color: string) => contrastRatio(over(rgbOf(color), LINE_ALPHA, surface), surface);

describe('lineColor', () => {
  it('reads the two surfaces from page.css', () => {
    expect(light).toEqual([255, 255, 255]);
    expect(dark).toEqual([0x1a, 0x20, 0x27]);
  });

  for (const [theme, surface, isDark] of [
    ['light', () => light, false],
    ['dark', () => dark, true],
  ] as const)
    it(`keeps 3:1 against the ${theme} card over the whole ramp, most at u = 0`, () => {
      const ratios = Array.from({ length: 101 }, (_, i) =>
        contrastOn(surface(), lineColor(i / 100, LINE_ALPHA, isDark)),
      );
      expect(Math.min(...ratios)).toBeGreaterThanOrEqual(3);
      expect(ratios[0]).toBe(Math.max(...ratios));
      expect(ratios[0]).toBeGreaterThan(7);
    });

  it('the plain ramp failed on the dark card: its low end had no contrast', () => {
    expect(contrastOn(dark, `rgb(${rampRgb(0).join(',')})`)).toBeLessThan(1.1);
  });
});
