// The export menu in real Chromium: CSV and JSON downloads (their content read back), a JSON
// export imported again to the same study, a damaged file refused with the reason, code
// copied to the clipboard or shown for copying by hand, a chart saved as PNG, all by keyboard.
import Papa from 'papaparse';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import type { DataShape } from '../../src/study/cost.ts';
import type { StudyEvent } from '../../src/study/events.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { foldStudyEvents, type StudyState } from '../../src/study/state.ts';
import '../../src/ui/lab-export-menu.ts';
import type { LabExportMenu, StudyImportedDetail } from '../../src/ui/lab-export-menu.ts';
import '../../src/ui/lab-uplot.ts';

const spec = defaultStudy();
const dataShape: DataShape = { task: 'classification', inputs: 2, outputs: 2, trainCount: 384, validationCount: 128 };
const params = (learningRate: number) => ({
  ...Object.fromEntries(spec.space.map((r) => [r.name, r.default])),
  learningRate,
});

function studyState(): StudyState {
  const f32 = (...v: number[]) => Float32Array.from(v);
  const events: StudyEvent[] = [
    {
      type: 'study-started',
      engine: { kind: 'webgpu', adapter: 'swiftshader (Google)' },
      task: 'classification',
      plannedTrials: 3,
    },
    ...[0, 1, 2].map(
      (id): StudyEvent => ({ type: 'trial-planned', trialId: id, params: params(0.01 * (id + 1)), placement: {} }),
    ),
    {
      type: 'progress',
      step: 10,
      trialIds: Int32Array.from([0, 1, 2]),
      trainLoss: f32(0.7, 0.6, 0.9),
      validationLoss: f32(0.65, 0.55, Number.NaN),
      trainAccuracy: f32(0.5, 0.6, 0.4),
      validationAccuracy: f32(0.55, 0.62, Number.NaN),
    },
    {
      type: 'progress',
      step: 20,
      trialIds: Int32Array.from([0, 1]),
      trainLoss: f32(0.5, 0.4),
      validationLoss: f32(0.45, 0.35),
      trainAccuracy: f32(0.7, 0.8),
      validationAccuracy: f32(0.72, 0.81),
    },
    {
      type: 'trial-finished',
      trialId: 2,
      state: 'DIVERGED',
      objective: Number.NaN,
      steps: 12,
      reason: 'loss exceeded 100x its first value',
    },
    { type: 'trial-finished', trialId: 0, state: 'COMPLETE', objective: 0.45, steps: 20, durationMs: 800 },
    { type: 'trial-finished', trialId: 1, state: 'STOPPED', objective: 0.35, steps: 20, reason: 'stopped by the user' },
    { type: 'importance', shares: { learningRate: 0.8, beta1: 0.2 }, completedTrials: 2 },
    { type: 'study-finished', trials: 3, elapsedMs: 4321, stopped: true },
  ];
  return foldStudyEvents(spec, events);
}

interface Download {
  name: string;
  blob: Blob;
}
let downloads: Download[];

beforeEach(() => {
  downloads = [];
  const blobs = new Map<string, Blob>();
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob as Blob);
    return url;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
  // The <a download> click is where a browser would save the file: record it instead.
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push({ name: this.download, blob: blobs.get(this.href)! });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

async function mount(setup: (el: LabExportMenu) => void = () => {}): Promise<LabExportMenu> {
  const el = document.createElement('lab-export-menu');
  el.state = studyState();
  el.dataShape = dataShape;
  setup(el);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

const button = (el: LabExportMenu, id: string) =>
  el.shadowRoot!.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!;
const text = (el: LabExportMenu, id: string) =>
  el.shadowRoot!.querySelector(`[data-testid="${id}"]`)?.textContent?.trim();

async function press(el: LabExportMenu, id: string): Promise<void> {
  button(el, id).focus();
  await userEvent.keyboard('{Enter}');
  await el.updateComplete;
}

/** Chooses `file` in the import dialog (what the browser does when the user picks it). */
async function choose(el: LabExportMenu, file: File): Promise<void> {
  const input = el.shadowRoot!.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
  const transfer = new DataTransfer();
  transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change'));
}

test('every control is a real button, reachable by keyboard', async () => {
  const el = await mount();
  const controls = [...el.shadowRoot!.querySelectorAll('[data-testid]')].filter(
    (n) => n.tagName !== 'INPUT' && n.tagName !== 'P',
  );
  expect(controls.map((n) => n.tagName)).toEqual(Array(controls.length).fill('BUTTON'));
  expect(controls.map((n) => n.textContent!.trim())).toEqual([
    'CSV',
    'JSON',
    'PyTorch',
    'Keras',
    'optax',
    'Import study JSON…',
  ]);
  expect(text(el, 'export-status')).toBeUndefined();
  expect(el.shadowRoot!.querySelector('.hint')!.textContent).toMatch(
    /legend is page text and is not in the image.*no SVG/s,
  );
});

test("CSV downloads one row per trial with the study's columns", async () => {
  const el = await mount();
  await press(el, 'export-csv');
  expect(downloads).toHaveLength(1);
  const [{ name, blob }] = downloads;
  expect(name).toBe('tuning-lab-spiral-seed1.csv');
  expect(blob.type).toBe('text/csv');
  const parsed = Papa.parse<Record<string, string>>(await blob.text(), { header: true, skipEmptyLines: true });
  expect(parsed.meta.fields?.slice(0, 8)).toEqual([
    'number',
    'state',
    'value',
    'validation_accuracy',
    'steps',
    'duration_s',
    'init_seed',
    'data_seed',
  ]);
  expect(parsed.data.map((r) => [r.number, r.state, r.value, r.partial, r.params_learningRate])).toEqual([
    ['0', 'COMPLETE', '0.45', 'false', '0.01'],
    ['1', 'STOPPED', '0.35', 'true', '0.02'],
    ['2', 'DIVERGED', '', 'false', '0.03'],
  ]);
  expect(text(el, 'export-status')).toBe('Saved 3 trials as CSV.');
});

test('JSON downloads the whole study, and importing it gives the same study back', async () => {
  const el = await mount();
  await press(el, 'export-json');
  const [{ name, blob }] = downloads;
  expect(name).toBe('tuning-lab-spiral-seed1.json');
  expect(blob.type).toBe('application/json');
  const imported = new Promise<StudyImportedDetail>((resolve) =>
    document.body.addEventListener('study-imported', (e) => resolve((e as CustomEvent<StudyImportedDetail>).detail), {
      once: true,
    }),
  );
  await choose(el, new File([await blob.text()], name, { type: 'application/json' }));
  const detail = await imported;
  expect(detail.study.dataShape).toEqual(dataShape);
  expect(detail.study.trials.map((t) => t.id)).toEqual([0, 1, 2]);
  // The data's sizes travel in the file and come back in the state (what code generation needs).
  expect(foldStudyEvents(spec, detail.events)).toEqual({ ...el.state, dataShape });
  await el.updateComplete;
  expect(text(el, 'export-status')).toBe(`Imported ${name}: 3 trials.`);
});

test('a damaged file is refused with its name and the reason, and nothing is imported', async () => {
  const el = await mount();
  const fired = vi.fn();
  document.body.addEventListener('study-imported', fired);
  await choose(el, new File(['{"format": "tuning-lab-study", "version": 1'], 'broken.json'));
  await vi.waitFor(() => expect(text(el, 'export-error')).toMatch(/^broken\.json: The file is not JSON/));
  await choose(
    el,
    new File([JSON.stringify({ format: 'tuning-lab-study', version: 1, trials: 'none' })], 'edited.json'),
  );
  await vi.waitFor(() =>
    expect(text(el, 'export-error')).toMatch(/^edited\.json: This study export is damaged or was edited/),
  );
  expect(el.shadowRoot!.querySelector('[data-testid="export-error"]')!.getAttribute('role')).toBe('alert');
  expect(fired).not.toHaveBeenCalled();
});

test("Copy best writes the best trial's code to the clipboard", async () => {
  const el = await mount();
  const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
  await press(el, 'copy-keras');
  await vi.waitFor(() => expect(text(el, 'export-status')).toBe('Copied trial #1 as Keras code.'));
  expect(writeText).toHaveBeenCalledTimes(1);
  const code = writeText.mock.calls[0][0];
  expect(code).toMatch(/^# Trial #1 of a Tuning Lab study/);
  expect(code).toContain('import keras');
  expect(code).toContain('It was stopped early, so this is a partial result.');
  expect(el.shadowRoot!.querySelector('[data-testid="copy-fallback"]')).toBeNull();
});

test('where the clipboard is refused, the code is shown selected for copying by hand', async () => {
  const el = await mount();
  vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(
    new DOMException('Write permission denied.', 'NotAllowedError'),
  );
  await press(el, 'copy-pytorch');
  const box = await vi.waitFor(() => {
    const found = el.shadowRoot!.querySelector<HTMLTextAreaElement>('[data-testid="copy-fallback"]');
    expect(found).not.toBeNull();
    return found!;
  });
  expect(box.readOnly).toBe(true);
  expect(box.value).toContain('import torch');
  expect(box.value).toContain(
    'optimizer = torch.optim.Adam(model.parameters(), lr=0.02, betas=(0.9, 0.999), eps=1e-8)',
  );
  expect([box.selectionStart, box.selectionEnd]).toEqual([0, box.value.length]);
  expect(text(el, 'export-status')).toBe(
    'The browser did not allow copying. Trial #1 as PyTorch code is below: select it and copy (Ctrl+C).',
  );
});

test("without a best trial or the data's sizes, Copy says why instead of copying", async () => {
  const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
  const noShape = await mount((el) => (el.dataShape = undefined));
  await press(noShape, 'copy-optax');
  expect(text(noShape, 'export-error')).toMatch(/data is not loaded/);
  noShape.remove();
  // A CSV study's shape from its spec alone has no rows (cost.ts dataShapeOf).
  const noRows = await mount((el) => (el.dataShape = { ...dataShape, trainCount: 0 }));
  await press(noRows, 'copy-pytorch');
  expect(text(noRows, 'export-error')).toMatch(/data is not loaded/);
  noRows.remove();
  const empty = await mount((el) => (el.state = foldStudyEvents(spec, [])));
  await press(empty, 'export-csv');
  expect(text(empty, 'export-error')).toBe('There is nothing to export yet: run a study first.');
  expect(writeText).not.toHaveBeenCalled();
  expect(downloads).toHaveLength(0);
});

test('a chart downloads as a PNG of its canvas (plot and axes) on white', async () => {
  const chart = document.createElement('lab-uplot');
  chart.style.width = '400px';
  chart.options = { series: [{}, { stroke: 'red' }], scales: { x: { time: false } } };
  chart.data = [
    [1, 2, 3],
    [3, 1, 2],
  ];
  document.body.append(chart);
  const el = await mount(
    (menu) => (menu.charts = [{ label: 'loss curves', name: 'loss-curves', png: () => chart.png() }]),
  );
  await press(el, 'png-loss-curves');
  await vi.waitFor(() => expect(downloads).toHaveLength(1));
  const [{ name, blob }] = downloads;
  expect(name).toBe('tuning-lab-spiral-seed1-loss-curves.png');
  expect(blob.type).toBe('image/png');
  const canvas = chart.plot!.ctx.canvas;
  const image = await createImageBitmap(blob);
  expect([image.width, image.height]).toEqual([canvas.width, canvas.height]);
  const probe = new OffscreenCanvas(image.width, image.height).getContext('2d')!;
  probe.drawImage(image, 0, 0);
  const pixels = probe.getImageData(0, 0, image.width, image.height).data;
  expect([...pixels.slice(0, 4)]).toEqual([255, 255, 255, 255]); // a corner: the opaque white background
  let dark = 0;
  let red = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] < 100 && pixels[i + 1] < 100 && pixels[i + 2] < 100) dark++; // axis labels and ticks
    if (pixels[i] > 200 && pixels[i + 1] < 80 && pixels[i + 2] < 80) red++; // the series
  }
  expect(dark).toBeGreaterThan(50);
  expect(red).toBeGreaterThan(50);
  expect(text(el, 'export-status')).toBe('Saved the loss curves as PNG.');
});

test('a chart that cannot be saved says why', async () => {
  const el = await mount(
    (menu) =>
      (menu.charts = [
        {
          label: 'loss curves',
          name: 'loss-curves',
          png: () => Promise.reject(new Error('the chart has nothing drawn yet')),
        },
      ]),
  );
  await press(el, 'png-loss-curves');
  await vi.waitFor(() =>
    expect(text(el, 'export-error')).toBe('The loss curves could not be saved: the chart has nothing drawn yet.'),
  );
  expect(downloads).toHaveLength(0);
});
