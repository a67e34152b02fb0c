// The search-space table edits rows of the study's space: each control emits the whole
// space with exactly one row changed, invalid edits included (the study's validation then
// blocks Run), and a row that breaks a rule says which, in place of its preview.
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

/** Sets a control's value as a user would and fires its change event. */
function typeInto<T extends HTMLInputElement | HTMLSelectElement>(
  table: LabSpaceTable,
  label: string,
  value: string,
): T {
  const el = control<T>(table, label);
  el.value = value;
  el.dispatchEvent(new Event('change'));
  return el;
}

function changed(before: SpaceRow[], after: SpaceRow[]): SpaceRow[] {
  return after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]));
}

afterEach(() => document.body.replaceChildren());

test('one row per hyperparameter of the study', async () => {
  const { table } = await mount();
  expect(
    [...table.shadowRoot!.querySelectorAll('tbody tr[data-param]')].map((tr) => tr.getAttribute('data-param')),
  ).toEqual(defaultStudy().space.map((r) => r.name));
});

test('switching a scale keeps the range and rounds it where the scale needs it', async () => {
  const { table, edits } = await mount();
  typeInto<HTMLSelectElement>(table, 'hidden units scale', 'pow2');
  expect(edits).toHaveLength(1);
  const [row] = changed(table.space, edits[0]);
  expect(row.name).toBe('hiddenUnits');
  expect(row.distribution).toEqual({ kind: 'power-of-two', low: 4, high: 128 });
});

test('turning a row on, a bound and a default each change only that row', async () => {
  const { table, edits } = await mount();
  const toggle = control<HTMLInputElement>(table, 'search batch size');
  toggle.click();
  typeInto<HTMLInputElement>(table, 'learning rate α high', '0.5');
  typeInto<HTMLSelectElement>(table, 'learning-rate decay default', 'cosine');
  expect(edits.map((space) => changed(table.space, space).map((r) => r.name))).toEqual([
    ['batchSize'],
    ['learningRate'],
    ['decay'],
  ]);
  expect(edits[0].find((r) => r.name === 'batchSize')?.enabled).toBe(true);
  expect(edits[1].find((r) => r.name === 'learningRate')?.distribution).toEqual({
    kind: 'float',
    scale: 'log',
    low: 1e-4,
    high: 0.5,
  });
  expect(edits[2].find((r) => r.name === 'decay')?.default).toBe('cosine');
});

test('a bound that is not a number is marked invalid and still goes up, and the row says what is wrong', async () => {
  const { table, edits } = await mount();
  const low = typeInto<HTMLInputElement>(table, 'learning rate α low', '');
  expect(low.getAttribute('aria-invalid')).toBe('true');
  expect(edits).toHaveLength(1);
  expect(changed(table.space, edits[0]).map((r) => r.distribution)).toEqual([
    { kind: 'float', scale: 'log', low: NaN, high: 1 },
  ]);
  table.space = edits[0];
  await table.updateComplete;
  expect(problemOf(table, 'learningRate')).toBe(
    'Learning rate α: the log range needs a number at both ends, got nothing…1 — fill in both.',
  );
  expect(table.shadowRoot!.querySelector('tr[data-param="learningRate"] lab-scale-preview')).toBeNull();
  expect(table.shadowRoot!.querySelectorAll('tr.problems')).toHaveLength(1);
});

test('each hostile value is named in its row: a choice of 20,000 layers, a log range to 1e-40, β1 = 5, ε = 0', async () => {
  const { table, edits } = await mount();
  const layersRow = table.space.findIndex((r) => r.name === 'hiddenLayers');
  table.space = table.space.map((r, i) =>
    i === layersRow ? { ...r, enabled: true, distribution: { kind: 'categorical', choices: [2, 4] } } : r,
  );
  await table.updateComplete;
  typeInto<HTMLInputElement>(table, 'hidden layers choices (comma-separated)', '2, 20000');
  typeInto<HTMLInputElement>(table, 'learning rate α low', '1e-40');
  typeInto<HTMLInputElement>(table, 'momentum / Adam β1 default', '5');
  typeInto<HTMLInputElement>(table, 'Adam ε default', '0');
  expect(edits).toHaveLength(4);
  // Each edit carries one row; apply them all as the page would.
  table.space = table.space.map(
    (row, i) => edits.map((space) => space[i]).find((r) => JSON.stringify(r) !== JSON.stringify(row)) ?? row,
  );
  await table.updateComplete;
  expect(problemOf(table, 'hiddenLayers')).toBe(
    'Hidden layers: every choice must lie within 0…8, got 20000 — change or remove it.',
  );
  expect(problemOf(table, 'learningRate')).toBe(
    'Learning rate α: the log range must stay within 1e-8…10 (a step size must be above 0), got 1e-40…1 — raise the low end.',
  );
  expect(problemOf(table, 'beta1')).toBe(
    'Momentum / Adam β1: the default must lie within 0…0.9999999 (β must stay below 1), got 5 — change it.',
  );
  expect(problemOf(table, 'epsilon')).toBe(
    'Adam ε: the default must lie within 1e-12…1 (ε must be above 0), got 0 — change it.',
  );
});

test('whole-number hyperparameters offer only whole-number scales', async () => {
  const { table } = await mount();
  const options = (label: string) => [...control<HTMLSelectElement>(table, label).options].map((o) => o.value);
  expect(options('hidden units scale')).toEqual(['int', 'int-log', 'pow2']);
  expect(options('batch size scale')).toEqual(['int', 'int-log', 'pow2']);
  expect(options('learning rate α scale')).toEqual(['linear', 'log', 'one-minus-log', 'int', 'int-log', 'pow2']);
});

/** The message shown under a row, or undefined. */
function problemOf(table: LabSpaceTable, name: string): string | undefined {
  return table.shadowRoot!.querySelector(`tr[data-problems-of="${name}"] [role=alert]`)?.textContent ?? undefined;
}

test('a row that acts only with some choices says which (the table of hyperparameters’ condition)', async () => {
  const { table } = await mount();
  const tierOf = (name: string) =>
    table.shadowRoot!.querySelector(`tr[data-param="${name}"] .tier`)!.textContent!.trim();
  expect(tierOf('beta2')).toBe('fixed unless unlocked · only with optimizer adam');
  expect(tierOf('decayRate')).toBe('tier 3 · only with learning-rate decay inverse_time, exponential or step');
  expect(tierOf('learningRate')).toBe('tier 1');
});
