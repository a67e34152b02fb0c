// `tuning-lab coordinator` and three `tuning-lab worker`s on a local Redis (Debian's
// redis-server, started here on a free port and stopped afterwards; .ci/run installs it): one
// worker is killed (SIGKILL) as soon as it starts its first job and the coordinator is killed
// once trials have finished, then started again on its journal. The study must still end
// with the same trials and bit-identical curves, objectives and kept model as one
// `tuning-lab run` of the same study, each trial finished exactly once. CPU engine throughout.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/args.ts';
import { fromExactJson } from '../../src/cli/exact-json.ts';
import type { StudyEvent } from '../../src/study/events.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { foldStudyEvents, type StudyState } from '../../src/study/state.ts';
import { eventsOf, runCli } from './run-cli.ts';

const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
const dir = mkdtempSync(join(tmpdir(), 'tuning-lab-scale-'));

/** Twelve random-search trials of 400 steps, six at a time: two populations of three 2-trial jobs. */
const study: StudySpec = {
  ...defaultStudy(),
  scheduler: { ...defaultStudy().scheduler, kind: 'random', budget: { kind: 'trials', trials: 12 } },
  parallelism: 6,
  training: { steps: 400, reportEvery: 50 },
};
const specFile = join(dir, 'study.json');
writeFileSync(specFile, JSON.stringify(study));

/** A child process and its output so far, line by line. */
class Child {
  readonly process: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private watchers: Array<() => void> = [];

  constructor(command: string, args: readonly string[]) {
    this.process = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout?.on('data', (chunk: Buffer) => this.heard(() => (this.stdout += chunk)));
    this.process.stderr?.on('data', (chunk: Buffer) => this.heard(() => (this.stderr += chunk)));
    this.exited = new Promise((resolve) => this.process.once('exit', (code) => resolve(code)));
  }

  private heard(append: () => void): void {
    append();
    for (const watch of this.watchers) watch();
  }

  /** Resolves when `test` holds for the output so far (checked at each chunk). */
  until(test: () => boolean, what: string, ms = 180_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}:\n${this.stderr}`)), ms);
      const watch = () => {
        if (!test()) return;
        clearTimeout(timer);
        this.watchers = this.watchers.filter((w) => w !== watch);
        resolve();
      };
      this.watchers.push(watch);
      watch();
    });
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.process.kill(signal);
    return this.exited;
  }
}

const tuningLab = (...args: string[]) => new Child(process.execPath, [BIN, ...args]);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let redis: Child;
let redisUrl: string;
const children: Child[] = [];

beforeAll(async () => {
  const port = await freePort();
  redisUrl = `redis://127.0.0.1:${port}`;
  redis = new Child(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const spawnFailed = new Promise<never>((_, reject) =>
    redis.process.once('error', (e) =>
      reject(new Error(`${REDIS_SERVER} could not start (${e.message}); install Debian's redis-server (.ci/run does)`)),
    ),
  );
  await Promise.race([
    redis.until(() => /Ready to accept connections/.test(redis.stdout), 'redis-server', 20_000),
    spawnFailed,
  ]);
}, 30_000);

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) await child.kill('SIGKILL');
  if (redis?.process.exitCode === null) await redis.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Progress arrays from stdout JSON (NaN written as null) back to numbers, as the reducer expects. */
function numeric(events: StudyEvent[]): StudyEvent[] {
  return events.map((e) =>
    e.type === 'progress'
      ? ({
          ...e,
          trainLoss: e.trainLoss.map((v) => v ?? Number.NaN),
          validationLoss: e.validationLoss.map((v) => v ?? Number.NaN),
          trainAccuracy: e.trainAccuracy.map((v) => v ?? Number.NaN),
          validationAccuracy: e.validationAccuracy.map((v) => v ?? Number.NaN),
        } as unknown as StudyEvent)
      : e,
  );
}

/** What must be the same, bit for bit: each trial (wall times aside) and the kept model. */
function results(state: StudyState) {
  return {
    trials: [...state.trials.values()].sort((a, b) => a.id - b.id).map(({ durationMs: _, ...trial }) => trial),
    bestTrialId: state.bestTrialId,
    bestModel: state.bestModel && { ...state.bestModel, parameters: Array.from(state.bestModel.parameters) },
  };
}

describe('a study on BullMQ workers', () => {
  it('survives a killed worker and a restarted coordinator, and equals a single-process run bit for bit', {
    timeout: 600_000,
  }, async () => {
    const reference = await runCli(['run', specFile, '--engine', 'cpu']);
    expect(reference.code).toBe(EXIT.ok);
    const expected = results(foldStudyEvents(study, numeric(eventsOf(reference.stdout))));

    const workers = [0, 1, 2].map(() =>
      tuningLab('worker', '--redis', redisUrl, '--engine', 'cpu', '--lock-seconds', '2'),
    );
    children.push(...workers);
    await Promise.all(workers.map((w) => w.until(() => /training cpu jobs/.test(w.stderr), 'a worker to start')));

    const journal = join(dir, 'study.journal');
    const coordinatorArgs = ['coordinator', specFile, '--redis', redisUrl, '--engine', 'cpu', '--trials-per-job', '2'];
    const first = tuningLab(...coordinatorArgs, '--journal', journal);
    children.push(first);

    // Worker 0 dies the moment it reports taking its first job (checked at each chunk it
    // writes): a job trains for a few hundred milliseconds, so it dies mid-job.
    const victim = workers[0];
    await victim.until(() => /job \S+ started/.test(victim.stderr), 'worker 0 to take a job');
    const lostJob = /job (\S+) started/.exec(victim.stderr)![1];
    await victim.kill('SIGKILL');
    expect(victim.stderr).not.toContain(`job ${lostJob} done`);

    // The coordinator dies once trials have finished (after the stalled job came back), mid-study.
    await first.until(() => first.stdout.includes('"type":"trial-finished"'), 'a finished trial');
    expect(await first.kill('SIGKILL')).toBe(null);
    const killedAt = eventsOf(first.stdout.slice(0, first.stdout.lastIndexOf('\n') + 1));
    const finishedBefore = killedAt.filter((e) => e.type === 'trial-finished').length;
    expect(finishedBefore).toBeGreaterThan(0);
    expect(killedAt.some((e) => e.type === 'study-finished')).toBe(false);

    const second = tuningLab(...coordinatorArgs, '--journal', journal);
    children.push(second);
    expect(await second.exited).toBe(EXIT.ok);
    expect(second.stderr).toMatch(/Resuming the study of .*: \d+ trials finished, \d+ train again\./);

    // The lost job was trained to the end by another worker.
    const takenOver = workers.slice(1).filter((w) => w.stderr.includes(`job ${lostJob} done`));
    expect(takenOver).toHaveLength(1);

    const [header, ...lines] = readFileSync(journal, 'utf8').trim().split('\n');
    expect(JSON.parse(header)).toMatchObject({ format: 'tuning-lab journal', version: 1 });
    const events = lines.map((line) => fromExactJson(line) as StudyEvent);
    const finishes = events.filter((e) => e.type === 'trial-finished').map((e) => e.trialId);
    expect(finishes.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i)); // each exactly once
    const restarted = events.filter((e) => e.type === 'study-started');
    expect(restarted).toHaveLength(2);
    const state = foldStudyEvents(study, events);
    expect(state.status).toBe('finished');
    expect(results(state)).toEqual(expected);
    const jobs = workers.map((w) => (w.stderr.match(/ done in /g) ?? []).length);
    console.log(
      `[scale-out] 12 trials, ${finishedBefore} finished before the coordinator was killed; jobs done per worker: ${jobs.join(', ')} (worker 0 killed in job ${lostJob}); every curve bit-identical to tuning-lab run`,
    );
    for (const w of workers.slice(1)) expect(await w.kill('SIGTERM')).toBe(EXIT.ok);

    // A finished journal is not run again.
    const again = await runCli([...coordinatorArgs, '--journal', journal]);
    expect(again.code).toBe(EXIT.ok);
    expect(again.stderr).toContain(`The study in ${journal} has ended (finished); nothing to resume.`);
  });

  it('says so when Redis cannot be reached (exit 5)', { timeout: 60_000 }, async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const result = await runCli(['worker', '--redis', closed, '--engine', 'cpu']);
    expect(result.code).toBe(EXIT.noRedis);
    expect(result.stderr).toContain(`Redis at ${closed} cannot be reached (`);
    expect(result.stderr).toContain('Start Redis there, or pass its URL with --redis.');
  });
});
