// The same share link trained in Chromium (the lab's trainer worker, WebGPU) and in Node
// (`tuning-lab run --engine webgpu`, Dawn) on the same SwiftShader: the same trials with the
// same parameters, and bit-identical losses at every report. "The same parameters": equal
// as the f32 the GPU trains with and within one double ulp, not bit-identical yet: Chromium's
// and Node 20's V8 disagree in the last bit of some log-scale draws (Math.exp / Math.log in
// src/search/space.ts), e.g. a learning rate 0.3450331142678906 vs 0.34503311426789063; the
// test counts them.
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import type { StudyEvent } from '../../src/study/events.ts';
import { encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { connectTrainer } from '../../src/worker/client.ts';

/** Six random-search trials of 60 steps on the spiral, three at a time, losses read every 20 steps. */
const study: StudySpec = {
  ...defaultStudy(),
  scheduler: { ...defaultStudy().scheduler, kind: 'random', budget: { kind: 'trials', trials: 6 } },
  parallelism: 3,
  training: { steps: 60, reportEvery: 20 },
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

/** The gap between `x` and the next double away from zero. */
function ulp(x: number): number {
  const bits = new Float64Array([Math.abs(x)]);
  new BigInt64Array(bits.buffer)[0] += 1n;
  return bits[0] - Math.abs(x);
}

async function runInBrowser(spec: StudySpec): Promise<StudyEvent[]> {
  const trainer = connectTrainer();
  const events: StudyEvent[] = [];
  try {
    await trainer.run(spec, (e) => void events.push(e));
    return events;
  } finally {
    trainer.terminate();
  }
}

describe('the same link in Chromium and in the Node runner', () => {
  it('gives the same parameters and bit-identical losses on SwiftShader', async () => {
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
    expect(inBrowser.finished.map((t) => t.state)).toEqual(Array(6).fill('COMPLETE'));
    expect(inBrowser.reports.length).toBe(6); // 2 populations × 3 reports
    let differing = 0;
    inBrowser.reports.forEach((r, i) =>
      r.validationLoss.forEach((v, j) => (differing += Object.is(v, inNode.reports[i]?.validationLoss[j]) ? 0 : 1)),
    );
    console.log(
      `[node vs browser] ${differing} of ${inBrowser.reports.length * study.parallelism} reported validation losses differ`,
    );
    expect(inNode.planned.map((t) => t.id)).toEqual(inBrowser.planned.map((t) => t.id));
    let lastBit = 0;
    inBrowser.planned.forEach(({ params }, i) => {
      const other = inNode.planned[i].params;
      expect(Object.keys(other).sort()).toEqual(Object.keys(params).sort());
      for (const [name, value] of Object.entries(params)) {
        if (Object.is(value, other[name])) continue;
        lastBit++;
        if (typeof value !== 'number' || typeof other[name] !== 'number')
          throw new Error(`${name}: ${value} in Chromium, ${other[name]} in Node`);
        expect(Math.abs(value - other[name]), name).toBeLessThanOrEqual(ulp(value));
        expect(Math.fround(other[name]), name).toBe(Math.fround(value));
      }
    });
    console.log(
      `[node vs browser] ${lastBit} of ${inBrowser.planned.length * Object.keys(inBrowser.planned[0].params).length} parameters differ in their last bit, none as f32`,
    );
    expect(inNode.reports).toEqual(inBrowser.reports);
    expect(inNode.finished).toEqual(inBrowser.finished);
  });
});
