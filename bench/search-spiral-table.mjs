// Generates bench/search-spiral-table.json, the real lab objective of `npm run bench:search`:
// the final validation loss of the default study's 2×16 relu MLP on the 512-point spiral
// (Adam, batch 32, 300 steps), trained by the CPU engine through `tuning-lab run --engine cpu`,
// over a grid of learning rate (log, 12 points in [1e-4, 1]) × Adam β1 (1-β log, 6 points in
// [0.9, 0.999]) × hidden units (log int 4..128, 6 points): 432 trials. Run: node bench/search-spiral-table.mjs
// (a few minutes on 2 cores). The bench interpolates between grid points on the unit axes.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerImport } from 'vite';

const load = async (path) => (await runnerImport(path, { configFile: false, logLevel: 'warn' })).module;
const { defaultStudy } = await load('/src/study/spec.ts');
const { gridValues } = await load('/src/search/scheduler.ts');

const POINTS = { learningRate: 12, beta1: 6, hiddenUnits: 6 };
const spec = defaultStudy();
spec.space = spec.space.map((row) => ({ ...row, enabled: row.name in POINTS }));
spec.training = { steps: 300, reportEvery: 100 };
spec.parallelism = 16;
const axes = Object.fromEntries(
  Object.entries(POINTS).map(([name, k]) => [
    name,
    gridValues(
      spec.space.find((r) => r.name === name),
      k,
    ),
  ]),
);
const total = Object.values(axes).reduce((n, a) => n * a.length, 1);
spec.scheduler = { ...spec.scheduler, kind: 'grid', budget: { kind: 'trials', trials: total }, pointsPerParam: 6 };
// The study's grid has one point count for every axis; the learning rate needs more, so the
// table is trained as one grid study per learning rate, each fixing it as its default.
const dir = mkdtempSync(join(tmpdir(), 'spiral-table-'));
const losses = {};
for (const lr of axes.learningRate) {
  const one = structuredClone(spec);
  one.space = one.space.map((row) => (row.name === 'learningRate' ? { ...row, enabled: false, default: lr } : row));
  one.scheduler.budget = { kind: 'trials', trials: total / axes.learningRate.length };
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(one));
  // Events to a file, not a pipe: the CLI exits at once, which can cut a piped stdout short.
  const events = join(dir, 'events.jsonl');
  const fd = openSync(events, 'w');
  const run = spawnSync('node', ['src/cli/bin.js', 'run', file, '--engine', 'cpu'], {
    stdio: ['ignore', fd, 'pipe'],
    encoding: 'utf8',
  });
  closeSync(fd);
  if (run.status !== 0) throw new Error(`tuning-lab run failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const planned = new Map();
  for (const line of readFileSync(events, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line);
    if (e.type === 'trial-planned') planned.set(e.trialId, e.params);
    if (e.type === 'trial-finished') {
      const p = planned.get(e.trialId);
      losses[`${lr}|${p.beta1}|${p.hiddenUnits}`] = e.state === 'COMPLETE' ? e.objective : null;
    }
  }
  process.stderr.write(`learning rate ${lr}: ${Object.keys(losses).length}/${total} trials\n`);
}
const table = {
  generatedBy: 'bench/search-spiral-table.mjs',
  study: { ...spec, scheduler: undefined },
  axes,
  /** Final validation loss by "learningRate|beta1|hiddenUnits"; null: the trial diverged. */
  losses,
};
writeFileSync('bench/search-spiral-table.json', `${JSON.stringify(table)}\n`);
process.stderr.write(`wrote bench/search-spiral-table.json (${Object.keys(losses).length} trials)\n`);
