// The parallel coordinates' axes canvas in real Chromium: each axis label drawn once per
// pass, and a bitmap exactly as wide as the device pixels the canvas covers. A box at a
// fractional place and width (the lab's card: x 31.39, 1217.22 px wide) is snapped to 1218
// device pixels; a 1217-pixel bitmap was stretched onto them and the filtering smeared the
// text around the middle axis, half a pixel off there: its label looked drawn twice.
import { afterEach, expect, test } from 'vitest';
import type { TrialRecord } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import '../../src/ui/lab-parallel-coords.ts';

afterEach(() => document.body.replaceChildren());

function trial(id: number, learningRate: number, beta1: number, objective: number): TrialRecord {
  return {
    id,
    params: { learningRate, beta1 },
    placement: {},
    state: 'COMPLETE',
    objective,
    steps: 10,
    curve: { step: [], trainLoss: [], validationLoss: [], trainAccuracy: [], validationAccuracy: [] },
  };
}

const LABELS = ['learning rate α', 'momentum / Adam β1', 'validation loss'];
const frames = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
};

/** The default study's two searched hyperparameters and three results, in a box at `left` × `width` CSS pixels. */
async function mounted(left: number, width: number): Promise<HTMLCanvasElement> {
  const box = document.createElement('div');
  box.style.cssText = `position: absolute; top: 0; left: ${left}px; width: ${width}px`;
  const view = document.createElement('lab-parallel-coords');
  view.space = defaultStudy().space;
  view.trials = [trial(0, 0.001, 0.9, 0.8), trial(1, 0.01, 0.99, 0.3), trial(2, 0.1, 0.95, 0.5)];
  box.append(view);
  document.body.append(box);
  const canvas = () => view.shadowRoot?.querySelector<HTMLCanvasElement>('canvas[data-testid=parallel-coords]');
  await expect.poll(() => canvas()?.dataset.lines).toBe('3');
  await frames(2);
  return canvas()!;
}

/** The device pixels the browser shows `canvas`'s content box on, as its ResizeObserver reports them. */
function devicePixelWidth(canvas: HTMLCanvasElement): Promise<number> {
  return new Promise((resolve) => {
    const observer = new ResizeObserver(([entry]) => {
      observer.disconnect();
      resolve(entry.devicePixelContentBoxSize[0].inlineSize);
    });
    observer.observe(canvas, { box: 'device-pixel-content-box' });
  });
}

test('each axis label is drawn once per pass, in its own place', async () => {
  const drawn: Array<{ text: string; x: number }> = [];
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text, x, y, maxWidth) {
    if ((this.canvas as HTMLCanvasElement).dataset.testid === 'parallel-coords' && LABELS.includes(text))
      drawn.push({ text, x });
    fillText.call(this, text, x, y, maxWidth);
  };
  try {
    const canvas = await mounted(0, 1218);
    const passes = drawn.length / LABELS.length;
    expect(passes).toBeGreaterThanOrEqual(1);
    for (const label of LABELS) expect(drawn.filter((d) => d.text === label)).toHaveLength(passes);
    // The last pass: left, middle (on its axis, halfway between the margins 56 and 64) and right.
    expect(drawn.slice(-3)).toEqual([
      { text: LABELS[0], x: 4 },
      { text: LABELS[1], x: 56 + (canvas.width - 56 - 64) / 2 },
      { text: LABELS[2], x: canvas.width - 4 },
    ]);
  } finally {
    CanvasRenderingContext2D.prototype.fillText = fillText;
  }
});

test.each([
  [0, 1218],
  [31.39, 1217.22],
  [0.5, 389.5],
])('the bitmap is as wide as the device pixels shown (box at x %s, %s px wide)', async (left, width) => {
  const canvas = await mounted(left, width);
  const shown = await devicePixelWidth(canvas);
  expect(shown).toBe(Math.round(left + width) - Math.round(left)); // Chromium snaps the box's edges
  expect(canvas.width).toBe(shown);
});
