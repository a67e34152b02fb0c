// The library list: newest first, rename from the keyboard, delete with an undo window that
// holds the real deletion back, and Compare only for 2–4 ticked studies.
import { afterEach, expect, test } from 'vitest';
import type { LibraryEntry } from '../../src/study/library.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import '../../src/ui/lab-library.ts';
import type { LabLibrary } from '../../src/ui/lab-library.ts';

function entry(id: number, name: string, createdAt: number, more: Partial<LibraryEntry> = {}): LibraryEntry {
  const spec = defaultStudy();
  return {
    id,
    name,
    createdAt,
    updatedAt: createdAt,
    hash: '',
    spec,
    status: 'finished',
    trials: 16,
    finishedTrials: 16,
    bestObjective: 0.123456,
    engine: 'CPU (TypeScript)',
    events: 40,
    ...more,
  };
}

const ENTRIES = [
  entry(1, 'first', 1_000),
  entry(3, 'third', 3_000, { status: 'stopped', finishedTrials: 9 }),
  entry(2, 'second', 2_000, {
    bestObjective: undefined,
    engine: undefined,
    status: 'draft',
    finishedTrials: 0,
    trials: 0,
  }),
  entry(4, 'fourth', 4_000),
  entry(5, 'fifth', 5_000),
];

type Fired = Array<{ type: string; detail: unknown }>;
const EVENTS = ['open-study', 'duplicate-study', 'rename-study', 'delete-study', 'compare-studies'];

async function mount(
  entries = ENTRIES,
  setup: (el: LabLibrary) => void = () => {},
): Promise<{ el: LabLibrary; fired: Fired }> {
  const el = document.createElement('lab-library');
  el.entries = entries;
  setup(el);
  const fired: Fired = [];
  // Listened for above the element: the events bubble out of it.
  const page = document.createElement('div');
  for (const type of EVENTS)
    page.addEventListener(type, (e) => fired.push({ type, detail: (e as CustomEvent).detail }));
  page.append(el);
  document.body.append(page);
  await el.updateComplete;
  return { el, fired };
}

const rows = (el: LabLibrary) => [
  ...el.shadowRoot!.querySelectorAll<HTMLTableRowElement>('[data-testid="library-row"]'),
];
const rowOf = (el: LabLibrary, id: number) =>
  el.shadowRoot!.querySelector<HTMLTableRowElement>(`[data-study="${id}"]`)!;
const nameInput = (el: LabLibrary, id: number) =>
  el.shadowRoot!.querySelector<HTMLInputElement>(`input[aria-label="name of study ${id}"]`)!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function key(input: HTMLInputElement, key: string): void {
  input.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
}

afterEach(() => document.body.replaceChildren());

test('rows are newest first, with each study’s summary', async () => {
  const { el } = await mount();
  expect(rows(el).map((r) => r.dataset.study)).toEqual(['5', '4', '3', '2', '1']);
  const third = rowOf(el, 3);
  const cell = (col: string) => third.querySelector(`[data-col="${col}"]`)!.textContent!.trim();
  expect(nameInput(el, 3).value).toBe('third');
  expect(cell('data')).toBe('spiral');
  expect(cell('scheduler')).toBe('auto');
  expect(cell('trials')).toBe('9 / 16');
  expect(cell('best')).toBe('0.123');
  expect(cell('engine')).toBe('CPU (TypeScript)');
  expect(cell('status')).toBe('stopped');
  expect(cell('date')).toBe(new Date(3_000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
  expect(rowOf(el, 2).querySelector('[data-col="best"]')!.textContent!.trim()).toBe('—');
});

test('the study on screen is highlighted; while one runs, Open and Duplicate wait and it cannot be deleted', async () => {
  const { el, fired } = await mount(ENTRIES, (e) => {
    e.currentId = 4;
    e.busy = true;
  });
  expect(rowOf(el, 4).getAttribute('aria-current')).toBe('true');
  expect(rows(el).filter((r) => r.getAttribute('aria-current') === 'true')).toHaveLength(1);
  const button = (id: number, action: string) =>
    rowOf(el, id).querySelector<HTMLButtonElement>(`[data-action="${action}"]`)!;
  expect(button(1, 'open').disabled).toBe(true);
  expect(button(1, 'duplicate').disabled).toBe(true);
  expect(button(4, 'delete').disabled).toBe(true);
  expect(button(1, 'delete').disabled).toBe(false);
  el.busy = false;
  await el.updateComplete;
  button(1, 'open').click();
  button(2, 'duplicate').click();
  expect(fired).toEqual([
    { type: 'open-study', detail: { id: 1 } },
    { type: 'duplicate-study', detail: { id: 2 } },
  ]);
});

test('rename from the keyboard: Enter commits once, Escape cancels, an empty name is refused', async () => {
  const { el, fired } = await mount();
  const input = nameInput(el, 3);
  input.focus();
  input.value = '  lr sweep  ';
  key(input, 'Enter');
  input.blur(); // leaving the field after Enter asks nothing more
  expect(fired).toEqual([{ type: 'rename-study', detail: { id: 3, name: 'lr sweep' } }]);
  expect(input.value).toBe('lr sweep');

  input.focus();
  input.value = 'typo';
  key(input, 'Escape');
  input.blur();
  expect(input.value).toBe('lr sweep');

  input.focus();
  input.value = '   ';
  input.blur();
  await el.updateComplete;
  expect(input.value).toBe('lr sweep');
  expect(el.shadowRoot!.querySelector('[data-testid="name-problem"]')!.textContent).toContain('needs a name');
  expect(fired).toHaveLength(1);

  // Blur commits too.
  const other = nameInput(el, 1);
  other.focus();
  other.value = 'baseline';
  other.blur();
  expect(fired.at(-1)).toEqual({ type: 'rename-study', detail: { id: 1, name: 'baseline' } });
});

test('delete then Undo: the row comes back and nothing is deleted', async () => {
  const { el, fired } = await mount(ENTRIES, (e) => (e.undoMs = 80));
  rowOf(el, 3).querySelector<HTMLButtonElement>('[data-action="delete"]')!.click();
  await el.updateComplete;
  expect(rows(el).map((r) => r.dataset.study)).toEqual(['5', '4', '2', '1']);
  expect(el.shadowRoot!.querySelector('[data-testid="delete-notice"]')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(
    'Deleted “third”. Undo',
  );
  el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="undo-delete"]')!.click();
  await el.updateComplete;
  expect(rows(el).map((r) => r.dataset.study)).toEqual(['5', '4', '3', '2', '1']);
  expect(el.shadowRoot!.querySelector('[data-testid="delete-notice"]')).toBeNull();
  await sleep(200); // well past the window
  expect(fired).toEqual([]);
});

test('delete without Undo fires delete-study once the window ends, not before', async () => {
  const { el, fired } = await mount(ENTRIES, (e) => (e.undoMs = 150));
  rowOf(el, 2).querySelector<HTMLButtonElement>('[data-action="delete"]')!.click();
  await el.updateComplete;
  expect(fired).toEqual([]);
  await sleep(400);
  expect(fired).toEqual([{ type: 'delete-study', detail: { id: 2 } }]);
  await el.updateComplete;
  expect(el.shadowRoot!.querySelector('[data-testid="delete-notice"]')).toBeNull();
});

test('a second delete, or leaving the page, sends the pending deletion at once', async () => {
  const { el, fired } = await mount(ENTRIES, (e) => (e.undoMs = 60_000));
  const onElement: number[] = [];
  el.addEventListener('delete-study', (e) => onElement.push((e as CustomEvent<{ id: number }>).detail.id));
  rowOf(el, 1).querySelector<HTMLButtonElement>('[data-action="delete"]')!.click();
  await el.updateComplete;
  rowOf(el, 5).querySelector<HTMLButtonElement>('[data-action="delete"]')!.click();
  await el.updateComplete;
  expect(fired).toEqual([{ type: 'delete-study', detail: { id: 1 } }]);
  expect(el.shadowRoot!.querySelector('[data-testid="delete-notice"]')!.textContent).toContain('“fifth”');
  el.remove();
  // Sent as the element leaves: a listener on the element itself hears it (one above it no longer can).
  expect(onElement).toEqual([1, 5]);
});

test('Compare is enabled for 2–4 ticked studies and sends them in the order ticked', async () => {
  const { el, fired } = await mount();
  const compare = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="compare"]')!;
  const tick = async (id: number, on = true) => {
    const box = rowOf(el, id).querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    if (box.checked !== on) box.click();
    await el.updateComplete;
  };
  const enabledAfter: boolean[] = [!compare.disabled];
  for (const id of [4, 1, 5, 2, 3]) {
    await tick(id);
    enabledAfter.push(!compare.disabled);
  }
  // 0 ticked: disabled; 1: disabled; 2, 3, 4: enabled; 5: disabled.
  expect(enabledAfter).toEqual([false, false, true, true, true, false]);
  expect(el.shadowRoot!.querySelector('[data-testid="compare-hint"]')!.textContent).toContain('at most 4');
  await tick(2, false);
  await tick(3, false);
  compare.click();
  expect(fired).toEqual([{ type: 'compare-studies', detail: { ids: [4, 1, 5] } }]);
});

test('an empty library says how studies get there', async () => {
  const { el } = await mount([]);
  expect(el.shadowRoot!.querySelector('[data-testid="library-empty"]')!.textContent).toContain('No studies yet');
  expect(el.shadowRoot!.querySelector('[data-testid="compare"]')!.hasAttribute('disabled')).toBe(true);
});

test('a row fits a 1000-pixel card: the engine wraps, so Delete needs no sideways scroll', async () => {
  // Every cell kept to one line pushed the actions out of a 1280-pixel window's card.
  const long = { engine: 'CPU (WebAssembly SIMD, 2 threads)' };
  const { el } = await mount(
    [entry(1, 'auto on digits-28', 1_000, long), entry(2, 'auto on spiral', 2_000, long)],
    (e) => {
      e.style.display = 'block';
      e.style.width = '1000px';
    },
  );
  const scroll = el.shadowRoot!.querySelector<HTMLElement>('.scroll')!;
  expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.clientWidth);
});
