// The same share link trained in Chromium (the lab's trainer worker, WebGPU) and in Node
// (`tuning-lab run --engine webgpu`, Dawn) on the same SwiftShader: the same trials with
// bit-identical parameters, and bit-identical losses at every report. Parameters are drawn
// with src/search/math.ts, not Math.exp/log/pow/cos, which Chromium's and Node 20's V8 round
// differently (before, 1 of 78 learning rates differed in its last bit). Two studies: random
// search (log and one-minus-log draws) and TPE past its 10 startup trials (Parzen estimators:
// normals, exp/log densities, a pow bandwidth).
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import type { StudyEvent } from '../../src/study/events.ts';
import { encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { connectTrainer } from '../../src/worker/client.ts';

/** Six random-search trials of 60 steps on the spiral, three at a time, losses read every 20 steps. */
const randomStudy: StudySpec = {
  ...defaultStudy(),
  scheduler: { ...defaultStudy().scheduler, kind: 'random', budget: { kind: 'trials', trials: 6 } },
  parallelism: 3,
  training: { steps: 60, reportEvery: 20 },
};
/** Sixteen TPE trials of 20 steps, four at a time: trials 12-15 come from the estimators. */
const tpeStudy: StudySpec = {
  ...defaultStudy(),
  scheduler: { ...defaultStudy().scheduler, kind: 'tpe', budget: { kind: 'trials', trials: 16 } },
  parallelism: 4,
  training: { steps: 20, reportEvery: 20 },
};

/** What must agree bit for bit: each trial's parameters, and every report's losses and accuracies (typed arrays as arrays, as the CLI writes them). */
function comparable(events: readonly StudyEvent[]) {
  const planned = events.flatMap((e) => (e.type === 'trial-planned' ? [{ id: e.trialId, params: e.params }] : []));
  const reports = events.flatMap((e) =>
    e.type === 'progress'
      ? [
          {
            step: e.step,
            trialIds: Array.from(e.trialIds),
            trainLoss: Array.from(e.trainLoss),
            validationLoss: Array.from(e.validationLoss),
            trainAccuracy: Array.from(e.trainAccuracy),
            validationAccuracy: Array.from(e.validationAccuracy),
          },
        ]
      : [],
  );
  const finished = events.flatMap((e) =>
    e.type === 'trial-finished' ? [{ id: e.trialId, state: e.state, objective: e.objective }] : [],
  );
  return { planned, reports, finished };
}

async function runInBrowser(spec: StudySpec): Promise<StudyEvent[]> {
  const trainer = connectTrainer();
  const events: StudyEvent[] = [];
  try {
    // WebGPU by choice: the lab's 'auto' may measure the WASM engine faster on SwiftShader.
    await trainer.run(spec, (e) => void events.push(e), { engine: 'webgpu' });
    return events;
  } finally {
    trainer.terminate();
  }
}

describe('the same link in Chromium and in the Node runner', () => {
  it.each([
    ['random search', randomStudy, 2 * 3],
    ['TPE', tpeStudy, 4],
  ] as const)('%s: bit-identical parameters and losses on SwiftShader', async (_, study, reports) => {
    const link = `https://lab.example/${encodeStudyHash(study)}`;
    const node = await commands.runNodeStudy(link);
    expect(node.stderr).toBe('');
    expect(node.code).toBe(0);
    const nodeEvents = node.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StudyEvent);
    const browserEvents = await runInBrowser(study);

    const engines = [browserEvents[0], nodeEvents[0]].map((e) => (e.type === 'study-started' ? e.engine : undefined));
    console.log(`[node vs browser] browser: ${engines[0]?.adapter}; node: ${engines[1]?.adapter}`);
    for (const engine of engines) expect(engine?.kind).toBe('webgpu');
    for (const engine of engines) expect(engine?.adapter).toMatch(/swiftshader/i);

    const [inBrowser, inNode] = [comparable(browserEvents), comparable(nodeEvents)];
    const trials = study.scheduler.budget.kind === 'trials' ? study.scheduler.budget.trials : 0;
    expect(inBrowser.finished.map((t) => t.state)).toEqual(Array(trials).fill('COMPLETE'));
    expect(inBrowser.reports.length).toBe(reports);
    const parameters = inBrowser.planned.flatMap((t) => Object.values(t.params)).length;
    console.log(
      `[node vs browser] ${inBrowser.planned.length} trials, ${parameters} parameters, ${inBrowser.reports.length * study.parallelism} reported validation losses compared bit for bit`,
    );
    // toEqual compares numbers with Object.is: every bit of every parameter and loss.
    expect(inNode.planned).toEqual(inBrowser.planned);
    expect(inNode.reports).toEqual(inBrowser.reports);
    expect(inNode.finished).toEqual(inBrowser.finished);
  });
});
