// The study library in real IndexedDB (Chromium): a study's journal, appended in batches,
// replays to exactly the state its events fold to; the list is newest first with each
// study's summary; rename and remove; damaged journal records are skipped and counted.
import { deleteDB, openDB } from 'idb';
import { afterEach, expect, test } from 'vitest';
import { newestFirst, openStudyLibrary, type StudyLibrary } from '../../src/study/library.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { bestTrialOf, foldStudyEvents } from '../../src/study/state.ts';
import { syntheticStudyEvents } from './synthetic-events.ts';

const opened: Array<{ library: StudyLibrary; name: string }> = [];
let dbCount = 0;

async function freshLibrary(): Promise<{ library: StudyLibrary; name: string }> {
  const name = `library-test-${Date.now()}-${dbCount++}`;
  const library = await openStudyLibrary(name);
  opened.push({ library, name });
  return { library, name };
}

afterEach(async () => {
  for (const { library, name } of opened.splice(0)) {
    library.close();
    await deleteDB(name);
  }
});

function spec(seed: number, trials = 12): StudySpec {
  const s = defaultStudy();
  s.seed = seed;
  s.scheduler.budget = { kind: 'trials', trials };
  s.training = { steps: 50, reportEvery: 10 };
  return s;
}

test('a journal appended in two batches replays to the state its events fold to', async () => {
  const { library } = await freshLibrary();
  const study = spec(3);
  const events = syntheticStudyEvents(study, { seed: 3, trials: 12, parallelism: 4, reports: 5, stopAfterReports: 2 });
  const id = await library.create(study, 'two batches', 1000);
  const half = Math.floor(events.length / 2);
  await library.append(id, events.slice(0, half), foldStudyEvents(study, events.slice(0, half)), 2000);
  const expected = foldStudyEvents(study, events);
  await library.append(id, events.slice(half), expected, 3000);

  const replay = await library.open(id);
  expect(replay?.skipped).toBe(0);
  expect(replay?.state).toEqual(expected);
  // The fixture exercises what replay must keep: stopped trials with partial results, pruned and diverged ones.
  const states = new Set([...expected.trials.values()].map((t) => t.state));
  expect([...states].sort()).toEqual(['COMPLETE', 'DIVERGED', 'PRUNED', 'STOPPED']);
  expect(replay?.entry).toMatchObject({
    id,
    name: 'two batches',
    createdAt: 1000,
    updatedAt: 3000,
    events: events.length,
    status: 'stopped',
    trials: 12,
    finishedTrials: 12,
  });
  expect(replay?.entry.bestObjective).toBe(bestTrialOf(expected.trials.values())!.objective);
});

test('the list is newest first (by creation) with each study’s summary', async () => {
  const { library } = await freshLibrary();
  const older = await library.create(spec(1), 'older', 1000);
  const newer = await library.create(spec(2), 'newer', 2000);
  const draft = await library.create(spec(4), 'draft', 3000);
  // The older study is written to last (a resume): it keeps its place under its own date.
  const olderEvents = syntheticStudyEvents(spec(1), {
    seed: 1,
    trials: 8,
    parallelism: 4,
    reports: 3,
    engine: { kind: 'webgpu', adapter: 'swiftshader (Google)' },
  });
  const newerEvents = syntheticStudyEvents(spec(2), { seed: 2, trials: 12, parallelism: 4, reports: 3 });
  await library.append(newer, newerEvents, foldStudyEvents(spec(2), newerEvents), 4000);
  await library.append(older, olderEvents, foldStudyEvents(spec(1), olderEvents), 5000);

  const list = await library.list();
  expect(list.map((e) => e.name)).toEqual(['draft', 'newer', 'older']);
  expect(list.map((e) => e.id)).toEqual([draft, newer, older]);
  const olderState = foldStudyEvents(spec(1), olderEvents);
  expect(list[2]).toMatchObject({
    status: 'finished',
    trials: 8,
    finishedTrials: 8,
    engine: 'WebGPU · swiftshader (Google)',
    bestObjective: bestTrialOf(olderState.trials.values())!.objective,
  });
  expect(list[1]).toMatchObject({
    status: 'finished',
    trials: 12,
    finishedTrials: 12,
    engine: 'CPU (TypeScript)',
  });
  expect(list[0]).toMatchObject({ status: 'draft', trials: 0, finishedTrials: 0, events: 0 });
  expect(list[0].bestObjective).toBeUndefined();
  expect(list[0].engine).toBeUndefined();
  // Same creation time: the later id (created after) comes first.
  expect(
    [
      { id: 1, createdAt: 5 },
      { id: 2, createdAt: 5 },
    ]
      .sort(newestFirst)
      .map((e) => e.id),
  ).toEqual([2, 1]);
});

test('rename changes the name only; remove deletes the entry and its journal', async () => {
  const { library, name } = await freshLibrary();
  const study = spec(5);
  const events = syntheticStudyEvents(study, { seed: 5, trials: 4, parallelism: 4, reports: 2 });
  const kept = await library.create(study, 'kept', 1000);
  const gone = await library.create(study, 'gone', 2000);
  await library.append(kept, events, foldStudyEvents(study, events), 3000);
  await library.append(gone, events, foldStudyEvents(study, events), 3000);

  const before = (await library.open(kept))!;
  await library.rename(kept, 'renamed');
  const after = (await library.open(kept))!;
  expect(after.entry).toEqual({ ...before.entry, name: 'renamed' });
  expect(after.state).toEqual(before.state);

  await library.remove(gone);
  expect(await library.open(gone)).toBeUndefined();
  expect((await library.list()).map((e) => e.id)).toEqual([kept]);
  const db = await openDB(name);
  const journalKeys = (await db.getAllKeys('journal')) as Array<[number, number]>;
  db.close();
  expect(journalKeys.length).toBe(events.length);
  expect(journalKeys.every(([studyId]) => studyId === kept)).toBe(true);
});

test('damaged journal records are skipped and counted; the rest replays', async () => {
  const { library, name } = await freshLibrary();
  const study = spec(6);
  const events = syntheticStudyEvents(study, { seed: 6, trials: 8, parallelism: 4, reports: 3 });
  const id = await library.create(study, 'damaged', 1000);
  await library.append(id, events, foldStudyEvents(study, events), 2000);
  // Records a later version wrote, and one whose event was lost, after the good ones.
  const db = await openDB(name);
  await db.put('journal', {
    studyId: id,
    seq: events.length,
    v: 999,
    event: { type: 'study-error', message: 'from the future' },
  });
  await db.put('journal', { studyId: id, seq: events.length + 1, v: 1, event: null });
  db.close();

  const replay = (await library.open(id))!;
  expect(replay.skipped).toBe(2);
  expect(replay.state).toEqual(foldStudyEvents(study, events));
  expect(replay.state.status).toBe('finished');
});

test('figure: a library of 200 studies × 100 trials lists and opens', async () => {
  const { library } = await freshLibrary();
  const study = spec(7, 100);
  let fill = performance.now();
  let records = 0;
  for (let i = 0; i < 200; i++) {
    const events = syntheticStudyEvents(study, { seed: i, trials: 100, parallelism: 20, reports: 4 });
    const id = await library.create(study, `study ${i}`, 1000 + i);
    await library.append(id, events, foldStudyEvents(study, events), 1000 + i);
    records += events.length;
  }
  fill = performance.now() - fill;

  let t = performance.now();
  const list = await library.list();
  const listMs = performance.now() - t;
  t = performance.now();
  await library.list();
  const listAgainMs = performance.now() - t;
  t = performance.now();
  const one = (await library.open(list[100].id))!;
  const openMs = performance.now() - t;

  expect(list).toHaveLength(200);
  expect(list[0].name).toBe('study 199');
  expect(one.state.trials.size).toBe(100);
  expect(one.state.finishOrder).toHaveLength(100);
  console.log(
    `[library] list of 200 studies in ${listMs.toFixed(1)} ms (again: ${listAgainMs.toFixed(1)} ms); open one 100-trial study in ${openMs.toFixed(1)} ms (${records} journal records written in ${(fill / 1000).toFixed(1)} s)`,
  );
});
