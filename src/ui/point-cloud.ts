// Many point markers drawn as one image: each marker is drawn once on a tiny canvas (a
// sprite), then copied into a pixel buffer at every point's place, and the buffer is put on
// the chart in one drawImage. A canvas path of 10,000 circles cost 100–500 ms to rasterise
// at the end of its task (Chromium's FinalizeFrame), past the 50 ms a task may take; copying
// sprite pixels costs about a microsecond a point and looks the same.
import uPlot from 'uplot';

/** A marker's pixels, premultiplied by alpha, in [0, 1]: `size` × `size` × RGBA. */
export interface Sprite {
  size: number;
  pixels: Float32Array;
}

const sprites = new Map<string, Sprite>();

/** A filled circle with a ring (drawn once per look, then kept), `diameter` and `lineWidth` in device pixels (as uPlot's points and the canvas views draw them). */
export function circleSprite(diameter: number, fill: string, stroke: string, lineWidth: number): Sprite {
  const key = [diameter, fill, stroke, lineWidth].join(' ');
  const kept = sprites.get(key);
  if (kept) return kept;
  const size = Math.ceil(diameter + lineWidth) + 2;
  const canvas = new OffscreenCanvas(size, size);
  // Read back at once: a canvas kept in main memory (a GPU canvas would wait for the GPU).
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser cannot draw a 2D canvas, so the chart cannot draw its points');
  ctx.beginPath();
  ctx.arc(size / 2, size / 2, diameter / 2, 0, 2 * Math.PI);
  ctx.fillStyle = fill;
  ctx.fill();
  if (lineWidth > 0) {
    ctx.lineWidth = lineWidth;
    ctx.strokeStyle = stroke;
    ctx.stroke();
  }
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const pixels = new Float32Array(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    const alpha = rgba[i + 3] / 255;
    for (let c = 0; c < 3; c++) pixels[i + c] = (rgba[i + c] / 255) * alpha;
    pixels[i + 3] = alpha;
  }
  const sprite = { size, pixels };
  sprites.set(key, sprite);
  return sprite;
}

let scratch = new Float32Array(0);

/** A buffer of `length` zeros, reused across calls (a chart composites on every redraw). */
function zeroedBuffer(length: number): Float32Array {
  if (scratch.length < length) scratch = new Float32Array(length);
  scratch.fill(0, 0, length);
  return scratch;
}

/** One marker at many places: centres `xs`, `ys` in the canvas' own (device) pixels; NaN skipped. */
export interface PointLayer {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  sprite: Sprite;
}

/**
 * The layers' sprites laid over a `width` × `height` image whose top left is at (`left`,
 * `top`) of the points' pixels: layer after layer, point after point, each over what lies
 * below ("source over"), cut at the image's edges. Returns straight (not premultiplied)
 * RGBA bytes, as ImageData holds.
 */
export function compositeSprites(
  box: { left: number; top: number; width: number; height: number },
  layers: readonly PointLayer[],
): Uint8ClampedArray<ArrayBuffer> {
  const { width, height } = box;
  const buffer = zeroedBuffer(width * height * 4);
  for (const { xs, ys, sprite } of layers) {
    const { size, pixels } = sprite;
    const half = Math.floor(size / 2);
    // The sprite's visible pixels as offsets into this buffer and their premultiplied RGBA,
    // for points whose whole sprite lies inside (most of them).
    const visible: number[] = [];
    for (let sy = 0; sy < size; sy++)
      for (let sx = 0; sx < size; sx++) if (pixels[(sy * size + sx) * 4 + 3] > 0) visible.push(sy * size + sx);
    const offsets = Int32Array.from(visible, (k) => (Math.floor(k / size) * width + (k % size)) * 4);
    const values = new Float32Array(visible.length * 4);
    visible.forEach((k, i) => values.set(pixels.subarray(k * 4, k * 4 + 4), i * 4));
    for (let i = 0; i < xs.length; i++) {
      const left = Math.round(xs[i] - box.left) - half;
      const top = Math.round(ys[i] - box.top) - half;
      if (!(left > -size && top > -size && left < width && top < height)) continue; // off the image, or NaN
      if (left >= 0 && top >= 0 && left + size <= width && top + size <= height) {
        const base = (top * width + left) * 4;
        for (let k = 0, v = 0; k < offsets.length; k++, v += 4) {
          const d = base + offsets[k];
          const keep = 1 - values[v + 3];
          buffer[d] = values[v] + buffer[d] * keep;
          buffer[d + 1] = values[v + 1] + buffer[d + 1] * keep;
          buffer[d + 2] = values[v + 2] + buffer[d + 2] * keep;
          buffer[d + 3] = values[v + 3] + buffer[d + 3] * keep;
        }
        continue;
      }
      const [sx0, sx1] = [Math.max(0, -left), Math.min(size, width - left)];
      for (let sy = Math.max(0, -top); sy < size && top + sy < height; sy++) {
        let s = (sy * size + sx0) * 4;
        let d = ((top + sy) * width + left + sx0) * 4;
        for (let sx = sx0; sx < sx1; sx++, s += 4, d += 4) {
          const alpha = pixels[s + 3];
          if (alpha === 0) continue;
          const keep = 1 - alpha;
          buffer[d] = pixels[s] + buffer[d] * keep;
          buffer[d + 1] = pixels[s + 1] + buffer[d + 1] * keep;
          buffer[d + 2] = pixels[s + 2] + buffer[d + 2] * keep;
          buffer[d + 3] = alpha + buffer[d + 3] * keep;
        }
      }
    }
  }
  const bytes = new Uint8ClampedArray(width * height * 4);
  for (let d = 0; d < bytes.length; d += 4) {
    const alpha = buffer[d + 3];
    if (alpha === 0) continue;
    bytes[d] = (buffer[d] / alpha) * 255; // a clamped array rounds to nearest
    bytes[d + 1] = (buffer[d + 1] / alpha) * 255;
    bytes[d + 2] = (buffer[d + 2] / alpha) * 255;
    bytes[d + 3] = alpha * 255;
  }
  return bytes;
}

/**
 * Draws the layers onto `ctx` as one image. `box` and the points are in the canvas' own
 * (device) pixels, whatever transform `ctx` has; nothing outside `box` is drawn.
 */
export function drawPointCloud(
  ctx: CanvasRenderingContext2D,
  box: { left: number; top: number; width: number; height: number },
  layers: readonly PointLayer[],
): void {
  const image = {
    left: Math.round(box.left),
    top: Math.round(box.top),
    width: Math.round(box.width),
    height: Math.round(box.height),
  };
  if (image.width <= 0 || image.height <= 0 || layers.every((l) => l.xs.length === 0)) return;
  const layer = new OffscreenCanvas(image.width, image.height);
  layer.getContext('2d')?.putImageData(new ImageData(compositeSprites(image, layers), image.width), 0, 0);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(layer, image.left, image.top);
  ctx.restore();
}

/** A uPlot point series, as uPlot's own points look (`size` and `width` in CSS pixels), that the chart draws as one image. */
export interface CloudSeries {
  stroke: string;
  fill: string;
  size: number;
  width: number;
}

/**
 * A uPlot series whose points are drawn by `cloudHooks` (uPlot draws no line and no point
 * for it): pair every such series with the hook.
 */
export function cloudSeries(style: CloudSeries): uPlot.Series {
  return { stroke: style.stroke, fill: style.fill, paths: () => null, points: { show: false } };
}

/**
 * The drawSeries hook that draws the `clouds` (series index → style) as point clouds, all in
 * one image when uPlot has drawn the last of them (draw clouds as consecutive series: later
 * series, the best and the selected, lie on top).
 */
export function cloudHooks(clouds: ReadonlyMap<number, CloudSeries>): uPlot.Hooks.Arrays['drawSeries'] {
  const last = Math.max(...clouds.keys());
  return [
    (u: uPlot, index: number) => {
      if (index !== last) return;
      const ratio = uPlot.pxRatio;
      const xs = u.data[0];
      const layers = [...clouds].map(([series, style]): PointLayer => {
        const ys = u.data[series];
        const px: number[] = [];
        const py: number[] = [];
        for (let i = 0; i < xs.length; i++) {
          const y = ys[i];
          if (y === null || y === undefined || !Number.isFinite(y)) continue;
          px.push(u.valToPos(xs[i], 'x', true));
          py.push(u.valToPos(y, u.series[series].scale ?? 'y', true));
        }
        // Sized as uPlot sizes its points.
        const sprite = circleSprite((style.size - style.width) * ratio, style.fill, style.stroke, style.width * ratio);
        return { xs: px, ys: py, sprite };
      });
      drawPointCloud(u.ctx, u.bbox, layers);
    },
  ];
}
