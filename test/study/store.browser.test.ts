import { deleteDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeStudyHash } from '../../src/study/link.ts';
import type { StudyResult } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { openStudyStore } from '../../src/study/store.ts';

const DB = 'tuning-lab-store-test';
afterEach(() => deleteDB(DB));

function result(seed: number, objectives: number[]): StudyResult {
  const spec = { ...defaultStudy(), seed };
  return {
    spec,
    engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' },
    task: 'classification',
    trials: objectives.map((objective, id) => ({
      id,
      params: { learningRate: 0.01 * (id + 1) },
      placement: {},
      state: Number.isNaN(objective) ? 'DIVERGED' : 'COMPLETE',
      objective,
      steps: 300,
      curve: { step: [150, 300], trainLoss: [1, objective], validationLoss: [1.1, objective], trainAccuracy: [0.5, 0.9], validationAccuracy: [0.5, 0.8] },
    })),
    bestTrialId: objectives.indexOf(Math.min(...objectives.filter((o) => !Number.isNaN(o)))),
    elapsedMs: 1234,
    stopped: false,
  };
}

describe('study store (IndexedDB)', () => {
  it('saves, lists newest first, reopens with its link, and removes', async () => {
    const store = await openStudyStore(DB);
    const first = await store.save(result(1, [0.5, 0.2, Number.NaN]), 1000);
    const second = await store.save(result(2, [0.7]), 2000);
    expect(await store.list()).toEqual([
      { id: second, savedAt: 2000, hash: expect.stringMatching(/^#study=v1\./), trials: 1, bestObjective: 0.7, engine: 'CPU (TypeScript)' },
      { id: first, savedAt: 1000, hash: expect.stringMatching(/^#study=v1\./), trials: 3, bestObjective: 0.2, engine: 'CPU (TypeScript)' },
    ]);
    const stored = await store.get(first);
    expect(stored?.result).toEqual(result(1, [0.5, 0.2, Number.NaN]));
    expect(decodeStudyHash(stored?.hash ?? '')).toEqual({ ok: true, spec: { ...defaultStudy(), seed: 1 } });
    await store.remove(first);
    expect((await store.list()).map((s) => s.id)).toEqual([second]);
    store.close();
  });
});
