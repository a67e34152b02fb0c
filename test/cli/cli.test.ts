// The `tuning-lab` command end to end: a small study trained on the CPU engine and, through
// Dawn, on SwiftShader's WebGPU (no skip: a missing adapter fails the test), then the
// refusals (hostile link, broken CSV, no adapter, bad flags) with their exit codes and the
// lab's own messages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, parseCommand } from '../../src/cli/args.ts';
import { checkCsvPin, sha256Hex } from '../../src/study/data.ts';
import type { StudyEvent } from '../../src/study/events.ts';
import { exportFileName, parseStudyExport } from '../../src/study/export.ts';
import { decodeStudyHash, encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { parseCsv } from '../../src/train/data/csv.ts';
import { type CliResult, eventsOf, runCli, SWIFTSHADER_ENV } from './run-cli.ts';

const TIMEOUT = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'tuning-lab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Six random-search trials of 40 steps on the spiral, three at a time. */
const study: StudySpec = {
  ...defaultStudy(),
  scheduler: { ...defaultStudy().scheduler, kind: 'random', budget: { kind: 'trials', trials: 6 } },
  parallelism: 3,
  training: { steps: 40, reportEvery: 20 },
};
const link = `https://lab.example/${encodeStudyHash(study)}`;

type Finished = Extract<StudyEvent, { type: 'trial-finished' }>;

/** Checks one finished run: its exit code, its JSON lines and the CSV and JSON it wrote; gives the final losses by trial. */
function checkRun(result: CliResult, out: string, engine: 'cpu' | 'webgpu'): Map<number, number> {
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(EXIT.ok);
  const events = eventsOf(result.stdout);
  const started = events[0];
  expect(started.type).toBe('study-started');
  if (started.type === 'study-started') expect(started.engine.kind).toBe(engine);
  expect(events.at(-1)).toMatchObject({ type: 'study-finished', trials: 6, stopped: false });
  const progress = events.filter((e) => e.type === 'progress');
  expect(progress.length).toBeGreaterThan(0);
  for (const p of progress) {
    // Typed arrays arrive as arrays of numbers, one entry per trial of the population.
    expect(Array.isArray(p.validationLoss)).toBe(true);
    expect(p.validationLoss).toHaveLength(p.trialIds.length);
    for (const v of p.validationLoss) expect(Number.isFinite(v)).toBe(true);
  }
  const finished = events.filter((e): e is Finished => e.type === 'trial-finished');
  expect(finished.map((e) => e.trialId).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  const losses = new Map(finished.map((e) => [e.trialId, e.objective]));

  const csv = parseCsv(readFileSync(join(out, exportFileName(study, 'csv')), 'utf8'));
  expect(csv.rows).toHaveLength(6);
  const col = (name: string) => csv.columns.indexOf(name);
  for (const row of csv.rows) {
    expect(row[col('state')]).toBe('COMPLETE');
    expect(Number(row[col('value')])).toBe(losses.get(Number(row[col('number')])));
  }
  const imported = parseStudyExport(readFileSync(join(out, exportFileName(study, 'json')), 'utf8'));
  expect(imported.ok).toBe(true);
  if (imported.ok) {
    expect(imported.study.status).toBe('finished');
    expect(imported.study.engine?.kind).toBe(engine);
  }
  return losses;
}

describe('tuning-lab run', () => {
  let cpuLosses: Map<number, number> | undefined;

  it('trains a study from its share link on the CPU engine and writes the lab exports', {
    timeout: TIMEOUT,
  }, async () => {
    const out = join(dir, 'cpu');
    const result = await runCli(['run', link, '--engine', 'cpu', '--out', out]);
    cpuLosses = checkRun(result, out, 'cpu');
  });

  it('trains the same study on WebGPU through Dawn on SwiftShader, to the CPU engine’s losses within 1e-5', {
    timeout: TIMEOUT,
  }, async () => {
    const out = join(dir, 'webgpu');
    const result = await runCli(['run', link, '--engine', 'webgpu', '--out', out], SWIFTSHADER_ENV);
    const losses = checkRun(result, out, 'webgpu');
    const started = eventsOf(result.stdout)[0];
    expect(started.type === 'study-started' && started.engine.adapter).toMatch(/swiftshader/i);
    expect(cpuLosses).toBeDefined();
    let worst = 0;
    for (const [id, loss] of losses) worst = Math.max(worst, Math.abs(loss - cpuLosses!.get(id)!));
    console.log(
      `tuning-lab run: WebGPU (Dawn, SwiftShader) vs CPU final validation losses, largest difference ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-5);
  });

  it('reads the study from a spec.json file and honours --parallelism', { timeout: TIMEOUT }, async () => {
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(study));
    const result = await runCli(['run', file, '--engine', 'cpu', '--parallelism', '2']);
    expect(result.code).toBe(EXIT.ok);
    const populations = eventsOf(result.stdout).filter((e) => e.type === 'progress' && e.step === study.training.steps);
    expect(populations.map((p) => p.type === 'progress' && p.trialIds.length)).toEqual([2, 2, 2]);
  });

  it('refuses a hostile link with the lab’s message (exit 3)', { timeout: TIMEOUT }, async () => {
    const hostile = `${link.slice(0, -12)}AAAAAAAAAAAA`;
    const decoded = decodeStudyHash(hostile.slice(hostile.indexOf('#')));
    expect(decoded.ok).toBe(false);
    const result = await runCli(['run', hostile, '--engine', 'cpu']);
    expect(result.code).toBe(EXIT.badInput);
    expect(result.stdout).toBe('');
    if (!decoded.ok)
      expect(result.stderr.trim()).toBe(decoded.error.message.replace(' The default study is shown instead.', ''));
  });

  it('refuses a broken CSV with the lab’s message (exit 3)', { timeout: TIMEOUT }, async () => {
    const csvStudy: StudySpec = {
      ...study,
      data: {
        kind: 'csv',
        fileName: 'points.csv',
        target: 'label',
        features: ['x', 'y'],
        task: 'classification',
        validationFraction: 0.25,
        seed: 1,
      },
    };
    const spec = join(dir, 'csv-study.json');
    writeFileSync(spec, JSON.stringify(csvStudy));
    const broken = join(dir, 'points.csv');
    writeFileSync(broken, 'x,y,label\n1,2,a\n3,4\n');
    const result = await runCli(['run', spec, '--engine', 'cpu', '--csv', broken]);
    expect(result.code).toBe(EXIT.badInput);
    expect(result.stderr.trim()).toBe(
      'points.csv: Row 3 has 2 cells but the header has 3 columns; every row needs one cell per column.',
    );
    const missing = await runCli(['run', spec, '--engine', 'cpu']);
    expect(missing.code).toBe(EXIT.badInput);
    expect(missing.stderr).toContain(
      'This study trains on the CSV file "points.csv"; pass that file with --csv <file>.',
    );
  });

  it('trains a CSV study on the file given with --csv and says whether it is the file the link pins', {
    timeout: TIMEOUT,
  }, async () => {
    const rows = Array.from({ length: 48 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 2 ? 'odd' : 'even'}`);
    const bytes = new TextEncoder().encode(['x,y,label', ...rows].join('\n'));
    const file = join(dir, 'points-ok.csv');
    writeFileSync(file, bytes);
    const sha256 = await sha256Hex(bytes);
    const csvStudy: StudySpec = {
      ...study,
      data: {
        kind: 'csv',
        fileName: 'points-ok.csv',
        target: 'label',
        features: ['x', 'y'],
        task: 'classification',
        validationFraction: 0.25,
        seed: 1,
        sha256,
      },
    };
    const spec = join(dir, 'csv-ok.json');
    writeFileSync(spec, JSON.stringify(csvStudy));
    const out = join(dir, 'csv-out');
    const result = await runCli(['run', spec, '--engine', 'cpu', '--csv', file, '--out', out]);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stderr).toContain(
      checkCsvPin('points-ok.csv', sha256, csvStudy.data.kind === 'csv' ? csvStudy.data : undefined).message!,
    );
    expect(result.stderr).toContain('the study reproduces');
    const started = eventsOf(result.stdout)[0];
    expect(started).toMatchObject({
      type: 'study-started',
      dataShape: { inputs: 2, outputs: 2, trainCount: 36, validationCount: 12 },
    });
    expect(parseCsv(readFileSync(join(out, exportFileName(csvStudy, 'csv')), 'utf8')).rows).toHaveLength(6);
  });

  it('says why when WebGPU has no adapter and does not fall back to the CPU (exit 4)', {
    timeout: TIMEOUT,
  }, async () => {
    const result = await runCli(['run', link], {
      LD_LIBRARY_PATH: '',
      VK_ICD_FILENAMES: join(dir, 'no-such-driver.json'),
    });
    expect(result.code).toBe(EXIT.noWebGpu);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('WebGPU found no adapter');
    expect(result.stderr).toContain('--engine cpu');
  });

  it('documents every flag in --help and refuses a bad command line (exit 2)', { timeout: TIMEOUT }, async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(EXIT.ok);
    for (const flag of [
      'run <share-link | spec.json>',
      'coordinator <share-link | spec.json> --redis <url>',
      'worker --redis <url>',
      '--engine webgpu|cpu',
      '--csv <file>',
      '--out <dir>',
      '--parallelism <N>',
      '--redis <url>',
      '--journal <file>',
      '--trials-per-job <N>',
      '--lock-seconds <N>',
      '--help',
    ])
      expect(help.stdout).toContain(flag);
    for (const args of [
      ['run', link, '--engine', 'tpu'],
      ['run', link, '--parallelism', '0'],
      ['run', link, '--fast'],
      ['train', link],
      ['run'],
      ['run', link, link],
      ['run', link, '--redis', 'redis://localhost:6379'],
      ['coordinator', link],
      ['coordinator', link, '--redis', 'localhost:6379'],
      ['coordinator', link, '--redis', 'redis://localhost:6379', '--trials-per-job', '0'],
      ['worker', link, '--redis', 'redis://localhost:6379'],
      ['worker', '--redis', 'redis://localhost:6379', '--lock-seconds', '0'],
      ['worker', '--redis', 'redis://localhost:6379', '--csv', 'a.csv'],
    ]) {
      expect(parseCommand(args).kind, args.join(' ')).toBe('usage');
    }
    // Every flag the parser knows is in the help text.
    const flagsInSource = readFileSync(new URL('../../src/cli/args.ts', import.meta.url), 'utf8').match(
      /^ {2}'?[a-z-]+'?: \{ type: /gm,
    );
    expect(flagsInSource?.length).toBe(9);
    for (const line of flagsInSource ?? [])
      expect(help.stdout).toContain(`--${line.trim().split(':')[0].replaceAll("'", '')}`);
    const result = await runCli(['run', link, '--engine', 'tpu']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toBe(
      'tuning-lab: --engine is webgpu or cpu, got "tpu".\nRun tuning-lab --help for the flags.\n',
    );
  });
});
