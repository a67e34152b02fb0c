// What the coordinator and its workers say to each other through Redis. A study is stored
// once under its key (its spec and, for a CSV study, the file's text); each job is a slice of
// one population (shape, models with their seeds, steps) and its id is a hash of exactly
// that, so a restarted coordinator that queues the same slice again finds the job already
// there, done or in hand, instead of training it twice. A worker answers with every report
// and the final parameters in exact JSON: the coordinator replays them through the runner as
// if a local engine had sent them.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { StudySpec } from '../study/spec.ts';
import type { ModelHyper, PopulationShape, ProgressReport } from '../train/types.ts';
import { type Engine, EXIT } from './args.ts';
import { fromExactJson, toExactJson } from './exact-json.ts';
import { CliFailure, type CsvFile } from './study-inputs.ts';

/** One queue per engine: a study trains on one engine throughout, whichever workers take its jobs. */
export const queueName = (engine: Engine) => `tuning-lab-${engine}`;

/** A week: long enough for any coordinator restart to find its results. */
export const KEEP_SECONDS = 7 * 24 * 3600;

export interface StoredStudy {
  spec: StudySpec;
  csv?: CsvFile;
}

export interface SliceJob {
  studyKey: string;
  /** The study's trial ids of these models, for the workers' log lines. */
  trialIds: number[];
  shape: PopulationShape;
  models: ModelHyper[];
  steps: number;
  reportEvery: number;
  divergenceFactor?: number;
}

export interface SliceResult {
  reports: ProgressReport[];
  parameters: Float32Array[];
  statistics: Float32Array[];
  stoppedAtStep: Int32Array;
  /** The worker's adapter, e.g. "CPU (TypeScript)". */
  adapter: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The study's key: a hash of its spec and data file, so two different studies never share jobs. */
export function studyKeyOf(study: StoredStudy): string {
  return sha256(toExactJson(study)).slice(0, 16);
}

const studyRedisKey = (studyKey: string) => `tuning-lab:study:${studyKey}`;

export async function storeStudy(redis: Redis, studyKey: string, study: StoredStudy): Promise<void> {
  await redis.set(studyRedisKey(studyKey), toExactJson(study), 'EX', KEEP_SECONDS);
}

export async function loadStoredStudy(redis: Redis, studyKey: string): Promise<StoredStudy> {
  const text = await redis.get(studyRedisKey(studyKey));
  if (text === null) throw new Error(`study ${studyKey} is not in Redis (its coordinator stores it when it starts)`);
  return fromExactJson(text) as StoredStudy;
}

/** Content-addressed: the same slice of the same study always gets the same id. */
export function sliceJobId(job: SliceJob): string {
  return `${job.studyKey}-${sha256(JSON.stringify(job)).slice(0, 24)}`;
}

export const encodeResult = (result: SliceResult): string => toExactJson(result);
export const decodeResult = (text: string): SliceResult => fromExactJson(text) as SliceResult;

/**
 * A connection to the Redis at `url`, checked with a PING within 10 s; CliFailure (exit 5)
 * saying so when it cannot be reached. BullMQ needs maxRetriesPerRequest null (its blocking
 * commands wait indefinitely); later outages are retried, not fatal.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  let lastError = 'no answer within 10 s';
  redis.on('error', (e: Error) => (lastError = e.message));
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error(lastError)), 10_000).unref()),
    ]);
  } catch (e) {
    redis.disconnect();
    throw new CliFailure(
      `Redis at ${url} cannot be reached (${(e as Error).message}). Start Redis there, or pass its URL with --redis.`,
      EXIT.noRedis,
    );
  }
  return redis;
}
