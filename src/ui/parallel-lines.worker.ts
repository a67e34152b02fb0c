// Paints the parallel coordinates' lines off the page's thread (see parallel-lines.ts).
import { type LinePainting, paintLines } from './parallel-lines.ts';

let canvas: OffscreenCanvas | undefined;
let latest: LinePainting | undefined;
let scheduled = false;

self.onmessage = ({ data }: MessageEvent<{ canvas?: OffscreenCanvas; painting?: LinePainting }>) => {
  if (data.canvas) canvas = data.canvas;
  if (data.painting) latest = data.painting;
  if (scheduled) return;
  scheduled = true;
  // After the messages already queued: a painting superseded while the last one was drawn is skipped.
  setTimeout(() => {
    scheduled = false;
    if (canvas && latest) paintLines(canvas, latest);
    latest = undefined;
  });
};
