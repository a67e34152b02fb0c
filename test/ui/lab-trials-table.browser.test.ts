// The trials table keeps only the rows around the scrolled-to place in the page (18 shown,
// 30 rendered beyond them on each side where there are any), with spacers for the rest, so
// the table scrolls as if every row were there.
import { afterEach, expect, test } from 'vitest';
import { emptyCurve, type TrialRecord } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import '../../src/ui/lab-trials-table.ts';

afterEach(() => document.body.replaceChildren());

test('500 trials: 48 rows at the top, the rows around row 200 once scrolled there, spacers for the rest', async () => {
  const table = document.createElement('lab-trials-table');
  table.style.width = '800px';
  table.space = defaultStudy().space;
  table.trials = Array.from(
    { length: 500 },
    (_, id) =>
      ({
        id,
        params: { learningRate: 0.01, beta1: 0.9 },
        placement: {},
        state: 'COMPLETE',
        objective: 1 / (id + 1),
        steps: 10,
        curve: emptyCurve(),
      }) as TrialRecord,
  );
  document.body.append(table);
  await table.updateComplete;
  const root = table.shadowRoot!;
  const ids = () =>
    [...root.querySelectorAll('[data-testid=trial-row]')].map((r) => Number(r.getAttribute('data-trial')));
  const spacers = () => [...root.querySelectorAll<HTMLElement>('tr.spacer')].map((r) => r.style.height);
  expect(ids()).toEqual(Array.from({ length: 48 }, (_, i) => i));
  expect(spacers()).toEqual(['0px', `${(500 - 48) * 26}px`]);
  const scroll = root.querySelector<HTMLElement>('.scroll')!;
  scroll.scrollTop = 200 * 26;
  scroll.dispatchEvent(new Event('scroll'));
  await table.updateComplete;
  expect(ids()).toEqual(Array.from({ length: 78 }, (_, i) => 170 + i));
  expect(spacers()).toEqual([`${170 * 26}px`, `${(500 - 248) * 26}px`]);
  // At the bottom: the last 18 rows and 30 above them.
  scroll.scrollTop = scroll.scrollHeight;
  scroll.dispatchEvent(new Event('scroll'));
  await table.updateComplete;
  expect(ids().at(-1)).toBe(499);
  expect(ids()[0]).toBeLessThanOrEqual(500 - 48);
});
