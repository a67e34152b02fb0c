// Data people know, end to end: a penguins study (a classic table, 2 rows left out as its
// card says) trains in the lab and its link reproduces the same trials bit for bit.
import { expect, inject, test } from 'vitest';
import { openLab, readTrials, runStudy, setField, useLabBrowser } from './lab-page.ts';

const shared = useLabBrowser();

test('a penguins study trains, shows its data card, and its link reproduces it', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  await page.getByTestId('dataset').selectOption('penguins');
  await expect(page.getByTestId('data-card').textContent()).resolves.toContain(
    'penguins: 342 rows (2 of 344 left out: no measurements)',
  );
  await setField(page, 'budget-trials', 6);
  await setField(page, 'steps', 60);
  await page.getByTestId('engine-choice').selectOption('cpu');
  const progress = await runStudy(page, 120_000);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  const first = await readTrials(page);
  expect(first).toHaveLength(6);
  for (const t of first) expect(t.state).toBe('COMPLETE');
  const link = await page.getByTestId('share-url').inputValue();
  await context.close();

  const fresh = await openLab(shared.browser, link);
  await expect(fresh.page.getByTestId('dataset').inputValue()).resolves.toBe('penguins');
  await fresh.page.getByTestId('engine-choice').selectOption('cpu');
  await runStudy(fresh.page, 120_000);
  expect(await readTrials(fresh.page)).toEqual(first);
  await fresh.context.close();
});
