// `npm run build:wasm`: compiles the WASM engine's kernels now (Vite servers and builds do it
// on their own; this is for the headless runner and for looking at the binaries).
import { compileWasmKernels } from './compile.ts';

const built = await compileWasmKernels();
console.log(built.length ? `built ${built.join(', ')}` : 'the WASM kernels are up to date');
