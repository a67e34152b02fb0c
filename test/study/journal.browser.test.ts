import { deleteDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { StudyJournal } from '../../src/study/journal.ts';
import { openStudyLibrary, type StudyLibrary } from '../../src/study/library.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { applyStudyEvent, initialStudyState } from '../../src/study/state.ts';
import { connectTrainer } from '../../src/worker/client.ts';

const DB = 'tuning-lab-journal-test';
afterEach(() => deleteDB(DB));

describe('study journal', () => {
  it('journals a 256-trial study on the real worker as it runs; the reopened study equals the live one (cost figure logged)', async () => {
    const spec = defaultStudy();
    spec.scheduler.budget = { kind: 'trials', trials: 256 };
    spec.parallelism = 64;
    spec.training = { steps: 100, reportEvery: 10 };
    const library = await openStudyLibrary(DB);
    let appendMs = 0;
    let transactions = 0;
    const timed: StudyLibrary = {
      ...library,
      async append(...args) {
        const start = performance.now();
        try {
          await library.append(...args);
        } finally {
          appendMs += performance.now() - start;
          transactions++;
        }
      },
    };
    const id = await library.create(spec, 'journal cost');
    const faults: string[] = [];
    const journal = new StudyJournal(timed, id, (message) => faults.push(message));
    /** Runs the study in a fresh worker, folding (and, given a journal, journaling) as the page does. */
    const runStudy = async (journaled?: StudyJournal) => {
      let state = initialStudyState(spec);
      let events = 0;
      const trainer = connectTrainer();
      const start = performance.now();
      try {
        // Both runs on WebGPU: 'auto' picks the engine by timing, and the runs must be bit-identical.
        await trainer.run(
          spec,
          (event) => {
            state = applyStudyEvent(state, event);
            journaled?.record(event, state);
            events++;
          },
          { engine: 'webgpu' },
        );
        await journaled?.flush();
      } finally {
        trainer.terminate();
      }
      return { state, events, ms: performance.now() - start };
    };
    let plain: Awaited<ReturnType<typeof runStudy>>;
    let journaled: Awaited<ReturnType<typeof runStudy>>;
    try {
      plain = await runStudy();
      journaled = await runStudy(journal);
    } finally {
      library.close(); // an open connection would block the database's deletion
    }
    const { state, events, ms: studyMs } = journaled;
    console.log(
      `[journal] 256-trial study on ${state.engine?.adapter}: ${events} events in ${transactions} transactions; the study took ${(studyMs / 1000).toFixed(1)} s journaled, ${(plain.ms / 1000).toFixed(1)} s not (${(100 * (studyMs / plain.ms - 1)).toFixed(1)}%); ${appendMs.toFixed(0)} ms in appends = ${((100 * appendMs) / studyMs).toFixed(1)}% of the study (goal < 5%; appends overlap training, so this bounds the cost from above)`,
    );
    // Same study, same trials: only the wall times differ between the two runs.
    const withoutTimes = ({ elapsedMs: _, trials, ...rest }: typeof state) => ({
      ...rest,
      trials: [...trials.values()].map(({ durationMs: _d, ...t }) => t),
    });
    expect(withoutTimes(plain.state)).toEqual(withoutTimes(state));
    expect(faults).toEqual([]);
    expect(state.status).toBe('finished');
    expect(state.trials.size).toBe(256);
    const reader = await openStudyLibrary(DB);
    const reopened = await reader.open(id);
    reader.close();
    expect(reopened?.skipped).toBe(0);
    expect(reopened?.state).toEqual(state);
    expect(reopened?.entry).toMatchObject({ status: 'finished', trials: 256, finishedTrials: 256, events });
  });
});
