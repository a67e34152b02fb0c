// The study runner on the real GPU engine, its device destroyed in the middle of a population:
// no trial fails, the interrupted trials start again on the CPU engine, and their curves are
// those of a CPU-only run of the same spec, bit for bit (same seeds, same engine). Under
// population-based training too: the restarted population copies and streams its live best
// models on the CPU engine as a CPU-only run does.
import { expect, it } from 'vitest';
import type { LiveBest, StudyEvent } from '../../../src/study/events.ts';
import { StudyRunner } from '../../../src/study/runner.ts';
import { defaultStudy, type StudySpec } from '../../../src/study/spec.ts';
import type { StudyState } from '../../../src/study/state.ts';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import { makeDataset } from '../../../src/train/data/synthetic.ts';
import { createGpuEngine } from '../../../src/train/gpu/engine.ts';
import type { TrainingEngine } from '../../../src/train/types.ts';
import { destroyDuringReadBack, relativeError, requestTestDevice } from './gpu-test-device.ts';

const spec: StudySpec = {
  ...defaultStudy(),
  data: { kind: 'synthetic', name: 'spiral', count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 },
  scheduler: { ...defaultStudy().scheduler, budget: { kind: 'trials', trials: 6 } },
  training: { steps: 60, reportEvery: 10 },
  // Two populations of three: the first finishes on the GPU, the second is interrupted.
  parallelism: 3,
  seed: 31,
};
const data = makeDataset('spiral', { count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 });

async function run(
  engine: TrainingEngine,
  onEvent: (event: StudyEvent) => void = () => undefined,
): Promise<StudyState> {
  return new StudyRunner({ spec, data, engine, onEvent, cpuFallback: createCpuEngine }).run();
}

/** Population-based training: two populations of four, exploits every 20 steps (a quarter, one trial, copies). */
const pbtSpec: StudySpec = {
  ...spec,
  scheduler: { ...spec.scheduler, kind: 'pbt', budget: { kind: 'trials', trials: 8 }, pbtInterval: 20 },
  training: { steps: 80, reportEvery: 10 },
  parallelism: 4,
  seed: 21,
};

type LogEntry = StudyEvent | { live: LiveBest };

/** Runs `pbtSpec` with its events and live best models in one log, in the order the runner sent them. */
async function runPbt(
  engine: TrainingEngine,
  onEntry: (entry: LogEntry) => void = () => undefined,
): Promise<{ state: StudyState; log: LogEntry[] }> {
  const log: LogEntry[] = [];
  const record = (entry: LogEntry) => {
    log.push(entry);
    onEntry(entry);
  };
  let now = 0;
  const state = await new StudyRunner({
    spec: pbtSpec,
    data,
    engine,
    onEvent: record,
    onLiveBest: (live) => record({ live }),
    cpuFallback: createCpuEngine,
    clock: () => (now += 1000), // every report is past the live models' 500 ms spacing
  }).run();
  return { state, log };
}

it('moves a study whose device is destroyed mid-population to the CPU engine: no trial fails, the restarted ones match a CPU-only run bit for bit', async () => {
  const secondPopulation = new Set([3, 4, 5]);
  const device = await requestTestDevice();
  // Read-backs 1-7 are the first population's (6 reports, then its parameters); 9 is the
  // second population's report at step 20, lost while its map is pending.
  destroyDuringReadBack(device, 9);
  const gpu = await createGpuEngine({ device });
  const events: StudyEvent[] = [];
  const afterLoss = await run(gpu, (event) => events.push(event));
  gpu.dispose();
  const cpuOnly = await run(createCpuEngine());

  // The second population reported step 10 from the GPU, then everything again from the CPU.
  const secondPopulationSteps = events.flatMap((e) =>
    e.type === 'progress' && secondPopulation.has(e.trialIds[0]) ? [e.step] : [],
  );
  expect(secondPopulationSteps).toEqual([10, 10, 20, 30, 40, 50, 60]);
  const changed = events.filter((e) => e.type === 'engine-changed');
  expect(changed).toHaveLength(1);
  expect(changed[0]).toMatchObject({ engine: { kind: 'cpu' }, restartedTrialIds: [3, 4, 5] });
  expect((changed[0] as { notice: string }).notice).toMatch(/GPU device was lost.*destroyed/);
  expect([...afterLoss.trials.values()].map((t) => t.state)).toEqual(Array<string>(6).fill('COMPLETE'));
  for (const [id, trial] of afterLoss.trials) {
    const reference = cpuOnly.trials.get(id)!;
    expect(trial.params).toEqual(reference.params);
    if (secondPopulation.has(id)) {
      // Restarted from step 0 on the CPU engine: the CPU-only run's curve exactly.
      expect(trial.curve).toEqual(reference.curve);
      expect(trial.objective).toBe(reference.objective);
    } else {
      // Trained on the GPU before the loss: the CPU's curve within float32 reordering.
      expect(relativeError(trial.curve.validationLoss, reference.curve.validationLoss).relative).toBeLessThanOrEqual(
        1e-3,
      );
    }
  }
});

it('moves a population-based study whose device is destroyed mid-population to the CPU engine: the restarted population copies and streams live models there as a CPU-only run does', async () => {
  const secondPopulation = new Set([4, 5, 6, 7]);
  const device = await requestTestDevice();
  const gpu = await createGpuEngine({ device });
  // Destroyed once the second population's best streams live (step 20, after its first exploit),
  // so a live model of a trial about to restart is on screen when the device is lost.
  const afterLoss = await runPbt(gpu, (entry) => {
    if ('live' in entry && entry.live && 'trialId' in entry.live && secondPopulation.has(entry.live.trialId))
      device.destroy();
  });
  gpu.dispose();
  const cpuOnly = await runPbt(createCpuEngine());

  const changed = afterLoss.log.findIndex((e) => 'type' in e && e.type === 'engine-changed');
  expect(afterLoss.log[changed]).toMatchObject({ engine: { kind: 'cpu' }, restartedTrialIds: [4, 5, 6, 7] });
  const secondStarts = cpuOnly.log.findIndex((e) => 'type' in e && e.type === 'trial-planned' && e.trialId === 4);
  const exploits = (log: typeof afterLoss.log) =>
    log.flatMap((e) => ('type' in e && e.type === 'trial-exploited' ? [e] : []));
  const liveModels = (log: typeof afterLoss.log) =>
    log.flatMap((e) => ('live' in e && e.live && 'model' in e.live ? [e.live] : []));
  // On the CPU engine the restarted population exploits and streams its best models as the CPU-only run's does.
  const exploitsAfter = exploits(afterLoss.log.slice(changed));
  expect(exploitsAfter.map((e) => e.step)).toEqual([20, 40, 60]);
  expect(exploitsAfter).toEqual(exploits(cpuOnly.log.slice(secondStarts)));
  // The live model shown before the loss was the restarted population's: withdrawn at the switch.
  expect(liveModels(afterLoss.log.slice(0, changed)).length).toBeGreaterThan(0);
  expect(afterLoss.log[changed + 1]).toEqual({ live: null });
  const liveAfter = liveModels(afterLoss.log.slice(changed));
  expect(liveAfter.length).toBeGreaterThan(0);
  expect(liveAfter).toEqual(liveModels(cpuOnly.log.slice(secondStarts)));
  expect([...afterLoss.state.trials.values()].map((t) => t.state)).toEqual(Array<string>(8).fill('COMPLETE'));
  for (const id of secondPopulation) {
    const trial = afterLoss.state.trials.get(id)!;
    const reference = cpuOnly.state.trials.get(id)!;
    expect([trial.params, trial.lineage, trial.curve, trial.objective]).toEqual([
      reference.params,
      reference.lineage,
      reference.curve,
      reference.objective,
    ]);
  }
});
