// The WASM engine in Node: one thread (Node has no Web Workers), the contract every engine keeps.
import { expect, it } from 'vitest';
import { makeDataset } from '../../../src/train/data/synthetic.ts';
import { createWasmEngine } from '../../../src/train/wasm/engine.ts';
import { describeEngineContract } from '../engine-contract.ts';
import { modelHyper } from '../model-hyper.ts';

describeEngineContract('WASM engine (Node, one thread)', {
  create: () => createWasmEngine(),
  kind: 'cpu',
  adapter: /^CPU \(WebAssembly SIMD, 1 thread\)$/,
  refusesCopies: /the WASM engine cannot copy or retune models/,
});

it('refuses batch norm with a reason that names the engines that train it (engine choice reads it as a failed probe)', async () => {
  const engine = await createWasmEngine();
  const job = {
    shape: {
      inputs: 2,
      outputs: 2,
      hiddenLayers: 0,
      maxHidden: 4,
      activation: 'relu' as const,
      loss: 'softmax_cross_entropy' as const,
      init: 'he' as const,
      batchSize: 4,
      layers: [
        { kind: 'dense' as const, activation: 'linear' as const },
        { kind: 'batchnorm' as const, activation: 'relu' as const },
      ],
    },
    models: [modelHyper({ hiddenUnits: 4 })],
    data: makeDataset('circle', { count: 40, noise: 0.1, validationFraction: 0.25, seed: 1 }),
    steps: 2,
    reportEvery: 2,
  };
  const attempt = engine.train(job);
  await expect(attempt).rejects.toMatchObject({ kind: 'invalid-job' });
  await expect(attempt).rejects.toThrow(
    'this shape lists its layers (dense, batchnorm) but this engine trains MLPs only: use the WebGPU or CPU engine',
  );
  engine.dispose();
});
