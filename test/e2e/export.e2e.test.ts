// A study leaves the lab whole: its trials as CSV (one row per trial, Optuna-like columns),
// the whole study as JSON which, imported after the study was deleted, gives back the same
// library entry and the same views.
import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import type { Page } from 'playwright';
import { describe, expect, inject, test } from 'vitest';
import { encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { openLab, readTrials, runStudy, useLabBrowser } from './lab-page.ts';

const shared = useLabBrowser();

async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

/** The library's rows as the user reads them. */
const libraryRows = (page: Page) =>
  page
    .getByTestId('library-row')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Object.fromEntries(
          [...tr.querySelectorAll('td[data-col]')]
            .filter((td) => td.getAttribute('data-col') !== 'date')
            .map((td) => [td.getAttribute('data-col'), td.textContent?.trim()]),
        ),
      ),
    );

describe('export and import', () => {
  test('CSV has one row per trial with the trial columns; JSON exported, the study deleted, then imported gives the same entry and views', async () => {
    const spec = defaultStudy();
    spec.scheduler.budget = { kind: 'trials', trials: 6 };
    spec.parallelism = 6;
    spec.training = { steps: 60, reportEvery: 10 };
    const { context, page } = await openLab(shared.browser, `${inject('labUrl')}${encodeStudyHash(spec)}`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await runStudy(page, 240_000);
    const trials = await readTrials(page);

    const csv = await download(page, 'export-csv');
    expect(csv.name).toMatch(/\.csv$/);
    const table = Papa.parse<Record<string, string>>(csv.text, { header: true, skipEmptyLines: true });
    expect(table.meta.fields).toEqual(
      expect.arrayContaining([
        'number',
        'state',
        'value',
        'validation_accuracy',
        'steps',
        'duration_s',
        'init_seed',
        'data_seed',
        'partial',
        'params_learningRate',
        'params_beta1',
        'params_batchSize',
        'params_optimizer',
      ]),
    );
    expect(table.data.map((row) => Number(row.number))).toEqual(trials.map((t) => t.id));
    for (const [i, row] of table.data.entries()) {
      expect(row.state).toBe(trials[i].state);
      expect(Number(row.value)).toBe(Number(trials[i].objective));
      expect(Number(row.params_learningRate)).toBe(trials[i].params.learningRate);
    }

    const json = await download(page, 'export-json');
    const before = await libraryRows(page);
    expect(before).toHaveLength(1);
    await page.getByRole('button', { name: /^delete / }).click();
    await page.getByTestId('delete-notice').waitFor({ state: 'detached', timeout: 12_000 }); // the 8 s undo window
    await expect.poll(() => page.getByTestId('library-row').count()).toBe(0);
    await page.reload();
    await page.getByTestId('library-empty').waitFor();

    await page
      .getByTestId('import-file')
      .setInputFiles({ name: json.name, mimeType: 'application/json', buffer: Buffer.from(json.text) });
    await expect.poll(() => page.getByTestId('library-row').count()).toBe(1);
    const after = await libraryRows(page);
    // The same entry, named as imported.
    expect({ ...after[0], name: undefined }).toEqual({ ...before[0], name: undefined });
    await expect.poll(() => page.getByTestId('trial-row').count()).toBe(trials.length);
    expect(await readTrials(page)).toEqual(trials);
    await expect(page.getByTestId('loss-curves').getAttribute('data-series')).resolves.toBe(String(trials.length));
    expect(errors).toEqual([]);
    await context.close();
  });
});
