// The search-space table edits rows of the study's space: each control emits the whole
// space with exactly one row changed, and a field that holds no number emits nothing.
import { afterEach, expect, test } from 'vitest';
import { defaultStudy, type SpaceRow } from '../../src/study/spec.ts';
import '../../src/ui/lab-space-table.ts';
import type { LabSpaceTable } from '../../src/ui/lab-space-table.ts';

async function mount(): Promise<{ table: LabSpaceTable; edits: SpaceRow[][] }> {
  const table = document.createElement('lab-space-table');
  table.space = defaultStudy().space;
  const edits: SpaceRow[][] = [];
  table.addEventListener('space-change', (e) => edits.push((e as CustomEvent<{ space: SpaceRow[] }>).detail.space));
  document.body.append(table);
  await table.updateComplete;
  return { table, edits };
}

function control<T extends HTMLElement>(table: LabSpaceTable, label: string): T {
  const el = table.shadowRoot!.querySelector<T>(`[aria-label="${label}"]`);
  if (!el) throw new Error(`no control labelled "${label}"`);
  return el;
}

function changed(before: SpaceRow[], after: SpaceRow[]): SpaceRow[] {
  return after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]));
}

afterEach(() => document.body.replaceChildren());

test('one row per hyperparameter of the study', async () => {
  const { table } = await mount();
  expect([...table.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-param'))).toEqual(defaultStudy().space.map((r) => r.name));
});

test('switching a scale keeps the range and rounds it where the scale needs it', async () => {
  const { table, edits } = await mount();
  const scale = control<HTMLSelectElement>(table, 'hidden units scale');
  scale.value = 'pow2';
  scale.dispatchEvent(new Event('change'));
  expect(edits).toHaveLength(1);
  const [row] = changed(table.space, edits[0]);
  expect(row.name).toBe('hiddenUnits');
  expect(row.distribution).toEqual({ kind: 'power-of-two', low: 4, high: 128 });
});

test('turning a row on, a bound and a default each change only that row', async () => {
  const { table, edits } = await mount();
  const toggle = control<HTMLInputElement>(table, 'search batch size');
  toggle.click();
  const high = control<HTMLInputElement>(table, 'learning rate α high');
  high.value = '0.5';
  high.dispatchEvent(new Event('change'));
  const decay = control<HTMLSelectElement>(table, 'learning-rate decay default');
  decay.value = 'cosine';
  decay.dispatchEvent(new Event('change'));
  expect(edits.map((space) => changed(table.space, space).map((r) => r.name))).toEqual([['batchSize'], ['learningRate'], ['decay']]);
  expect(edits[0].find((r) => r.name === 'batchSize')?.enabled).toBe(true);
  expect(edits[1].find((r) => r.name === 'learningRate')?.distribution).toEqual({ kind: 'float', scale: 'log', low: 1e-4, high: 0.5 });
  expect(edits[2].find((r) => r.name === 'decay')?.default).toBe('cosine');
});

test('a bound that is not a number is marked invalid and emits nothing', async () => {
  const { table, edits } = await mount();
  const low = control<HTMLInputElement>(table, 'learning rate α low');
  low.value = '';
  low.dispatchEvent(new Event('change'));
  expect(edits).toHaveLength(0);
  expect(low.getAttribute('aria-invalid')).toBe('true');
});
