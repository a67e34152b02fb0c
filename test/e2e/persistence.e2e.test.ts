// Studies that last: a study survives the page going away (resumed to the same trials as an
// uninterrupted run), Stop keeps results and Extend continues the seeded sequence, a full
// disk is a notice rather than a lost study, and a dead worker is reported within seconds.
import type { Page } from 'playwright';
import { describe, expect, inject, test } from 'vitest';
import { encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import {
  openLab,
  readTrials,
  runStudy,
  screenshot,
  tableShowsEnd,
  useLabBrowser,
  watchPageErrors,
} from './lab-page.ts';

const RUN_TIMEOUT_MS = 240_000;

const shared = useLabBrowser();

/** A study of several populations, small enough for SwiftShader. */
function study(trials: number, parallelism: number, steps: number): StudySpec {
  const spec = defaultStudy();
  spec.scheduler.budget = { kind: 'trials', trials };
  spec.parallelism = parallelism;
  spec.training = { steps, reportEvery: 10 };
  spec.seed = 7;
  return spec;
}

const linkOf = (spec: StudySpec) => `${inject('labUrl')}${encodeStudyHash(spec)}`;

async function progress(page: Page): Promise<{ status: string | null; done: number }> {
  const line = page.getByTestId('progress');
  return { status: await line.getAttribute('data-status'), done: Number(await line.getAttribute('data-done')) };
}

describe('studies that last', () => {
  test('a study whose page closed mid-run resumes to the same trials (bit-identical final losses) as an uninterrupted run', async () => {
    const spec = study(8, 2, 600);
    const { context, page } = await openLab(shared.browser, linkOf(spec));
    // Both runs on one engine (the resumed one keeps it): engines agree only within rounding.
    await page.getByTestId('engine-choice').selectOption('webgpu');
    await page.getByTestId('run').click();
    await expect
      .poll(async () => (await progress(page)).done, { timeout: RUN_TIMEOUT_MS, interval: 100 })
      .toBeGreaterThanOrEqual(2);
    expect((await progress(page)).status).toBe('running');
    await page.waitForTimeout(400); // the journal writes in batches of at most 250 ms
    await page.close();

    const reopened = await context.newPage();
    await reopened.goto(inject('labUrl'));
    const offer = reopened.getByTestId('resume-offer');
    await expect.poll(() => offer.textContent()).toMatch(/was interrupted at \d+ of \d+ planned trials finished/);
    await screenshot(reopened, 'resume-offer');
    await offer.getByTestId('resume-study').click();
    await reopened
      .getByTestId('progress')
      .and(reopened.locator('[data-status=finished]'))
      .waitFor({ timeout: RUN_TIMEOUT_MS });
    await tableShowsEnd(reopened);
    const resumed = await readTrials(reopened);
    await context.close();

    const fresh = await openLab(shared.browser, linkOf(spec));
    await fresh.page.getByTestId('engine-choice').selectOption('webgpu');
    await runStudy(fresh.page, RUN_TIMEOUT_MS);
    const uninterrupted = await readTrials(fresh.page);
    await fresh.context.close();
    expect(resumed).toHaveLength(8);
    expect(resumed).toEqual(uninterrupted);
  });

  test('Stop keeps every trial as a partial result; Extend runs more trials of the same seeded sequence', async () => {
    const spec = study(8, 4, 400);
    const { context, page } = await openLab(shared.browser, linkOf(spec));
    // On WebGPU (SwiftShader here) the study lasts long enough to be stopped mid-run; 'auto' may
    // pick the WASM engine, which can finish all 8 trials before Stop.
    await page.getByTestId('engine-choice').selectOption('webgpu');
    await page.getByTestId('run').click();
    await expect
      .poll(() => page.locator('[data-testid=trial-row]').count(), { timeout: RUN_TIMEOUT_MS })
      .toBeGreaterThan(0);
    await page.waitForTimeout(3_000); // let the first population report some steps
    const stopAt = Date.now();
    await page.getByTestId('stop').click();
    await page.getByTestId('progress').and(page.locator('[data-status=stopped]')).waitFor({ timeout: 30_000 });
    console.log(`[stop] the study stopped ${Date.now() - stopAt} ms after Stop was pressed`);
    await tableShowsEnd(page);
    const stopped = await readTrials(page);
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.some((t) => t.state === 'STOPPED')).toBe(true);
    for (const t of stopped.filter((t) => t.state === 'STOPPED' && Number(t.objective) > 0))
      expect(Number.isFinite(Number(t.objective))).toBe(true);
    // The editor unlocks once the study ended.
    await expect(page.getByTestId('study-editor').getAttribute('inert')).resolves.toBeNull();

    await page.getByTestId('extend-by').fill('4');
    await page.getByTestId('extend-by').dispatchEvent('change');
    await page.getByTestId('extend-study').click();
    await page.getByTestId('progress').and(page.locator('[data-status=finished]')).waitFor({ timeout: RUN_TIMEOUT_MS });
    await tableShowsEnd(page);
    const extended = await readTrials(page);
    expect(extended.map((t) => t.id)).toEqual([...Array(stopped.length + 4).keys()]);
    // Stopped trials stay as they were; the new ones are the next of the seeded sequence.
    expect(extended.slice(0, stopped.length)).toEqual(stopped);
    expect(extended.slice(stopped.length).every((t) => t.state === 'COMPLETE')).toBe(true);
    await context.close();
  });

  test('storage that fails (quota exceeded) shows a notice and the study still finishes', async () => {
    const context = watchPageErrors(await shared.browser.newContext());
    await context.addInitScript(() => {
      IDBObjectStore.prototype.put = function put() {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(linkOf(study(4, 4, 40)));
    await runStudy(page, RUN_TIMEOUT_MS);
    await expect(page.getByTestId('progress').getAttribute('data-status')).resolves.toBe('finished');
    await expect(page.getByTestId('storage-notice').textContent()).resolves.toMatch(
      /no longer being saved: the browser’s storage for this site is full/,
    );
    expect(await readTrials(page)).toHaveLength(4);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a worker that dies mid-study is reported within 2 s and Run works again', async () => {
    const { context, page } = await openLab(shared.browser, linkOf(study(8, 4, 2000)));
    await page.getByTestId('run').click();
    await expect
      .poll(() => page.locator('[data-testid=trial-row]').count(), { timeout: RUN_TIMEOUT_MS })
      .toBeGreaterThan(0);
    const worker = page.workers().find((w) => w.url().includes('trainer'));
    if (!worker)
      throw new Error(
        `no trainer worker among ${page
          .workers()
          .map((w) => w.url())
          .join(', ')}`,
      );
    const killedAt = Date.now();
    await worker.evaluate(() => (self as unknown as { close(): void }).close());
    await page.getByTestId('progress').and(page.locator('[data-status=interrupted]')).waitFor({ timeout: 5_000 });
    const noticedMs = Date.now() - killedAt;
    console.log(
      `[worker] a dead trainer worker was noticed after ${noticedMs} ms (goal: within 2 s; its life lock is released as it ends)`,
    );
    await expect(page.getByTestId('engine-notice').textContent()).resolves.toMatch(
      /^Training stopped: the trainer worker ended \(it crashed or was closed\)/,
    );
    await expect(page.getByTestId('run').isEnabled()).resolves.toBe(true);
    await expect(page.getByTestId('resume-study').isEnabled()).resolves.toBe(true);
    await context.close();
  });

  test('a worker busy for 3 s without answering (a long plan, a starved machine) is not taken for dead', async () => {
    const { context, page } = await openLab(shared.browser, linkOf(study(8, 4, 2000)));
    await page.getByTestId('run').click();
    await expect
      .poll(() => page.locator('[data-testid=trial-row]').count(), { timeout: RUN_TIMEOUT_MS })
      .toBeGreaterThan(0);
    const worker = page.workers().find((w) => w.url().includes('trainer'))!;
    await worker.evaluate(() => {
      const until = Date.now() + 3_000;
      while (Date.now() < until); // holds the worker's thread: no ping is answered meanwhile
    });
    // The freeze fell inside the study: it is still running afterwards.
    await expect(page.getByTestId('progress').getAttribute('data-status')).resolves.toBe('running');
    await page
      .getByTestId('progress')
      .and(page.locator('[data-status=finished], [data-status=interrupted]'))
      .waitFor({ timeout: RUN_TIMEOUT_MS });
    await expect(page.getByTestId('progress').getAttribute('data-status')).resolves.toBe('finished');
    await context.close();
  });
});
