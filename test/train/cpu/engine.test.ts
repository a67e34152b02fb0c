import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import { describeEngineContract } from '../engine-contract.ts';

describeEngineContract('CPU engine', { create: createCpuEngine, kind: 'cpu', adapter: /^CPU \(TypeScript\)$/ });
