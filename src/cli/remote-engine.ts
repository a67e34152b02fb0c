// The coordinator's TrainingEngine: it trains nothing itself. A population is cut into
// slices of --trials-per-job models, each queued as a BullMQ job that any worker may take;
// when all are back their reports are merged, model by model, into the population's reports
// and replayed through the runner's report handler, step by step, as a local engine would
// call it. Models of a population train independently (a trial's curve does not depend on
// which population it is in), so the merged reports are the ones one engine would have sent.
// Pruning therefore judges the same curves; only the work is not saved: a worker trains a
// pruned model to the end (the runner ignores its later reports).
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  EngineError,
  type PopulationJob,
  type PopulationResult,
  type ProgressReport,
  type ReportHandler,
  type TrainingEngine,
} from '../train/types.ts';
import type { Engine } from './args.ts';
import {
  decodeResult,
  KEEP_SECONDS,
  queueName,
  type SliceJob,
  type SliceResult,
  type StoredStudy,
  sliceJobId,
  storeStudy,
} from './queue.ts';

export interface RemoteEngineOptions {
  studyKey: string;
  study: StoredStudy;
  engine: Engine;
  trialsPerJob: number;
  /** The study's trial id of each model, by its init seed (models carry no trial id). */
  trialIdOf: (model: PopulationJob['models'][number]) => number;
}

export class RemoteEngine implements TrainingEngine {
  readonly kind: Engine;
  readonly adapter: string;
  readonly cannotCopyModels =
    'the coordinator trains a population in slices on separate workers, which cannot copy models into each other: run population-based studies with `tuning-lab run`';

  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly options: RemoteEngineOptions,
    redisUrl: string,
  ) {
    this.kind = options.engine;
    this.adapter = `BullMQ workers (${options.engine}) via ${redisUrl.replace(/\/\/[^@/]*@/, '//')}`;
  }

  static async start(redis: Redis, redisUrl: string, options: RemoteEngineOptions): Promise<RemoteEngine> {
    await storeStudy(redis, options.studyKey, options.study);
    const name = queueName(options.engine);
    const queue = new Queue(name, { connection: redis });
    const events = new QueueEvents(name, { connection: redis });
    await events.waitUntilReady();
    return new RemoteEngine(queue, events, options, redisUrl);
  }

  async train(job: PopulationJob, onReport?: ReportHandler, signal?: AbortSignal): Promise<PopulationResult> {
    const { trialsPerJob, studyKey } = this.options;
    const slices: SliceJob[] = [];
    for (let first = 0; first < job.models.length; first += trialsPerJob) {
      const models = job.models.slice(first, first + trialsPerJob);
      slices.push({
        studyKey,
        trialIds: models.map(this.options.trialIdOf),
        shape: job.shape,
        models,
        steps: job.steps,
        reportEvery: job.reportEvery,
        ...(job.divergenceFactor !== undefined ? { divergenceFactor: job.divergenceFactor } : {}),
      });
    }
    const aborted = new Promise<never>((_, reject) => {
      const abort = () => reject(new EngineError('aborted', 'the study was stopped'));
      if (signal?.aborted) abort();
      signal?.addEventListener('abort', abort, { once: true });
    });
    const results = await Promise.race([Promise.all(slices.map((slice) => this.trainSlice(slice))), aborted]);
    const merged = mergeSlices(results, job.models.length);
    for (const report of merged.reports) {
      if (signal?.aborted) throw new EngineError('aborted', 'the study was stopped');
      await onReport?.(report);
    }
    return merged;
  }

  /** Queues one slice (or finds it queued, done or in hand) and waits for its result. */
  private async trainSlice(slice: SliceJob): Promise<SliceResult> {
    const jobId = sliceJobId(slice);
    const queued = await this.queue.add('slice', slice, {
      jobId,
      removeOnComplete: { age: KEEP_SECONDS },
      removeOnFail: { age: KEEP_SECONDS },
    });
    // A slice that failed before a restart (e.g. its worker lost its GPU) gets another try.
    if ((await queued.getState()) === 'failed') await queued.retry();
    const text = (await queued.waitUntilFinished(this.events)) as string;
    return decodeResult(text);
  }

  dispose(): void {
    void this.close();
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
  }
}

/** The population's reports from its slices' (slices in model order); a slice that ended early (all its models diverged) reads as diverged after. */
export function mergeSlices(slices: readonly SliceResult[], models: number): PopulationResult {
  const steps = [...new Set(slices.flatMap((s) => s.reports.map((r) => r.step)))].sort((a, b) => a - b);
  const reports: ProgressReport[] = steps.map((step) => ({
    step,
    trainLoss: new Float32Array(models).fill(Number.NaN),
    trainAccuracy: new Float32Array(models).fill(Number.NaN),
    validationLoss: new Float32Array(models).fill(Number.NaN),
    validationAccuracy: new Float32Array(models).fill(Number.NaN),
    diverged: new Uint8Array(models).fill(1),
  }));
  const parameters: Float32Array[] = [];
  const statistics: Float32Array[] = [];
  const stoppedAtStep = new Int32Array(models);
  let first = 0;
  for (const slice of slices) {
    const n = slice.parameters.length;
    for (const report of slice.reports) {
      const into = reports[steps.indexOf(report.step)];
      into.trainLoss.set(report.trainLoss, first);
      into.trainAccuracy.set(report.trainAccuracy, first);
      into.validationLoss.set(report.validationLoss, first);
      into.validationAccuracy.set(report.validationAccuracy, first);
      into.diverged.set(report.diverged, first);
    }
    parameters.push(...slice.parameters);
    statistics.push(...slice.statistics);
    stoppedAtStep.set(slice.stoppedAtStep, first);
    first += n;
  }
  if (first !== models) throw new Error(`the workers sent ${first} models for a population of ${models}`);
  return { reports, parameters, statistics, stoppedAtStep };
}
