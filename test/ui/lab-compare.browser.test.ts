// The compare view of two studies folded from their events: the overlaid best-so-far curves
// are the running minimum of the results (worked out here from the events alone, not through
// state.ts), and the table shows each study's best trial's parameters.
import { afterEach, expect, test } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { defaultStudy, type StudySpec, type TrialParams } from '../../src/study/spec.ts';
import { foldStudyEvents } from '../../src/study/state.ts';
import '../../src/ui/lab-compare.ts';
import { type ComparedStudy, distinctNames, type LabCompare } from '../../src/ui/lab-compare.ts';
import type { LabUplot } from '../../src/ui/lab-uplot.ts';
import { formatValue, PARAM_LABELS } from '../../src/ui/styles.ts';
import { syntheticStudyEvents } from '../study/synthetic-events.ts';

function spec(seed: number, searched: string[]): StudySpec {
  const s = defaultStudy();
  s.seed = seed;
  s.space = s.space.map((row) => ({ ...row, enabled: searched.includes(row.name) }));
  s.training = { steps: 40, reportEvery: 10 };
  return s;
}

/** Independently of state.ts: the running minimum over complete and stopped results, and the trial that set it (earlier wins ties). */
function expectedFromEvents(events: StudyEvent[]): { curve: (number | null)[]; bestParams: TrialParams } {
  const params = new Map<number, TrialParams>();
  const curve: (number | null)[] = [];
  let best: { objective: number; id: number } | undefined;
  for (const e of events) {
    if (e.type === 'trial-planned') params.set(e.trialId, e.params);
    if (e.type !== 'trial-finished') continue;
    if (
      (e.state === 'COMPLETE' || e.state === 'STOPPED') &&
      Number.isFinite(e.objective) &&
      (!best || e.objective < best.objective)
    )
      best = { objective: e.objective, id: e.trialId };
    curve.push(best ? best.objective : null);
  }
  return { curve, bestParams: params.get(best!.id)! };
}

const specA = spec(11, ['learningRate', 'beta1']);
const specB = spec(17, ['learningRate', 'batchSize', 'hiddenUnits']);
// A finished 24-trial study, and a 14-trial one stopped during its last population, whose best
// is one of the stopped trials (a partial result, seed picked for that).
const eventsA = syntheticStudyEvents(specA, { seed: 11, trials: 24, parallelism: 8, reports: 4 });
const eventsB = syntheticStudyEvents(specB, {
  seed: 17,
  trials: 14,
  parallelism: 4,
  reports: 4,
  stopAfterReports: 3,
  engine: { kind: 'webgpu', adapter: 'swiftshader (Google)' },
});
const STUDIES: ComparedStudy[] = [
  { id: 7, name: 'adam sweep', state: foldStudyEvents(specA, eventsA) },
  { id: 9, name: 'sizes', state: foldStudyEvents(specB, eventsB) },
];

async function mount(studies = STUDIES): Promise<LabCompare> {
  const el = document.createElement('lab-compare');
  el.style.width = '700px';
  el.studies = studies;
  document.body.append(el);
  await el.updateComplete;
  const chart = el.shadowRoot!.querySelector<LabUplot>('lab-uplot')!;
  await chart.updateComplete;
  await chart.chartReady();
  return el;
}

const cell = (el: LabCompare, table: string, study: number, row: string) =>
  el
    .shadowRoot!.querySelector(`[data-testid="${table}"] td[data-study="${study}"][data-row="${row}"]`)
    ?.textContent?.trim();

afterEach(() => document.body.replaceChildren());

test('the overlaid curves are each study’s running minimum of results, one named series per study', async () => {
  const el = await mount();
  const plot = el.shadowRoot!.querySelector<LabUplot>('lab-uplot')!.plot!;
  const a = expectedFromEvents(eventsA);
  const b = expectedFromEvents(eventsB);
  // The stopped trials count in B: its best so far falls on one of them (the last population's).
  const stateB = STUDIES[1].state;
  expect(stateB.trials.get(stateB.finishOrder.at(-1)!)!.state).toBe('STOPPED');
  expect(b.curve[13]!).toBeLessThan(b.curve[11]!);
  expect(a.curve).toHaveLength(24);
  expect(b.curve).toHaveLength(14);
  expect(plot.data[0]).toEqual(Array.from({ length: 24 }, (_, k) => k + 1));
  expect(plot.data[1]).toEqual(a.curve);
  // The shorter study ends where its trials end.
  expect(plot.data[2]).toEqual([...b.curve, ...Array(10).fill(null)]);
  expect(plot.series.slice(1).map((s) => s.label)).toEqual(['adam sweep', 'sizes']);
  expect(plot.scales.y.distr).toBe(3);
});

test('the table shows each study’s best configuration, its loss, accuracy, trials and engine', async () => {
  const el = await mount();
  const rows = [...el.shadowRoot!.querySelectorAll('[data-testid="compare-best"] tbody th')].map((th) =>
    th.textContent!.trim(),
  );
  // Searched in either study, then the summary rows.
  expect(rows).toEqual([
    ...['learningRate', 'beta1', 'batchSize', 'hiddenUnits'].map((n) => PARAM_LABELS[n]),
    'best validation loss',
    'its validation accuracy',
    'trials finished',
    'engine',
  ]);
  for (const [study, events] of [
    [STUDIES[0], eventsA],
    [STUDIES[1], eventsB],
  ] as const) {
    const { bestParams, curve } = expectedFromEvents(events);
    for (const name of ['learningRate', 'beta1', 'batchSize', 'hiddenUnits']) {
      const searched = study.state.spec.space.some((r) => r.name === name && r.enabled);
      expect(cell(el, 'compare-best', study.id, name)).toBe(
        `${formatValue(bestParams[name])}${searched ? '' : ' (fixed)'}`,
      );
    }
    expect(cell(el, 'compare-best', study.id, 'objective')).toMatch(new RegExp(`^${formatValue(curve.at(-1)!)}`));
  }
  expect(cell(el, 'compare-best', 9, 'objective')).toMatch(/\(partial: stopped\)$/);
  expect(cell(el, 'compare-best', 7, 'trials')).toBe('24 / 16');
  expect(cell(el, 'compare-best', 9, 'engine')).toBe('WebGPU · swiftshader (Google)');
  expect(cell(el, 'compare-best', 7, 'engine')).toBe('CPU (TypeScript)');
  expect(Number(cell(el, 'compare-best', 7, 'accuracy'))).toBeGreaterThan(0);
});

test('importance side by side: shares as percentages, a dash where a study did not search it', async () => {
  const el = await mount();
  const shares = (i: number) => STUDIES[i].state.importance!.shares;
  expect(cell(el, 'compare-importance', 7, 'beta1')).toBe(`${Math.round(shares(0).beta1 * 100)}%`);
  expect(cell(el, 'compare-importance', 9, 'beta1')).toBe('—');
  expect(cell(el, 'compare-importance', 9, 'hiddenUnits')).toBe(`${Math.round(shares(1).hiddenUnits * 100)}%`);
  expect(cell(el, 'compare-importance', 7, 'hiddenUnits')).toBe('—');
});

test('studies of the same name are told apart by seed, then by place, in the headers and the series', async () => {
  const same = (name: string, i: number): ComparedStudy => ({ ...STUDIES[i], id: 20 + i, name });
  const withSeed = (study: ComparedStudy, seed: number): ComparedStudy => ({
    ...study,
    state: { ...study.state, spec: { ...study.state.spec, seed } },
  });
  const studies = [
    same('auto on spiral', 0),
    same('auto on spiral', 1),
    withSeed(same('auto on spiral', 0), 17),
    same('sizes', 1),
  ];
  expect(distinctNames(studies)).toEqual([
    'auto on spiral · seed 11',
    'auto on spiral · seed 17 · 2 of 4',
    'auto on spiral · seed 17 · 3 of 4',
    'sizes',
  ]);
  const el = await mount(studies);
  const headers = [...el.shadowRoot!.querySelectorAll('[data-testid="compare-best"] thead th')].map((th) =>
    th.textContent!.trim(),
  );
  expect(headers.slice(1)).toEqual(distinctNames(studies));
  const plot = el.shadowRoot!.querySelector<LabUplot>('lab-uplot')!.plot!;
  expect(plot.series.slice(1).map((s) => s.label)).toEqual(distinctNames(studies));
});

test('Close asks the page to close the comparison', async () => {
  const el = await mount();
  let closed = 0;
  document.body.addEventListener('close-compare', () => closed++, { once: true });
  el.shadowRoot!.querySelector<HTMLButtonElement>('[data-testid="close-compare"]')!.click();
  expect(closed).toBe(1);
});
