// The lab as a user meets it: run the default 16-trial random study on the spiral, watch 16
// curves and 16 rows, share it as a link and reproduce it exactly in a fresh browser context;
// a bad link and bad CSVs say what is wrong.
import { describe, expect, inject, test } from 'vitest';
import { encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { describeLongTasks } from '../main-thread-tasks.ts';
import {
  hoverLossCurves,
  openLab,
  readTrials,
  runStudy,
  screenshot,
  setField,
  tableShowsEnd,
  traceTasks,
  useLabBrowser,
} from './lab-page.ts';

/** Steps per trial: enough for the curves to separate, few enough for SwiftShader. */
const STEPS = 100;
const RUN_TIMEOUT_MS = 240_000;

const shared = useLabBrowser();

describe('the default 16-trial study on the spiral (auto: one quasi-random population)', () => {
  test('trains 16 trials live, and its link reproduces the same parameters and final losses', async () => {
    const { context, page } = await openLab(shared.browser, inject('labUrl'));
    await expect(page.getByTestId('dataset').inputValue()).resolves.toBe('spiral');
    await expect(page.getByTestId('scheduler').inputValue()).resolves.toBe('auto');
    await expect(page.getByTestId('budget-trials').inputValue()).resolves.toBe('16');
    await setField(page, 'steps', STEPS);
    // This test is about the WebGPU path (left to the lab, SwiftShader may lose to the WASM engine).
    await page.getByTestId('engine-choice').selectOption('webgpu');
    await screenshot(page.getByTestId('study-editor'), 'study-editor');

    const { result: progress, tasks } = await traceTasks(shared.browser, page, () => runStudy(page, RUN_TIMEOUT_MS));
    await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
    await expect(progress.getAttribute('data-done')).resolves.toBe('16');
    console.log(`[main thread] while training: tasks ${describeLongTasks(tasks)} (goal: none over 50 ms)`);
    await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe('webgpu');
    await expect(page.getByTestId('loss-curves').getAttribute('data-series')).resolves.toBe('16');
    const first = await readTrials(page);
    expect(first).toHaveLength(16);
    for (const t of first) expect(['COMPLETE', 'PRUNED', 'DIVERGED']).toContain(t.state);
    expect(first.filter((t) => t.state === 'COMPLETE').length).toBeGreaterThan(0);
    // 16 distinct learning rates: random search tries a new value in every trial.
    expect(new Set(first.map((t) => t.params.learningRate)).size).toBe(16);

    // Sorting by validation loss puts the best trial (the lowest completed objective) first.
    await page.getByTestId('trials-table').getByRole('button', { name: 'validation loss' }).click();
    const best = first
      .filter((t) => t.state === 'COMPLETE')
      .sort((a, b) => Number(a.objective) - Number(b.objective))[0];
    await expect.poll(() => page.getByTestId('trial-row').first().getAttribute('data-trial')).toBe(String(best.id));
    await expect(page.getByTestId('trial-row').first().getAttribute('class')).resolves.toBe('best');

    // Hovering a curve names its trial and parameters.
    await hoverLossCurves(page, /trial #\d+ · COMPLETE.*learning rate α = /);

    // Hovering the best trial's point on the learning-rate scatter names it.
    const lrChart = page.locator('lab-param-scatter lab-uplot').first();
    await lrChart.scrollIntoViewIfNeeded();
    const at = await lrChart.evaluate(
      (el, [x, y]) => {
        const plot = (el as unknown as { plot: { valToPos(v: number, scale: string): number; over: HTMLElement } })
          .plot;
        const box = plot.over.getBoundingClientRect();
        return { x: box.left + plot.valToPos(x, 'x'), y: box.top + plot.valToPos(y, 'y') };
      },
      [Number(best.params.learningRate), Number(best.objective)],
    );
    await page.mouse.move(at.x - 20, at.y - 20);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await expect
      .poll(() => page.getByTestId('scatter-hover').textContent())
      .toMatch(new RegExp(`^\\s*trial #${best.id} · COMPLETE · learning rate α = `));

    await screenshot(page, 'lab-after-run');
    await page.locator('[data-testid=decision-boundary][data-drawn]').waitFor();
    for (const view of [
      'lab-loss-curves',
      'lab-param-scatter',
      'lab-best-history',
      'lab-importance',
      'lab-decision-boundary',
      'lab-trials-table',
    ])
      await screenshot(page.locator(view), view.slice(4));

    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('copy-link').click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(await page.getByTestId('share-url').inputValue());
    expect(link).toMatch(/#study=v1\./);
    await context.close();

    const fresh = await openLab(shared.browser, link);
    await expect(fresh.page.getByTestId('steps').inputValue()).resolves.toBe(String(STEPS));
    await fresh.page.getByTestId('engine-choice').selectOption('webgpu');
    await runStudy(fresh.page, RUN_TIMEOUT_MS);
    const second = await readTrials(fresh.page);
    // Same adapter, same seeds: the same trials with bit-identical final losses.
    expect(second).toEqual(first);
    await fresh.context.close();
  });
});

describe('run controls', () => {
  test('pause holds the study, resume continues it, stop ends it with every trial accounted for', async () => {
    const { context, page } = await openLab(shared.browser, inject('labUrl'));
    await setField(page, 'steps', 5000);
    await page.getByTestId('run').click();
    const progress = page.getByTestId('progress');
    await page.getByTestId('trial-row').first().waitFor();
    await page.getByTestId('pause').click();
    await progress.and(page.locator('[data-status=paused]')).waitFor();
    await page.waitForTimeout(500); // reports already on their way land, and the table (updated in its own task) shows them
    const stepsWhenPaused = await page.getByTestId('trial-row').first().locator('[data-col=steps]').textContent();
    await page.waitForTimeout(1500);
    await expect(page.getByTestId('trial-row').first().locator('[data-col=steps]').textContent()).resolves.toBe(
      stepsWhenPaused,
    );
    await page.getByTestId('resume').click();
    await progress.and(page.locator('[data-status=running]')).waitFor();
    await page.getByTestId('stop').click();
    await progress.and(page.locator('[data-status=stopped]')).waitFor({ timeout: RUN_TIMEOUT_MS });
    await tableShowsEnd(page);
    const trials = await readTrials(page);
    expect(trials.length).toBeGreaterThan(0);
    for (const t of trials) expect(t.state).not.toBe('RUNNING');
    await expect(page.getByTestId('run').isEnabled()).resolves.toBe(true);
    await context.close();
  });
});

describe('schedulers that work in rounds and stages', () => {
  test('coarse-to-fine shows each round and the box it searched', async () => {
    const { context, page } = await openLab(shared.browser, inject('labUrl'));
    await page.getByTestId('scheduler').selectOption('coarse-to-fine');
    await setField(page, 'trials-per-round', 4);
    await setField(page, 'parallelism', 4); // rounds are whole populations
    await setField(page, 'budget-trials', 12);
    await setField(page, 'steps', 60);
    await runStudy(page, RUN_TIMEOUT_MS);
    const rounds = page.getByTestId('stage-group');
    await expect(rounds.count()).resolves.toBe(3);
    await expect(rounds.nth(0).textContent()).resolves.toMatch(/round 1 · 4\/4 trials done/);
    await expect(rounds.nth(2).textContent()).resolves.toMatch(/round 3 · 4\/4 trials done.*learning rate α/s);
    await screenshot(page.locator('lab-search-stages'), 'search-stages');
    await context.close();
  });
});

describe("the user's own CSV", () => {
  test('a dropped CSV trains on the chosen columns and its link names the file and columns', async () => {
    // 60 points of two numeric features, labelled by which side of the diagonal they lie on, plus a distractor column.
    const rows = Array.from({ length: 60 }, (_, i) => {
      const [a, b] = [(i % 10) / 10, Math.floor(i / 10) / 6];
      return `${a},${b},note ${i},${a > b ? 'above' : 'below'}`;
    });
    const text = ['a,b,comment,side', ...rows].join('\n');
    const { context, page } = await openLab(shared.browser, inject('labUrl'));
    await page.getByTestId('dataset').selectOption('csv');
    const dropped = await page.evaluateHandle((csv) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([csv], 'sides.csv', { type: 'text/csv' }));
      return transfer;
    }, text);
    await page.getByTestId('csv-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await expect(page.getByTestId('csv-summary').textContent()).resolves.toBe('sides.csv: 60 rows, 4 columns');
    // The last column is the default target; the text column is not preselected as a feature, and ticking it says why it cannot be one.
    await expect(page.getByRole('checkbox', { name: 'comment' }).isChecked()).resolves.toBe(false);
    await page.getByRole('checkbox', { name: 'comment' }).check();
    await expect(page.getByTestId('csv-error').textContent()).resolves.toMatch(
      /column "comment": "note 0" is not a number/,
    );
    await page.getByRole('checkbox', { name: 'comment' }).uncheck();
    await expect(page.getByTestId('csv-error').count()).resolves.toBe(0);
    await setField(page, 'budget-trials', 4);
    await setField(page, 'steps', 60);
    const link = await page.getByTestId('share-url').inputValue();
    const progress = await runStudy(page, RUN_TIMEOUT_MS);
    await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
    const trials = await readTrials(page);
    expect(trials).toHaveLength(4);
    expect(trials.filter((t) => t.state === 'COMPLETE').length).toBeGreaterThan(0);
    await page.getByTestId('decision-boundary').waitFor();
    await context.close();

    const reopened = await openLab(shared.browser, link);
    await expect(reopened.page.getByTestId('run-blocked').textContent()).resolves.toContain('trains on sides.csv');
    await reopened.page
      .getByTestId('csv-file')
      .setInputFiles({ name: 'sides.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await expect(reopened.page.getByTestId('csv-error').count()).resolves.toBe(0);
    await expect(reopened.page.getByTestId('run').isEnabled()).resolves.toBe(true);
    await reopened.context.close();
  });
});

describe('links and files that cannot be used', () => {
  test('an invalid link shows why and opens the default study', async () => {
    const { context, page } = await openLab(shared.browser, `${inject('labUrl')}#study=v1.not-a-study!`);
    const error = page.getByTestId('link-error');
    await expect(error.textContent()).resolves.toMatch(/cannot be opened.*default study is shown/s);
    await expect(page.getByTestId('dataset').inputValue()).resolves.toBe('spiral');
    await expect(page.getByTestId('budget-trials').inputValue()).resolves.toBe('16');
    await expect(page.getByTestId('run').isEnabled()).resolves.toBe(true);
    // Nothing stored was touched: the address still holds the link as given.
    expect(new URL(page.url()).hash).toBe('#study=v1.not-a-study!');
    await screenshot(page, 'invalid-link');
    await context.close();
  });

  test('text from a link or a CSV is shown as text, never run as HTML', async () => {
    const hostile = '<img src=x onerror="window.pwned=1">';
    const spec = defaultStudy();
    spec.data = {
      kind: 'csv',
      fileName: `${hostile}.csv`,
      target: 'label',
      features: [hostile],
      validationFraction: 0.25,
      seed: 1,
    };
    const { context, page } = await openLab(shared.browser, `${inject('labUrl')}${encodeStudyHash(spec)}`);
    await expect(page.getByTestId('csv-drop').textContent()).resolves.toContain(
      `This study uses the file ${hostile}.csv`,
    );
    await expect(page.getByTestId('run-blocked').textContent()).resolves.toContain(`trains on ${hostile}.csv`);
    await page.getByTestId('csv-file').setInputFiles({
      name: 'cells.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${hostile},x2,label\n1,2,0\n3,4,1\n5,6,0\n`),
    });
    await expect(page.getByTestId('csv-target').locator('option').allTextContents()).resolves.toEqual([
      hostile,
      'x2',
      'label',
    ]);
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).resolves.toBeUndefined();
    await context.close();
  });

  test.each([
    ['a non-numeric cell', 'x1,x2,label\n0.5,1.5,0\n0.1,oops,1\n', /row 3, column "x2": "oops" is not a number/i],
    ['no data rows', 'x1,x2,label\n', /no data rows/i],
  ])('a CSV with %s shows a clear error and the study cannot run', async (_what, text, message) => {
    const { context, page } = await openLab(shared.browser, inject('labUrl'));
    await page.getByTestId('dataset').selectOption('csv');
    await page
      .getByTestId('csv-file')
      .setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await expect(page.getByTestId('csv-error').textContent()).resolves.toMatch(message);
    await expect(page.getByTestId('run').isEnabled()).resolves.toBe(false);
    await context.close();
  });
});
