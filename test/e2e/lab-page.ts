// Driving the lab page as a user would: through labelled controls and the data-testid hooks
// the elements expose. Playwright's locators pierce the elements' shadow roots.
import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type LaunchOptions, type Locator, type Page } from 'playwright';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { chromiumLaunchOptions } from '../chromium.ts';
import { type MainThreadTask, mainThreadTasks, TASK_TRACE_CATEGORIES } from '../main-thread-tasks.ts';

export const SCREENSHOTS = 'test-results/screenshots';

export interface TrialSnapshot {
  id: number;
  state: string;
  objective: string;
  params: Record<string, number | string>;
}

/**
 * Uncaught errors of every page of every watched context, from its first script to its close
 * (tabs opened later included): `expectNoPageErrors`, each test file's afterEach, fails the
 * test that saw one. The lab's views update in tasks of their own, so an error can come at
 * any moment, not only while a page loads.
 */
const pageErrors: string[] = [];
const watchedContexts = new Set<BrowserContext>();

export function watchPageErrors(context: BrowserContext): BrowserContext {
  const watch = (page: Page) =>
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.name}: ${e.message}\n${e.stack}`));
  context.pages().forEach(watch);
  context.on('page', watch);
  context.on('close', () => watchedContexts.delete(context));
  watchedContexts.add(context);
  return context;
}

/** For afterEach: closes what a test left open (a failed test's pages cannot leak errors into the next), then asserts none came. */
export async function expectNoPageErrors(): Promise<void> {
  await Promise.all([...watchedContexts].map((c) => c.close()));
  expect(pageErrors.splice(0), 'uncaught errors in the page').toEqual([]);
}

/**
 * One Chromium for a test file (launched before its tests, closed after them), and every test
 * of the file fails on an uncaught page error (expectNoPageErrors). Call at the file's top.
 */
export function useLabBrowser(options: LaunchOptions = chromiumLaunchOptions()): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch(options);
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(expectNoPageErrors);
  return {
    get browser() {
      if (!browser) throw new Error('the browser is launched in beforeAll: use it inside a test');
      return browser;
    },
  };
}

export async function openLab(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = watchPageErrors(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.getByTestId('study-editor').waitFor();
  expect(errors).toEqual([]);
  return { context, page };
}

/** Types into a number field and commits it (the lab reads fields on change). */
export async function setField(page: Page, testId: string, value: number): Promise<void> {
  const field = page.getByTestId(testId);
  await field.fill(String(value));
  await field.dispatchEvent('change');
}

/** Presses Run and waits until the study has ended and the trials table shows it; returns the progress line. */
export async function runStudy(page: Page, timeoutMs: number): Promise<Locator> {
  await page.getByTestId('run').click();
  return studyEnded(page, timeoutMs);
}

/** Waits until the running study has ended (finished, error or stopped) and the trials table shows it; returns the progress line. */
export async function studyEnded(page: Page, timeoutMs: number): Promise<Locator> {
  const progress = page.getByTestId('progress');
  await progress
    .and(page.locator('[data-status=finished], [data-status=error], [data-status=stopped]'))
    .waitFor({ timeout: timeoutMs });
  if ((await progress.getAttribute('data-status')) !== 'error') await tableShowsEnd(page);
  return progress;
}

/**
 * The result views update in tasks of their own, after the progress line: waits until the
 * trials table lists every finished trial and shows none running. (Waiting only for no running
 * row passed on a table not yet drawn: CI read 0 rows of 6 once.)
 */
export async function tableShowsEnd(page: Page): Promise<void> {
  const done = Number(await page.getByTestId('progress').getAttribute('data-done'));
  const table = page.getByTestId('trials-table');
  const shown = async () => {
    if ((await page.locator('[data-testid=trial-row][data-state=RUNNING]').count()) > 0) return false;
    if (done === 0) return true;
    if ((await table.count()) === 0) return false;
    return Number(await table.getAttribute('data-rows')) >= done && (await page.getByTestId('trial-row').count()) > 0;
  };
  await expect.poll(shown).toBe(true);
}

/** Every row of the trials table, by trial id. */
export async function readTrials(page: Page): Promise<TrialSnapshot[]> {
  const rows = await page.getByTestId('trial-row').evaluateAll((trs) =>
    trs.map((tr) => ({
      id: Number(tr.getAttribute('data-trial')),
      state: tr.getAttribute('data-state') ?? '',
      objective: tr.getAttribute('data-objective') ?? '',
      params: JSON.parse(tr.getAttribute('data-params') ?? '{}') as Record<string, number | string>,
    })),
  );
  return rows.sort((a, b) => a.id - b.id);
}

export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await target.screenshot({ path: `${SCREENSHOTS}/${name}.png`, ...('goto' in target ? { fullPage: true } : {}) });
}

/** Runs `work` under a Chromium trace of `page` and returns the page's main-thread tasks meanwhile (wall and CPU time). */
export async function traceTasks<T>(
  browser: Browser,
  page: Page,
  work: () => Promise<T>,
): Promise<{ result: T; tasks: MainThreadTask[] }> {
  await browser.startTracing(page, { categories: TASK_TRACE_CATEGORIES });
  const result = await work();
  const trace = JSON.parse((await browser.stopTracing()).toString()) as {
    traceEvents: Parameters<typeof mainThreadTasks>[0];
  };
  return { result, tasks: mainThreadTasks(trace.traceEvents) };
}

/**
 * Hovers the loss chart's lower right, where the curves end, until the hover line matches
 * `named`. The chart may be rebuilt once more after a study ends (its last render lands in a
 * task of its own), detaching the element hovered: then it hovers the new chart again.
 */
export async function hoverLossCurves(page: Page, named: RegExp): Promise<void> {
  await vi.waitFor(
    async () => {
      const chart = page.getByTestId('loss-curves').locator('.u-over');
      await chart.scrollIntoViewIfNeeded({ timeout: 5_000 });
      const box = await chart.boundingBox();
      if (!box) throw new Error('the loss chart has no box');
      await page.mouse.move(box.x + 2, box.y + 2); // from elsewhere, so a retry moves the mouse again
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.85, { steps: 4 });
      await expect.poll(() => page.getByTestId('curve-hover').textContent(), { timeout: 2_000 }).toMatch(named);
    },
    { timeout: 30_000, interval: 200 },
  );
}
