// The study library on the page: studies run are listed newest first, a rename survives a
// reload, two studies compare side by side, and a deletion waits out its undo window.
import type { Page } from 'playwright';
import { expect, inject, test } from 'vitest';
import { encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { openLab, runStudy, screenshot, useLabBrowser } from './lab-page.ts';

const RUN_TIMEOUT_MS = 240_000;

const shared = useLabBrowser();

function study(seed: number): StudySpec {
  const spec = defaultStudy();
  spec.scheduler.budget = { kind: 'trials', trials: 4 };
  spec.parallelism = 4;
  spec.training = { steps: 40, reportEvery: 10 };
  spec.seed = seed;
  return spec;
}

const rowIds = (page: Page) =>
  page.getByTestId('library-row').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-study'))));

test('studies run are listed newest first; rename, compare two, duplicate, delete with undo', async () => {
  const { context, page } = await openLab(shared.browser, `${inject('labUrl')}${encodeStudyHash(study(1))}`);
  await expect(page.getByTestId('library-empty').textContent()).resolves.toContain('No studies yet');
  await runStudy(page, RUN_TIMEOUT_MS);
  await page.goto(`${inject('labUrl')}${encodeStudyHash(study(2))}`);
  await runStudy(page, RUN_TIMEOUT_MS);
  await expect.poll(() => rowIds(page)).toHaveLength(2);
  const [newer, older] = await rowIds(page);
  expect(newer).toBeGreaterThan(older);
  // The study on screen is the newer one.
  await expect(
    page.locator(`[data-testid=library-row][data-study="${newer}"]`).getAttribute('aria-current'),
  ).resolves.toBe('true');
  await expect
    .poll(() => page.locator(`[data-testid=library-row][data-study="${newer}"] [data-col=trials]`).textContent())
    .toBe('4 / 4');

  const name = page.getByLabel(`name of study ${older}`);
  await name.fill('seed one');
  await name.press('Enter');
  await page.reload();
  await expect.poll(() => page.getByLabel(`name of study ${older}`).inputValue()).toBe('seed one');
  await screenshot(page.locator('lab-library'), 'library');

  await page.getByLabel('compare seed one').check();
  await page.locator(`[data-testid=library-row][data-study="${newer}"] input[type=checkbox]`).check();
  await page.getByTestId('compare').click();
  const view = page.locator('lab-compare');
  await expect
    .poll(() => view.locator('[data-testid=compare-best] thead th').allTextContents())
    .toEqual(['', 'seed one', expect.stringMatching(/^auto on spiral/)]);
  await expect.poll(() => view.locator('.u-legend .u-series').count()).toBe(3); // x plus one series per study
  await screenshot(view, 'compare-two-studies');
  await view.getByTestId('close-compare').click();
  await expect(view.count()).resolves.toBe(0);

  // Duplicate: a draft of the study in the editor, said so; the original stays listed.
  await page.getByRole('button', { name: 'duplicate seed one as a new study' }).click();
  await expect(page.getByTestId('draft-notice').textContent()).resolves.toContain('a copy of “seed one”, not yet run');
  expect(new URL(page.url()).hash).toBe(encodeStudyHash(study(1)));
  await expect.poll(() => rowIds(page)).toEqual([newer, older]);

  const deleteOlder = page.getByRole('button', { name: 'delete seed one' });
  await deleteOlder.click();
  await expect(page.getByTestId('delete-notice').textContent()).resolves.toMatch(/Deleted “seed one”/);
  await page.getByTestId('undo-delete').click();
  await expect.poll(() => rowIds(page)).toEqual([newer, older]);
  await deleteOlder.click();
  await page.getByTestId('delete-notice').waitFor({ state: 'detached', timeout: 12_000 }); // the 8 s undo window
  await page.reload();
  await expect.poll(() => rowIds(page)).toEqual([newer]);
  await context.close();
});
