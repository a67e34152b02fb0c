// An invalid number in the search settings (trials = 0 or 3000, an empty field) goes up to
// the study as typed, so the study's validation refuses it and Run is blocked with a message
// that names the field by its label here; it used to be dropped, and Run ran the previous value.
import { afterEach, expect, test } from 'vitest';
import { whyStudyCannotRun } from '../../src/study/preflight.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import '../../src/ui/lab-scheduler-editor.ts';
import type { RunSettings } from '../../src/ui/lab-scheduler-editor.ts';

async function mount() {
  const spec = defaultStudy();
  const editor = document.createElement('lab-scheduler-editor');
  editor.settings = {
    scheduler: spec.scheduler,
    pruning: spec.pruning,
    parallelism: spec.parallelism,
    training: spec.training,
    seed: spec.seed,
  };
  const studies: StudySpec[] = [];
  editor.addEventListener('settings-change', (e) =>
    studies.push({ ...spec, ...(e as CustomEvent<{ settings: RunSettings }>).detail.settings }),
  );
  document.body.append(editor);
  await editor.updateComplete;
  const type = (testid: string, value: string) => {
    const input = editor.shadowRoot!.querySelector<HTMLInputElement>(`[data-testid="${testid}"]`)!;
    input.value = value;
    input.dispatchEvent(new Event('change'));
    return input;
  };
  const labelOf = (testid: string) =>
    editor.shadowRoot!.querySelector(`[data-testid="${testid}"]`)!.closest('label')!.textContent!.trim();
  return { studies, type, labelOf };
}

afterEach(() => document.body.replaceChildren());

test.each([
  ['3000', 'Trials: must be at most 2000, got 3000 — lower it.'],
  ['0', 'Trials: must be at least 1, got 0 — raise it.'],
  ['', 'Trials: needs a number, got nothing — enter one.'],
  ['2.5', 'Trials: must be a whole number, got 2.5 — round it.'],
])('trials = "%s" reaches the study, which cannot run: %s', async (typed, message) => {
  const { studies, type, labelOf } = await mount();
  const input = type('budget-trials', typed);
  expect(input.getAttribute('aria-invalid')).toBe('true');
  expect(studies).toHaveLength(1);
  expect(whyStudyCannotRun(studies[0])).toEqual({ refuse: message });
  expect(message.toLowerCase().startsWith(`${labelOf('budget-trials')}:`)).toBe(true);
});

test('every number field is labelled as the messages name it, and a valid value runs', async () => {
  const { studies, type, labelOf } = await mount();
  expect(['budget-trials', 'parallelism', 'steps', 'report-every', 'seed'].map(labelOf)).toEqual([
    'trials',
    'trials at once',
    'steps per trial',
    'report every (steps)',
    'study seed',
  ]);
  type('parallelism', '300');
  expect(whyStudyCannotRun(studies[0]).refuse).toBe('Trials at once: must be at most 256, got 300 — lower it.');
  const input = type('budget-trials', '32');
  expect(input.getAttribute('aria-invalid')).toBe('false');
  expect(studies[1].scheduler.budget).toEqual({ kind: 'trials', trials: 32 });
  expect(whyStudyCannotRun(studies[1])).toEqual({});
});

test('PBT is offered with its one-line explanation; chosen, its exploit interval shows the default and goes into the study', async () => {
  const { studies, type, labelOf } = await mount();
  const editor = document.querySelector('lab-scheduler-editor')!;
  expect(editor.shadowRoot!.querySelector('option[value=pbt]')?.textContent).toContain(
    'population-based training (while training, the worst quarter copies the best',
  );
  editor.settings = { ...editor.settings, scheduler: { ...editor.settings.scheduler, kind: 'pbt' } };
  await editor.updateComplete;
  expect(labelOf('pbt-interval')).toBe('steps between PBT exploits');
  // The default study trains 500 steps reporting every 10: a tenth is 50.
  expect(editor.shadowRoot!.querySelector<HTMLInputElement>('[data-testid=pbt-interval]')?.value).toBe('50');
  type('pbt-interval', '100');
  expect(studies.at(-1)?.scheduler).toMatchObject({ kind: 'pbt', pbtInterval: 100 });
});

test('the pruner chosen is explained beside the choice, with a link to how to tune', async () => {
  const spec = defaultStudy();
  const editor = document.createElement('lab-scheduler-editor');
  const settings = { ...spec, pruning: spec.pruning };
  editor.settings = settings;
  document.body.append(editor);
  const help = async (kind: RunSettings['pruning']['kind']) => {
    editor.settings = { ...settings, pruning: { kind } };
    await editor.updateComplete;
    return editor.shadowRoot!.querySelector('[data-testid=pruner-help]')!;
  };
  expect((await help('none')).textContent).toMatch(/only a trial whose loss explodes/);
  expect((await help('median')).textContent).toMatch(/median of the other trials/);
  const asha = await help('asha');
  expect(asha.textContent).toMatch(/1\/9, 1\/3 and all of their steps/);
  expect(asha.querySelector('a')?.getAttribute('href')).toBe('how-to-tune.html#defaults');
});

test('under PBT there is no pruner to choose: the help says why, and the choice comes back with another scheduler', async () => {
  const editor = document.createElement('lab-scheduler-editor');
  const settings = { ...defaultStudy(), pruning: { kind: 'asha' as const } };
  editor.settings = settings;
  document.body.append(editor);
  const show = async (kind: RunSettings['scheduler']['kind']) => {
    editor.settings = { ...settings, scheduler: { ...settings.scheduler, kind } };
    await editor.updateComplete;
    const root = editor.shadowRoot!;
    return {
      select: root.querySelector('[data-testid=pruning]'),
      help: root.querySelector('[data-testid=pruner-help]')!,
    };
  };
  const pbt = await show('pbt');
  expect(pbt.select).toBeNull();
  expect(pbt.help.textContent).toMatch(
    /none under population-based training: .* the worst quarter copies one of the best/,
  );
  expect(pbt.help.textContent).not.toMatch(/1\/9, 1\/3/);
  const tpe = await show('tpe');
  expect((tpe.select as HTMLSelectElement).value).toBe('asha');
  expect(tpe.help.textContent).toMatch(/1\/9, 1\/3 and all of their steps/);
});
