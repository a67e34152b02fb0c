// Importing a CSV as a user does: the target's task is shown and chosen (one "NA" never turns
// prices into classes), bad cells are named by CSV row, wide files are selected in bulk, and
// the link pins the file by its SHA-256, so opening it with another file says so.
import { createHash } from 'node:crypto';
import type { Page } from 'playwright';
import { describe, expect, inject, test } from 'vitest';
import { decodeStudyHash } from '../../src/study/link.ts';
import { openLab, readTrials, runStudy, setField, useLabBrowser } from './lab-page.ts';

const RUN_TIMEOUT_MS = 240_000;

const shared = useLabBrowser();

async function chooseFile(page: Page, name: string, content: string | Buffer): Promise<void> {
  await page
    .getByTestId('csv-file')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });
}

async function openCsv(): Promise<Awaited<ReturnType<typeof openLab>>> {
  const lab = await openLab(shared.browser, inject('labUrl'));
  await lab.page.getByTestId('dataset').selectOption('csv');
  return lab;
}

const featureCount = (page: Page) =>
  page.locator('lab-csv-import fieldset legend', { hasText: 'feature columns' }).textContent();

describe('a numeric target with one missing value', () => {
  // 40 homes; the price of the 7th (CSV row 8) is "NA".
  const homes = [
    'rooms,area,price',
    ...Array.from(
      { length: 40 },
      (_, i) => `${1 + (i % 5)},${50 + i * 3},${i === 6 ? 'NA' : 100_000 + i * 2500 + (i % 5) * 10_000}`,
    ),
  ].join('\n');

  test('is shown as numeric except row 8, the user chooses regression and leaves the row out, and the link pins the file', async () => {
    const { context, page } = await openCsv();
    await chooseFile(page, 'homes.csv', homes);
    await expect.poll(() => page.getByTestId('csv-target-kind').getAttribute('data-kind')).toBe('mostly-numeric');
    await expect
      .poll(() => page.getByTestId('csv-target-kind').textContent())
      .toContain('"price" holds numbers except row 8 (row 8: "NA" marks a missing value)');
    await expect
      .poll(() => page.getByTestId('csv-error').textContent())
      .toContain('Column "price" is numeric except row 8: choose its task below.');
    await expect.poll(() => page.getByRole('radio', { name: /regression/ }).isChecked()).toBe(false);
    await expect.poll(() => page.getByRole('radio', { name: /classification/ }).isChecked()).toBe(false);
    await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(false);

    await page.getByRole('radio', { name: /regression/ }).check();
    await expect
      .poll(() => page.getByTestId('csv-error').textContent())
      .toContain('Row 8, column "price": "NA" marks a missing value.');
    await expect
      .poll(() => page.getByTestId('csv-unreadable').textContent())
      .toContain('row 8 of the chosen numeric columns holds a cell that is not numbers');
    await page.getByTestId('csv-leave-out').click();
    await expect.poll(() => page.getByTestId('csv-error').count()).toBe(0);
    await expect.poll(() => page.getByTestId('csv-dropped').textContent()).toContain('row 8 left out');
    await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(true);

    const link = await page.getByTestId('share-url').inputValue();
    const decoded = decodeStudyHash(new URL(link).hash);
    expect(decoded.ok && decoded.spec?.data).toMatchObject({
      kind: 'csv',
      fileName: 'homes.csv',
      target: 'price',
      features: ['rooms', 'area'],
      task: 'regression',
      dropRows: [8],
      sha256: createHash('sha256').update(homes).digest('hex'),
    });
    await setField(page, 'budget-trials', 2);
    await setField(page, 'steps', 30);
    const progress = await runStudy(page, RUN_TIMEOUT_MS);
    await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
    expect((await readTrials(page)).filter((t) => t.state === 'COMPLETE').length).toBeGreaterThan(0);
    await context.close();

    // The same link with an edited file: said plainly, and the study can still run.
    const edited = await openLab(shared.browser, link);
    await chooseFile(edited.page, 'homes.csv', homes.replace('\n1,50,', '\n1,51,'));
    await expect.poll(() => edited.page.getByTestId('csv-pin').getAttribute('data-status')).toBe('different');
    await expect
      .poll(() => edited.page.getByTestId('csv-pin').textContent())
      .toContain('homes.csv is not the file this link was made with');
    await expect.poll(() => edited.page.getByTestId('csv-pin').textContent()).toContain('it is not reproducible');
    await expect.poll(() => edited.page.getByTestId('run').isEnabled()).toBe(true);
    // …and the very file: the link reproduces, with the task and rows it names.
    await chooseFile(edited.page, 'homes.csv', homes);
    await expect.poll(() => edited.page.getByTestId('csv-pin').getAttribute('data-status')).toBe('same');
    await expect.poll(() => edited.page.getByRole('radio', { name: /regression/ }).isChecked()).toBe(true);
    await expect.poll(() => edited.page.getByTestId('csv-dropped').textContent()).toContain('row 8 left out');
    await edited.context.close();
  });

  test('treated as categories only when the user says so', async () => {
    const { context, page } = await openCsv();
    await chooseFile(page, 'homes.csv', homes);
    await page.getByRole('radio', { name: /classification/ }).check();
    await expect.poll(() => page.getByTestId('csv-error').count()).toBe(0);
    const classes = new Set(
      homes
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[2]),
    ).size;
    await expect
      .poll(() => page.getByTestId('csv-task').textContent())
      .toMatch(new RegExp(`classification\\s+\\(${classes} classes\\)`));
    await context.close();
  });
});

describe('cells that are not plain numbers', () => {
  test.each([
    [
      'a value beyond float32',
      'x,y\n1,2\n2,3\n1e39,4\n',
      /Row 4, column "x": "1e39" is beyond the range of 32-bit floats/,
    ],
    ['a hexadecimal number', 'x,y\n1,2\n0x1F,3\n5,4\n', /Row 3, column "x": "0x1F" is hexadecimal/],
    ['thousands separators', 'x,y\n1,2\n"1,234",3\n5,4\n', /Row 3, column "x": "1,234" has thousands separators/],
  ])('%s is refused with its CSV row and column', async (_what, text, message) => {
    const { context, page } = await openCsv();
    await chooseFile(page, 'cells.csv', text);
    // The x column is numeric except one cell: tick it as a feature to see the cell's problem.
    await page.getByRole('checkbox', { name: 'x' }).check();
    await expect.poll(() => page.getByTestId('csv-error').textContent()).toMatch(message);
    await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(false);
    await context.close();
  });

  test('a UTF-16 file with a byte-order mark reads like UTF-8', async () => {
    const { context, page } = await openCsv();
    const text = 'größe,étiquette\n1,a\n2,b\n3,a\n4,b\n';
    await chooseFile(page, 'utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await expect.poll(() => page.getByTestId('csv-summary').textContent()).toBe('utf16.csv: 4 rows, 2 columns');
    await expect.poll(() => page.getByTestId('csv-error').count()).toBe(0);
    await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(true);
    await context.close();
  });
});

test('a 600-column file: the first 512 are selected, and all / none / invert / pattern select in bulk', async () => {
  const columns = Array.from({ length: 600 }, (_, j) => `c${j}`);
  const rows = Array.from({ length: 12 }, (_, i) =>
    [...columns.map((_, j) => String((i * 7 + j) % 13)), i % 2 ? 'yes' : 'no'].join(','),
  );
  const { context, page } = await openCsv();
  await chooseFile(page, 'wide.csv', [[...columns, 'label'].join(','), ...rows].join('\n'));
  await expect.poll(() => page.getByTestId('csv-limits').textContent()).toMatch(/at most\s+512 feature columns/);
  await expect
    .poll(() => page.getByTestId('csv-selection-note').textContent())
    .toBe('600 columns fit; a study uses at most 512 feature columns, so the first 512 are selected.');
  await expect.poll(() => featureCount(page)).toBe('feature columns (512 of at most 512)');
  await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(true);
  await page.getByTestId('csv-none').click();
  await expect.poll(() => featureCount(page)).toBe('feature columns (0 of at most 512)');
  await expect.poll(() => page.getByTestId('csv-error').textContent()).toContain('Choose at least one feature column.');
  await page.getByTestId('csv-pattern').fill('c1*');
  await page.getByTestId('csv-select-matching').click();
  // c1, c10–c19 and c100–c199.
  await expect.poll(() => featureCount(page)).toBe('feature columns (111 of at most 512)');
  await page.getByTestId('csv-invert').click();
  await expect.poll(() => featureCount(page)).toBe('feature columns (489 of at most 512)');
  await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(true);
  await page.getByTestId('csv-all').click();
  await expect.poll(() => featureCount(page)).toBe('feature columns (512 of at most 512)');
  await context.close();
});
