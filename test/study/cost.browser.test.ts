// The cost estimate's GPU figure is the engine's own: every buffer a real population and its
// read-backs allocate (recorded from createBuffer while the GPU engine trains the study's
// largest population) has the size studyCost gives it. Only the small uniform buffer each
// dispatch carries its parameters in is left out of the estimate; its total is logged.
import { expect, it } from 'vitest';
import { studyCost } from '../../src/study/cost.ts';
import { groupIntoPopulations } from '../../src/study/population.ts';
import { dataShapeOf, defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import { createGpuEngine } from '../../src/train/gpu/engine.ts';
import { withDevice } from '../train/gpu/gpu-test-device.ts';

function study(): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'plane', count: 300, noise: 0.1, validationFraction: 0.4, seed: 5 };
  spec.parallelism = 3;
  spec.scheduler.budget = { kind: 'trials', trials: 3 };
  spec.training = { steps: 70, reportEvery: 35 };
  spec.space = spec.space.map((r) => {
    const fixed: Record<string, number> = { hiddenLayers: 2, hiddenUnits: 21, batchSize: 8 };
    return r.name in fixed ? { ...r, enabled: false, default: fixed[r.name] } : { ...r, enabled: false };
  });
  return spec;
}

it('every buffer of the largest population, as the GPU engine allocates it, has the estimated size', async () => {
  await withDevice(async (device) => {
    const spec = study();
    if (spec.data.kind !== 'synthetic') throw new Error('unreachable');
    const data = makeDataset(spec.data.name, spec.data);
    const params = Object.fromEntries(spec.space.map((r) => [r.name, r.default]));
    const trials = [0, 1, 2].map((id) => ({ id, params }));
    const { populations } = groupIntoPopulations(trials, spec.seed, data);
    expect(populations).toHaveLength(1);
    const [{ shape, models }] = populations;

    const allocated: Array<{ label: string; size: number; usage: number }> = [];
    const createBuffer = device.createBuffer.bind(device);
    device.createBuffer = (descriptor: GPUBufferDescriptor) => {
      allocated.push({ label: descriptor.label ?? '', size: descriptor.size, usage: descriptor.usage });
      return createBuffer(descriptor);
    };
    const engine = await createGpuEngine({ device });
    await engine.train({ shape, models, data, steps: spec.training.steps, reportEvery: spec.training.reportEvery });
    engine.dispose();

    // Per-dispatch parameter blocks: uniform buffers other than the step slots.
    const isDispatchUniform = (b: { label: string; usage: number }) =>
      (b.usage & GPUBufferUsage.UNIFORM) !== 0 && b.label !== 'step slots';
    const measured = allocated.filter((b) => !isDispatchUniform(b)).map((b) => b.size);
    const uniforms = allocated.filter(isDispatchUniform).reduce((sum, b) => sum + b.size, 0);
    const cost = studyCost(spec, dataShapeOf(spec.data));
    const sorted = (sizes: number[]) => [...sizes].sort((a, b) => a - b);
    expect(sorted(measured)).toEqual(sorted(cost.gpuBuffers.map((b) => b.bytes)));
    const total = measured.reduce((a, b) => a + b, 0);
    expect(cost.gpuBytes).toBe(total);
    console.log(
      `[cost] GPU buffers of a 3 × (2 layers × 21 units, batch 8) population: ${measured.length} buffers, ${total} bytes as estimated; per-dispatch uniforms not estimated: ${uniforms} bytes`,
    );
  });
});
