// The result views as a user explores one finished study: selecting a trial anywhere selects
// it everywhere (its row, its curve, its point, its boundary and configuration) and drafts a
// new study around it. Each test runs the 16-trial default study at 100 steps (about 15 s on
// SwiftShader): useLabBrowser closes every page after each test. And, while a study trains, the
// boundary card follows the best trial live.
import type { Page } from 'playwright';
import { describe, expect, inject, test, vi } from 'vitest';
import { describeLongTasks } from '../main-thread-tasks.ts';
import {
  hoverLossCurves,
  openLab,
  readTrials,
  runStudy,
  screenshot,
  setField,
  type TrialSnapshot,
  tableShowsEnd,
  traceTasks,
  useLabBrowser,
} from './lab-page.ts';

const shared = useLabBrowser();
const RUN_TIMEOUT_MS = 240_000;

/** The lab showing the default study (or with batch size searched too), finished, at 100 steps per trial; and its trials. */
async function finishedStudy(searchBatchSize = false): Promise<{ page: Page; trials: TrialSnapshot[] }> {
  const { page } = await openLab(shared.browser, inject('labUrl'));
  await setField(page, 'steps', 100);
  if (searchBatchSize) await page.getByLabel('search batch size').check();
  await runStudy(page, RUN_TIMEOUT_MS);
  return { page, trials: await readTrials(page) };
}

/** The loss chart's series of trial `id`'s validation curve: its stroke and width as drawn. */
function curveStyle(page: Page, id: number) {
  return page.locator('lab-loss-curves lab-uplot').evaluate((el, label) => {
    const plot = (
      el as unknown as { plot?: { series: Array<{ label?: string; stroke?: () => string; width?: number }> } }
    ).plot;
    const series = plot?.series.find((s) => s.label === label);
    return series ? { stroke: series.stroke?.(), width: series.width } : undefined;
  }, `validation #${id}`);
}

describe('a finished study, explored', () => {
  test('clicking a row selects its trial everywhere: its row, its curve (red, thick), its point, its boundary and configuration', async () => {
    const { page, trials } = await finishedStudy();
    const bestId = Number(await page.locator('[data-testid=trial-row].best').getAttribute('data-trial'));
    const other = trials.find((t) => t.state === 'COMPLETE' && t.id !== bestId)!;
    const row = page.locator(`[data-testid=trial-row][data-trial="${other.id}"]`);
    await row.click();
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => curveStyle(page, other.id)).toEqual({ stroke: '#e63946', width: 3 });
    expect((await curveStyle(page, bestId))?.stroke).not.toBe('#e63946');
    // The scatter's selected series holds exactly one point, at this trial's objective.
    const selectedPoints = await page
      .locator('lab-param-scatter lab-uplot')
      .first()
      .evaluate((el) => {
        const data = (el as unknown as { data: Array<Array<number | null>> }).data;
        return data[4].filter((y) => y !== null);
      });
    expect(selectedPoints).toEqual([Number(other.objective)]);
    // Its boundary: trained again in a worker from its seeds, then drawn.
    const boundary = page.locator(`[data-testid=decision-boundary][data-drawn="${other.id}"]`);
    await boundary.waitFor({ timeout: 60_000 });
    await expect(page.locator('lab-decision-boundary h2').textContent()).resolves.toBe(
      `Decision boundary of the selected trial (#${other.id})`,
    );
    const detail = page.getByTestId('trial-detail');
    await expect(detail.getAttribute('data-trial')).resolves.toBe(String(other.id));
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('learning rate α');
    expect(text).toContain('(searched)');
    expect(text).toContain('hidden units'); // a fixed hyperparameter is listed too
    await screenshot(page.locator('lab-decision-boundary'), 'decision-boundary-selected');
    await screenshot(page.locator('lab-trial-detail'), 'trial-detail');

    await page.getByTestId('clear-selection').click();
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('false');
    await expect(page.getByTestId('trial-detail-empty').count()).resolves.toBe(1);
  });

  test('clicking a curve selects the trial it names', async () => {
    const { page } = await finishedStudy();
    // The chart's last data can land after the study ends and move the curves under the mouse
    // (the hover then names another trial): hover and click again until the click selects the
    // trial named when it was made.
    let hovered = '';
    await vi.waitFor(
      async () => {
        await hoverLossCurves(page, /trial #\d+/);
        hovered = ((await page.getByTestId('curve-hover').textContent()) ?? '').match(/trial #(\d+)/)![1];
        await page.mouse.down();
        await page.mouse.up();
        await expect
          .poll(() => page.getByTestId('trial-detail').getAttribute('data-trial'), { timeout: 3_000 })
          .toBe(hovered);
      },
      { timeout: 60_000, interval: 200 },
    );
    await expect.poll(() => curveStyle(page, Number(hovered))).toEqual({ stroke: '#e63946', width: 3 });
    await expect(
      page.locator(`[data-testid=trial-row][data-trial="${hovered}"]`).getAttribute('aria-selected'),
    ).resolves.toBe('true');
  });

  test('"Run a new study from this trial" drafts a study around it in the editor', async () => {
    const { page, trials } = await finishedStudy();
    const complete = trials.find((t) => t.state === 'COMPLETE')!;
    await page.locator(`[data-testid=trial-row][data-trial="${complete.id}"]`).click();
    await page.getByTestId('study-from-trial').click();
    await expect(page.getByTestId('draft-notice').textContent()).resolves.toContain(`around trial #${complete.id}`);
    const lr = Number(complete.params.learningRate);
    const low = Number(await page.getByLabel('learning rate α low').inputValue());
    const high = Number(await page.getByLabel('learning rate α high').inputValue());
    // Half of the log axis [1e-4, 1] centred on the trial (slid inside the range at its ends).
    expect(Math.log10(high) - Math.log10(low)).toBeCloseTo(2, 2);
    expect(low).toBeLessThanOrEqual(lr * 1.0001);
    expect(high).toBeGreaterThanOrEqual(lr * 0.9999);
    await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(true);
  });

  test('brushing the learning rate axis of the parallel coordinates filters the table and fades the other curves', async () => {
    const { page, trials } = await finishedStudy();
    const canvas = page.getByTestId('parallel-coords');
    await canvas.scrollIntoViewIfNeeded();
    await expect
      .poll(() => canvas.getAttribute('data-lines'))
      .toBe(String(trials.filter((t) => Number(t.objective) > 0).length));
    await screenshot(page.locator('lab-parallel-coords'), 'parallel-coords');
    const box = (await canvas.boundingBox())!;
    // The first axis (learning rate, log over [1e-4, 1]) sits 56 px in; its unit axis spans y 34…264.
    const x = box.x + 56;
    const yAt = (u: number) => box.y + 34 + (1 - u) * 230;
    await page.mouse.move(x, yAt(0.75));
    await page.mouse.down();
    await page.mouse.move(x, yAt(0.5), { steps: 3 });
    await page.mouse.move(x, yAt(0.25), { steps: 3 });
    await page.mouse.up();
    // Inside [0.25, 0.75] of the axis: learning rates 1e-3…1e-1.
    const inside = trials.filter((t) => Math.abs(Math.log10(Number(t.params.learningRate)) + 2) <= 1).map((t) => t.id);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.length).toBeLessThan(trials.length);
    await expect
      .poll(() => page.getByTestId('table-filtered').textContent())
      .toContain(`${inside.length} of ${trials.length} trials`);
    const rows = await page
      .getByTestId('trial-row')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-trial'))));
    expect(rows.sort((a, b) => a - b)).toEqual(inside);
    await expect(page.getByTestId('clear-brush').textContent()).resolves.toMatch(/learning rate α: 0\.001 – 0\.1/);
    const outside = trials.find((t) => !inside.includes(t.id))!;
    await expect.poll(() => curveStyle(page, outside.id)).toEqual({ stroke: 'rgba(140,150,160,0.12)', width: 1.6 });
    expect((await curveStyle(page, inside[0]))?.stroke).not.toBe('rgba(140,150,160,0.12)');
    await screenshot(page.locator('lab-parallel-coords'), 'parallel-coords-brushed');
    // Clearing the brush brings every trial back.
    await page.getByTestId('clear-brush').click();
    await expect.poll(() => page.getByTestId('trial-row').count()).toBe(trials.length);
    await expect(page.getByTestId('table-filtered').count()).resolves.toBe(0);
  });

  test('the contour draws the validation loss over two chosen hyperparameters, trials as points', async () => {
    const { page, trials } = await finishedStudy(true);
    const contour = page.getByTestId('contour');
    await contour.scrollIntoViewIfNeeded();
    await page.getByTestId('contour-x').selectOption('batchSize');
    await page.getByTestId('contour-y').selectOption('learningRate');
    await expect.poll(() => contour.getAttribute('data-axes')).toBe('batchSize,learningRate');
    const results = trials.filter((t) => Number(t.objective) > 0);
    await expect(contour.getAttribute('data-points')).resolves.toBe(String(results.length));
    // The heat map is painted: the plot's centre is opaque, and not one flat colour across the plot.
    const painted = await contour.evaluate((el) => {
      const canvas = el as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const r = window.devicePixelRatio || 1;
      const px = (x: number, y: number) =>
        Array.from(ctx.getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data);
      const w = canvas.clientWidth;
      const samples = [0.1, 0.3, 0.5, 0.7, 0.9].flatMap((fx) =>
        [0.2, 0.5, 0.8].map((fy) => px(60 + fx * (w - 72), 10 + fy * 270)),
      );
      return { centre: px(60 + 0.5 * (w - 72), 145), distinct: new Set(samples.map((p) => p.join())).size };
    });
    expect(painted.centre[3]).toBeGreaterThan(0);
    expect(painted.distinct).toBeGreaterThan(3);
    await screenshot(page.locator('lab-contour'), 'contour');
  });
});

describe('a study while it trains', () => {
  test('the boundary card follows the best trial live, its step growing while the study runs; once it ends the kept model takes over', async () => {
    const { page } = await openLab(shared.browser, inject('labUrl'));
    await setField(page, 'steps', 5000);
    // The TypeScript CPU engine reports often (Stop then ends the population at its next report and
    // keeps its best model) and leaves the page a core: the WASM engine's threads take every one.
    await page.getByTestId('engine-choice').selectOption('cpu');
    const progress = page.getByTestId('progress');
    const canvas = page.getByTestId('decision-boundary');
    // The step drawn live, NaN while none is; once the study is no longer running (a trainer lost
    // on a starved machine, say) the poll's error says so.
    const liveStep = async () => {
      const status = await progress.getAttribute('data-status');
      if (status !== 'running')
        throw new Error(`the study is ${status}: ${await page.getByTestId('progress').textContent()}`);
      return Number((await canvas.getAttribute('data-live-step', { timeout: 1000 }).catch(() => null)) ?? Number.NaN);
    };
    const { result, tasks } = await traceTasks(shared.browser, page, async () => {
      await page.getByTestId('run').click();
      await page.locator('[data-testid=decision-boundary][data-live-step]').waitFor({ timeout: RUN_TIMEOUT_MS });
      const first = await liveStep();
      await expect.poll(liveStep, { timeout: RUN_TIMEOUT_MS }).toBeGreaterThan(first);
      const seen = {
        first,
        later: await liveStep(),
        status: await progress.getAttribute('data-status'),
        caption: await page.getByTestId('boundary-caption').textContent(),
      };
      await screenshot(page.locator('lab-decision-boundary'), 'decision-boundary-live');
      return seen;
    });
    console.log(
      `[live boundary] drawn at step ${result.first}, then ${result.later}, while ${result.status}; main-thread tasks ${describeLongTasks(tasks)} (goal: none over 50 ms)`,
    );
    expect(result.status).toBe('running');
    expect(result.caption).toMatch(/^Best so far: trial #\d+ at step \d+ \(live\)$/);
    // Stopping ends it now (it may have finished meanwhile on a busy machine).
    if ((await progress.getAttribute('data-status')) === 'running') await page.getByTestId('stop').click();
    await progress
      .and(page.locator('[data-status=stopped], [data-status=finished]'))
      .waitFor({ timeout: RUN_TIMEOUT_MS });
    await tableShowsEnd(page);
    const bestId = await page.locator('[data-testid=trial-row].best').getAttribute('data-trial');
    await expect.poll(() => canvas.getAttribute('data-drawn')).toBe(bestId);
    await expect(canvas.getAttribute('data-live-step')).resolves.toBeNull();
    await expect(page.getByTestId('boundary-caption').count()).resolves.toBe(0);
  });
});
