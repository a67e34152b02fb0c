// `tuning-lab worker --redis URL`: takes slices of populations from the queue of its engine,
// trains them with the lab's engine and sends back every report and the final parameters.
// It holds one job at a time and renews its lock while training (the CPU engine yields to
// the event loop every 50 ms, the GPU engine at each submit); a worker that dies stops
// renewing, and after --lock-seconds BullMQ's stalled-job check in the other workers puts the
// job back in the queue for one of them. A job is completed once: a late answer from a worker
// that lost its lock is refused by BullMQ.
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProgressReport, TrainingData, TrainingEngine } from '../train/types.ts';
import { EXIT, type WorkerOptions } from './args.ts';
import { connectRedis, encodeResult, loadStoredStudy, queueName, type SliceJob, type SliceResult } from './queue.ts';
import { chooseEngine, loadDataFrom, say } from './study-inputs.ts';

/** A job that has stalled (lost its worker) more often than this fails instead of going round again. */
const MAX_STALLS = 2;

const copyReport = (r: ProgressReport): ProgressReport => ({
  step: r.step,
  trainLoss: r.trainLoss.slice(),
  trainAccuracy: r.trainAccuracy.slice(),
  validationLoss: r.validationLoss.slice(),
  validationAccuracy: r.validationAccuracy.slice(),
  diverged: r.diverged.slice(),
});

function trialRange(ids: readonly number[]): string {
  return ids.length === 1 ? `trial ${ids[0]}` : `trials ${ids.join(', ')}`;
}

export async function runWorker(options: WorkerOptions): Promise<number> {
  const engine = await chooseEngine(options.engine);
  const redis = await connectRedis(options.redis);
  const name = `${hostname()}:${process.pid}`;
  const studies = new Map<string, Promise<TrainingData>>();
  const dataOf = (studyKey: string) => {
    let data = studies.get(studyKey);
    if (!data) {
      data = loadStoredStudy(redis, studyKey).then((study) => loadDataFrom(study.spec, study.csv));
      studies.set(studyKey, data);
      data.catch(() => studies.delete(studyKey));
    }
    return data;
  };
  const worker = new Worker<SliceJob, string>(queueName(options.engine), (job) => train(job, engine, dataOf, name), {
    connection: redis,
    concurrency: 1,
    lockDuration: options.lockSeconds * 1000,
    stalledInterval: options.lockSeconds * 1000,
    maxStalledCount: MAX_STALLS,
  });
  worker.on('failed', (job, e) => say(`worker ${name}: job ${job?.id} failed: ${e.message}`));
  worker.on('error', (e) => say(`worker ${name}: ${e.message}`));
  say(`worker ${name}: training ${options.engine} jobs on ${engine.adapter} from ${queueName(options.engine)}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  say(`worker ${name}: stopping after the job in hand`);
  await worker.close();
  await closeQuietly(redis);
  engine.dispose();
  return EXIT.ok;
}

async function train(
  job: Job<SliceJob, string>,
  engine: TrainingEngine,
  dataOf: (studyKey: string) => Promise<TrainingData>,
  name: string,
): Promise<string> {
  const slice = job.data;
  const started = performance.now();
  say(`worker ${name}: job ${job.id} started: ${trialRange(slice.trialIds)} of study ${slice.studyKey}`);
  const data = await dataOf(slice.studyKey);
  const reports: ProgressReport[] = [];
  const trained = await engine.train(
    {
      shape: slice.shape,
      models: slice.models,
      data,
      steps: slice.steps,
      reportEvery: slice.reportEvery,
      ...(slice.divergenceFactor !== undefined ? { divergenceFactor: slice.divergenceFactor } : {}),
    },
    (report) => void reports.push(copyReport(report)),
  );
  const result: SliceResult = {
    reports,
    parameters: trained.parameters,
    statistics: trained.statistics,
    stoppedAtStep: trained.stoppedAtStep,
    adapter: engine.adapter,
  };
  say(`worker ${name}: job ${job.id} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return encodeResult(result);
}

async function closeQuietly(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
