// The parallel coordinates' axes canvas in real Chromium: each axis label drawn once per
// pass, cut short (the full names in the canvas' title and aria-label) only where it would
// run into a neighbour's, painted over the lines' canvas, and a bitmap exactly as wide as the
// device pixels the canvas covers. A box at a
// fractional place and width (the lab's card: x 31.39, 1217.22 px wide) is snapped to 1218
// device pixels; a 1217-pixel bitmap was stretched onto them and the filtering smeared the
// text around the middle axis, half a pixel off there: its label looked drawn twice.
import { afterEach, expect, test } from 'vitest';
import type { TrialRecord } from '../../src/study/record.ts';
import { defaultStudy, type SpaceRow } from '../../src/study/spec.ts';
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
/** Seven axes: the default two, four more (the trials have no value there: their n/a slot) and the loss. */
const MANY = ['learningRate', 'beta1', 'batchSize', 'hiddenUnits', 'weightDecay', 'dropout'];
const MANY_LABELS = [
  'learning rate α',
  'momentum / Adam β1',
  'batch size',
  'hidden units',
  'weight decay',
  'dropout rate',
  'validation loss',
];
const frames = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
};

/** Three results over the default study's two searched hyperparameters (or `searched`), in a box at `left` × `width` CSS pixels. */
async function mounted(left: number, width: number, searched?: string[]): Promise<HTMLCanvasElement> {
  const box = document.createElement('div');
  box.style.cssText = `position: absolute; top: 0; left: ${left}px; width: ${width}px`;
  const view = document.createElement('lab-parallel-coords');
  view.space = defaultStudy().space.map(
    (row): SpaceRow => (searched ? { ...row, enabled: searched.includes(row.name) } : row),
  );
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

interface DrawnLabel {
  text: string;
  x: number;
  /** The CSS pixels it spans, as drawn (its alignment and width in its font). */
  span: [number, number];
}

/** The axis labels (the text at y 14) drawn on the axes canvas while `work` runs. */
async function labelsDrawn(work: () => Promise<HTMLCanvasElement>): Promise<[HTMLCanvasElement, DrawnLabel[]]> {
  const drawn: DrawnLabel[] = [];
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text, x, y, maxWidth) {
    if ((this.canvas as HTMLCanvasElement).dataset.testid === 'parallel-coords' && y === 14) {
      const w = this.measureText(text).width;
      const from = this.textAlign === 'left' ? x : this.textAlign === 'right' ? x - w : x - w / 2;
      drawn.push({ text, x, span: [from, from + w] });
    }
    fillText.call(this, text, x, y, maxWidth);
  };
  try {
    return [await work(), drawn];
  } finally {
    CanvasRenderingContext2D.prototype.fillText = fillText;
  }
}

test('each axis label is drawn once per pass, in its own place, in full when there is room', async () => {
  const [canvas, drawn] = await labelsDrawn(() => mounted(0, 1218));
  const passes = drawn.length / LABELS.length;
  expect(passes).toBeGreaterThanOrEqual(1);
  for (const label of LABELS) expect(drawn.filter((d) => d.text === label)).toHaveLength(passes);
  // The last pass: left, middle (on its axis, halfway between the margins 56 and 64) and right.
  expect(drawn.slice(-3).map(({ text, x }) => ({ text, x }))).toEqual([
    { text: LABELS[0], x: 4 },
    { text: LABELS[1], x: 56 + (canvas.width - 56 - 64) / 2 },
    { text: LABELS[2], x: canvas.width - 4 },
  ]);
  expect(canvas.hasAttribute('title')).toBe(false);
  expect(canvas.getAttribute('aria-label')).toBe(
    'parallel coordinates of 3 trials on the axes learning rate α, momentum / Adam β1, and validation loss',
  );
});

test.each([
  [358, LABELS, 0], // the card at 390 px: three labels fit
  [358, MANY_LABELS, 7], // seven do not: each is cut to its share (about 32 px)
  [500, MANY_LABELS.slice(0, 4).concat('validation loss'), 1], // only β1's label runs into a neighbour (the first)
  [1218, MANY_LABELS, 0],
])(
  'at %s px, labels of %j never overlap, and %s are cut with the full names in the title',
  async (width, full, cut) => {
    const searched = full === LABELS ? undefined : MANY.slice(0, full.length - 1);
    const [canvas, drawn] = await labelsDrawn(() => mounted(0, width, searched));
    console.log(
      width,
      drawn.slice(-full.length).map((d) => d.text),
    );
    const last = drawn.slice(-full.length);
    for (let i = 1; i < last.length; i++) expect(last[i].span[0] - last[i - 1].span[1]).toBeGreaterThanOrEqual(8);
    expect(last[0].span[0]).toBeGreaterThanOrEqual(0);
    expect(last.at(-1)!.span[1]).toBeLessThanOrEqual(canvas.width);
    last.forEach(({ text }, i) => {
      if (text !== full[i]) expect(full[i].startsWith(text.slice(0, -1).trimEnd()) && text.endsWith('…')).toBe(true);
    });
    expect(last.filter(({ text }, i) => text !== full[i])).toHaveLength(cut);
    if (cut) expect(canvas.title).toBe(`Axes, left to right: ${full.join(', ')}`);
    else expect(canvas.hasAttribute('title')).toBe(false);
    for (const label of full) expect(canvas.getAttribute('aria-label')).toContain(label);
  },
);

test('the axes canvas paints over the lines, so the ticks keep their halos', async () => {
  const axes = await mounted(0, 1218);
  const root = axes.getRootNode() as ShadowRoot;
  const lines = root.querySelector<HTMLCanvasElement>('canvas.lines')!;
  lines.style.pointerEvents = 'auto'; // elementsFromPoint lists only what takes the pointer
  const rect = axes.getBoundingClientRect();
  const stack = root.elementsFromPoint(rect.left + 300, rect.top + 100).filter((e) => e.tagName === 'CANVAS');
  expect(stack).toEqual([axes, lines]);
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
