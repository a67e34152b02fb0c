// The data editor offers digits at both sizes and the classic tables; a table shows its
// data card (rows left out, licence).
import { afterEach, expect, test } from 'vitest';
import type { DataSpec } from '../../src/study/spec.ts';
import type { DataChange, LabDataEditor } from '../../src/ui/lab-data-editor.ts';
import '../../src/ui/lab-data-editor.ts';

async function mount(data: DataSpec): Promise<{ editor: LabDataEditor; changes: DataChange[] }> {
  const editor = document.createElement('lab-data-editor');
  editor.data = data;
  const changes: DataChange[] = [];
  editor.addEventListener('data-change', (e) => changes.push((e as CustomEvent<DataChange>).detail));
  document.body.append(editor);
  await editor.updateComplete;
  return { editor, changes };
}

function pick(editor: LabDataEditor, value: string): void {
  const select = editor.shadowRoot!.querySelector<HTMLSelectElement>('[data-testid="dataset"]')!;
  select.value = value;
  select.dispatchEvent(new Event('change'));
}

afterEach(() => document.body.replaceChildren());

const spiral: DataSpec = {
  kind: 'synthetic',
  name: 'spiral',
  count: 512,
  noise: 0.1,
  validationFraction: 0.25,
  seed: 4,
};

test('picking digits 28×28 or 14×14 names the size (14×14 as links made before it: no side)', async () => {
  const { editor, changes } = await mount(spiral);
  pick(editor, 'digits-28');
  pick(editor, 'digits');
  expect(changes.map((c) => c.data)).toEqual([
    { kind: 'digits', side: 28, count: 2000, validationFraction: 0.25, seed: 4 },
    { kind: 'digits', count: 2000, validationFraction: 0.25, seed: 4 },
  ]);
});

test('picking a classic table emits it, and its data card says what was left out and the licence', async () => {
  const { editor, changes } = await mount(spiral);
  pick(editor, 'penguins');
  expect(changes.at(-1)?.data).toEqual({ kind: 'table', name: 'penguins', validationFraction: 0.25, seed: 4 });
  editor.data = changes.at(-1)!.data!;
  await editor.updateComplete;
  const card = editor.shadowRoot!.querySelector('[data-testid="data-card"]')!.textContent!;
  expect(card).toContain('penguins: 342 rows (2 of 344 left out: no measurements)');
  expect(card).toContain('Licence: CC0 1.0.');
  expect(editor.shadowRoot!.querySelector<HTMLSelectElement>('[data-testid="dataset"]')!.value).toBe('penguins');
  // A table has no example count or noise to set.
  expect(editor.shadowRoot!.textContent).not.toContain('examples');
});
