// Builds bench/device/carry/, all the device bench needs besides the checkout, for a machine
// with an NVIDIA GPU and Vulkan but no Node and no package registry (under 64 MiB):
//   bench.mjs       bench.ts and the lab's engine in one file (esbuild), the WGSL inlined
//   node.xz         this machine's Node binary, xz-compressed
//   dawn.node.xz    the npm package webgpu's linux-x64 Dawn, xz-compressed
//   vulkan/         Debian's libvulkan1 unpacked (the Vulkan loader; used where the machine has none)
// Run here once: node bench/device/pack.mjs (needs npm ci, xz, apt-get download; x86-64 Linux).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const carry = join(repo, 'bench/device/carry');
mkdirSync(carry, { recursive: true });
const run = (command, args, options = {}) => execFileSync(command, args, { stdio: 'inherit', ...options });

// The bundle: '#shaders' as the browser build has it (each WGSL file inlined, as Vite's ?raw does).
await build({
  entryPoints: [join(repo, 'bench/device/bench.ts')],
  outfile: join(carry, 'bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'wgsl-inline',
      setup(b) {
        b.onResolve({ filter: /^#shaders$/ }, () => ({ path: join(repo, 'src/train/gpu/shaderSources.ts') }));
        b.onResolve({ filter: /\.wgsl\?raw$/ }, (args) => ({
          path: resolve(args.resolveDir, args.path.replace(/\?raw$/, '')),
          namespace: 'wgsl',
        }));
        b.onLoad({ filter: /.*/, namespace: 'wgsl' }, (args) => ({
          contents: `export default ${JSON.stringify(readFileSync(args.path, 'utf8'))};`,
          loader: 'js',
        }));
      },
    },
  ],
});

/** xz of `file` into the carry, kept from an earlier pack while newer than its source (xz -9 of Node takes minutes). */
function compress(file, name) {
  const out = join(carry, name);
  if (existsSync(out) && statSync(out).size > 0 && statSync(out).mtimeMs > statSync(file).mtimeMs) return;
  run('sh', ['-c', `xz -9 -T0 -c "${file}" > "${out}.part" && mv "${out}.part" "${out}"`]);
}
compress(process.execPath, 'node.xz');
compress(join(repo, 'node_modules/webgpu/dist/linux-x64/dawn.node'), 'dawn.node.xz');

// Debian's Vulkan loader, downloaded for amd64 whatever this machine is, unpacked.
const lists = join(carry, '.apt');
mkdirSync(join(lists, 'partial'), { recursive: true });
const apt = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`];
run('apt-get', [...apt, '-qq', 'update']);
run('apt-get', [...apt, '-qq', 'download', 'libvulkan1'], { cwd: lists });
const deb = readdirSync(lists).find((f) => f.startsWith('libvulkan1_'));
rmSync(join(carry, 'vulkan'), { recursive: true, force: true });
run('dpkg', ['-x', join(lists, deb), join(carry, 'vulkan')]);
rmSync(lists, { recursive: true, force: true });

const size = (path) =>
  statSync(path).isDirectory() ? readdirSync(path).reduce((s, f) => s + size(join(path, f)), 0) : statSync(path).size;
const mib = size(carry) / 2 ** 20;
process.stderr.write(`bench/device/carry: ${mib.toFixed(1)} MiB (the device's limit is 64 MiB with the checkout)\n`);
if (mib > 56) process.exitCode = 1;
