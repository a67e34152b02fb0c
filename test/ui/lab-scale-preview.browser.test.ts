// The scale preview is where a learner sees why the learning rate is drawn on a log scale:
// on a decades axis, log draws spread evenly while linear draws pile into the top decade.
import { afterEach, expect, test } from 'vitest';
import type { Distribution } from '../../src/search/space.ts';
import '../../src/ui/lab-scale-preview.ts';

async function preview(distribution: Distribution): Promise<ShadowRoot> {
  const el = document.createElement('lab-scale-preview');
  el.distribution = distribution;
  document.body.append(el);
  await el.updateComplete;
  return el.shadowRoot!;
}

/** The "top decade N%" caption as a fraction. */
function topDecade(root: ShadowRoot): number {
  const match = /top decade (\d+)%/.exec(root.textContent ?? '');
  if (!match) throw new Error(`no top-decade caption in: ${root.textContent}`);
  return Number(match[1]) / 100;
}

afterEach(() => document.body.replaceChildren());

test('a learning rate in [1e-4, 1] drawn on a log scale puts about a quarter of 50 draws in each decade', async () => {
  const root = await preview({ kind: 'float', scale: 'log', low: 1e-4, high: 1 });
  expect(root.querySelectorAll('circle')).toHaveLength(50);
  // 4 decades: 25% expected; 50 draws allow about ±12%.
  expect(topDecade(root)).toBeGreaterThanOrEqual(0.13);
  expect(topDecade(root)).toBeLessThanOrEqual(0.37);
});

test('the same range drawn linearly puts about 90% of the draws in the top decade', async () => {
  const root = await preview({ kind: 'float', scale: 'linear', low: 1e-4, high: 1 });
  expect(topDecade(root)).toBeGreaterThanOrEqual(0.8);
});

test('β in [0.9, 0.999] on one-minus-log puts about half the draws in [0.99, 0.999]', async () => {
  const root = await preview({ kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 });
  expect(topDecade(root)).toBeGreaterThanOrEqual(0.36);
  expect(topDecade(root)).toBeLessThanOrEqual(0.64);
});

test('an invalid range shows the rule it breaks, as text', async () => {
  const root = await preview({ kind: 'float', scale: 'log', low: 0, high: 1 });
  expect(root.querySelector('[role=alert]')?.textContent).toBe('log scale needs low > 0, got low=0');
  expect(root.querySelectorAll('circle')).toHaveLength(0);
});

test('a range over hundreds of decades draws at most 8 ticks and its draws', async () => {
  const root = await preview({ kind: 'float', scale: 'log', low: 1e-300, high: 1e9 });
  // The axis line and its ticks.
  const ticks = root.querySelectorAll('line').length - 1;
  expect(ticks).toBeGreaterThanOrEqual(2);
  expect(ticks).toBeLessThanOrEqual(8);
  expect(root.querySelectorAll('circle')).toHaveLength(50);
});
