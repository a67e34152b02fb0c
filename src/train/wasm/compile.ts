// Builds the WASM engine's kernels (assembly/kernels.ts, AssemblyScript) into
// build/kernels.wasm (memory imported, for one thread) and build/kernels-shared.wasm (shared
// memory, for threads): WebAssembly checks that an imported memory is shared exactly when the
// module says so, hence two binaries of one source. Node only: vite.config.ts calls it when
// any Vite server or build starts (dev, build, preview, vitest, the bench), so the binaries
// are never committed and never stale.
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MAXIMUM_PAGES } from './layout.ts';

const folder = new URL('./', import.meta.url);
const SOURCE = new URL('assembly/kernels.ts', folder);
const BUILD = new URL('build/', folder);

const VARIANTS = [
  { file: 'kernels.wasm', flags: [] as string[] },
  { file: 'kernels-shared.wasm', flags: ['--enable', 'threads', '--sharedMemory'] },
];

async function modifiedAt(url: URL): Promise<number> {
  return stat(url).then(
    (s) => s.mtimeMs,
    () => Number.NEGATIVE_INFINITY,
  );
}

/** Compiles the kernels when a binary is missing or older than a source file; returns the files built. */
export async function compileWasmKernels(): Promise<string[]> {
  const sources = await readdir(new URL('assembly/', folder));
  const newestSource = Math.max(
    ...(await Promise.all(sources.map((f) => modifiedAt(new URL(`assembly/${f}`, folder))))),
  );
  await mkdir(BUILD, { recursive: true });
  const { default: asc } = await import('assemblyscript/asc');
  const built: string[] = [];
  for (const { file, flags } of VARIANTS) {
    const target = new URL(file, BUILD);
    if ((await modifiedAt(target)) > newestSource) continue;
    // Written under a temporary name, then renamed: servers started at once never read half a file.
    const temporary = `${fileURLToPath(target)}.${process.pid}.tmp`;
    const stderr: string[] = [];
    const { error } = await asc.main(
      [
        fileURLToPath(SOURCE),
        '--outFile',
        temporary,
        '-O3',
        '--noAssert',
        '--runtime',
        'stub',
        '--enable',
        'simd',
        '--importMemory',
        '--initialMemory',
        '1',
        '--maximumMemory',
        String(MAXIMUM_PAGES),
        ...flags,
      ],
      { stderr: { write: (text: string | Uint8Array) => stderr.push(String(text)) } },
    );
    if (error) throw new Error(`AssemblyScript could not compile ${fileURLToPath(SOURCE)}: ${stderr.join('')}`);
    await rename(temporary, target);
    built.push(file);
  }
  return built;
}
