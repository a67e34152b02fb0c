// Bad values in the editor and in links are refused before Run, in the editor's words: an
// invalid field blocks Run with a message naming it (it used to turn red while Run ran the
// previous value), a search-space row says what is wrong with it, and a hostile link says
// which field it broke. No page error at any moment.
import type { Page } from 'playwright';
import { describe, expect, inject, test } from 'vitest';
import { encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { openLab, screenshot, setField, useLabBrowser } from './lab-page.ts';

const shared = useLabBrowser();

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

describe('refused before Run', () => {
  test('trials = 3000, 0 or nothing block Run with the field named; a valid value unblocks it', async () => {
    const { context, page } = await openLab(shared.browser, inject('labUrl'));
    const errors = watchErrors(page);
    const run = page.getByTestId('run');
    const blocked = page.getByTestId('run-blocked');
    for (const [value, message] of [
      ['3000', 'Trials: must be at most 2000, got 3000 — lower it.'],
      ['0', 'Trials: must be at least 1, got 0 — raise it.'],
      ['', 'Trials: needs a number, got nothing — enter one.'],
    ]) {
      const field = page.getByTestId('budget-trials');
      await field.fill(value);
      await field.dispatchEvent('change');
      await expect.poll(() => run.isEnabled()).toBe(false);
      await expect(blocked.textContent()).resolves.toContain(message);
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    }
    await screenshot(page, 'run-blocked-by-invalid-field');
    await setField(page, 'budget-trials', 12);
    await expect.poll(() => run.isEnabled()).toBe(true);
    await expect(blocked.count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a learning rate searched down to 1e-40 is named in its row and blocks Run', async () => {
    const { context, page } = await openLab(shared.browser, inject('labUrl'));
    const errors = watchErrors(page);
    const low = page.getByLabel('learning rate α low');
    await low.fill('1e-40');
    await low.dispatchEvent('change');
    const message =
      'Learning rate α: the log range must stay within 1e-8…10 (a step size must be above 0), got 1e-40…1 — raise the low end.';
    await expect(page.locator('tr[data-problems-of=learningRate] [role=alert]').textContent()).resolves.toBe(message);
    await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(false);
    await expect(page.getByTestId('run-blocked').textContent()).resolves.toContain(message);
    expect(errors).toEqual([]);
    await context.close();
  });

  test("a hostile but well-formed link (a categorical 20,000 hidden layers) says which field, in the editor's words", async () => {
    const spec = defaultStudy();
    spec.space = spec.space.map((r) =>
      r.name === 'hiddenLayers'
        ? { ...r, enabled: true, distribution: { kind: 'categorical', choices: [2, 20_000] } }
        : r,
    );
    const { context, page } = await openLab(shared.browser, `${inject('labUrl')}${encodeStudyHash(spec)}`);
    const text = await page.getByTestId('link-error').textContent();
    expect(text).toContain('Hidden layers: every choice must lie within 0…8, got 20000 — change or remove it.');
    expect(text).not.toMatch(/space\.\d|hiddenLayers/);
    await context.close();
  });
});
