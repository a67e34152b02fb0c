// Colour contrast as WCAG 2 defines it (relative luminance, contrast ratio), for the lines the
// views draw on a card: the line ramp keeps them readable on the light and the dark theme.

export type Rgb = readonly [number, number, number];

/** `#rgb` or `#rrggbb` as [r, g, b] in 0–255; undefined for anything else. */
export function parseHex(color: string): Rgb | undefined {
  const hex = color.trim().match(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i)?.[1];
  if (!hex) return undefined;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as unknown as Rgb;
}

/** WCAG 2 relative luminance of an sRGB colour (0 black … 1 white). */
export function relativeLuminance([r, g, b]: Rgb): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio, 1 (none) … 21 (black on white). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `color` at `alpha` over `background`: the colour a line drawn with that alpha shows. */
export function over(color: Rgb, alpha: number, background: Rgb): Rgb {
  return color.map((c, k) => alpha * c + (1 - alpha) * background[k]) as unknown as Rgb;
}
