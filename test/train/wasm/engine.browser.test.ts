// The WASM engine in Chromium: with threads (the test page is cross-origin isolated, as the
// lab is: vite.config.ts sends COOP/COEP) and with one thread, the contract every engine keeps.
import { expect, it } from 'vitest';
import { createWasmEngine, wasmThreading } from '../../../src/train/wasm/engine.ts';
import { describeEngineContract } from '../engine-contract.ts';

it('the page is cross-origin isolated, so the engine trains on every core', () => {
  console.log(`[wasm engine] crossOriginIsolated ${crossOriginIsolated}, ${navigator.hardwareConcurrency} cores`);
  expect(crossOriginIsolated).toBe(true);
  expect(wasmThreading().threads).toBe(navigator.hardwareConcurrency);
});

describeEngineContract('WASM engine (Chromium, threads)', {
  create: () => createWasmEngine(),
  kind: 'cpu',
  adapter: /^CPU \(WebAssembly SIMD, \d+ threads\)$/,
  refusesCopies: /the WASM engine cannot copy or retune models/,
});

describeEngineContract('WASM engine (Chromium, one thread)', {
  create: () => createWasmEngine({ threads: 1 }),
  kind: 'cpu',
  adapter: /^CPU \(WebAssembly SIMD, 1 thread\)$/,
  refusesCopies: /the WASM engine cannot copy or retune models/,
});
