// The WASM engine in Node: one thread (Node has no Web Workers), the contract every engine keeps.
import { createWasmEngine } from '../../../src/train/wasm/engine.ts';
import { describeEngineContract } from '../engine-contract.ts';

describeEngineContract('WASM engine (Node, one thread)', {
  create: () => createWasmEngine(),
  kind: 'cpu',
  adapter: /^CPU \(WebAssembly SIMD, 1 thread\)$/,
});
