// Finished studies kept in IndexedDB (idb), so a user can reopen one after a reload. Each
// record holds the study's result (params, curves, states) and its share link.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { encodeStudyHash } from './link.ts';
import type { StudyResult } from './record.ts';

export const STUDY_DB_NAME = 'tuning-lab';
const STUDIES = 'studies';

export interface StoredStudy {
  id: number;
  savedAt: number;
  /** The share link's hash (`#study=v1.…`) of the study. */
  hash: string;
  result: StudyResult;
}

/** What a list of saved studies shows, without the curves. */
export interface StoredStudySummary {
  id: number;
  savedAt: number;
  hash: string;
  trials: number;
  bestObjective?: number;
  engine: string;
}

interface LabDb extends DBSchema {
  studies: { key: number; value: Omit<StoredStudy, 'id'> & { id?: number }; indexes: { savedAt: number } };
}

export interface StudyStore {
  save(result: StudyResult, savedAt?: number): Promise<number>;
  /** Newest first. */
  list(): Promise<StoredStudySummary[]>;
  get(id: number): Promise<StoredStudy | undefined>;
  remove(id: number): Promise<void>;
  close(): void;
}

export async function openStudyStore(name = STUDY_DB_NAME): Promise<StudyStore> {
  const db: IDBPDatabase<LabDb> = await openDB<LabDb>(name, 1, {
    upgrade(database) {
      database.createObjectStore(STUDIES, { keyPath: 'id', autoIncrement: true }).createIndex('savedAt', 'savedAt');
    },
  });
  return {
    async save(result, savedAt = Date.now()) {
      return db.add(STUDIES, { savedAt, hash: encodeStudyHash(result.spec), result });
    },
    async list() {
      const records = await db.getAllFromIndex(STUDIES, 'savedAt');
      return records.reverse().map(({ id, savedAt, hash, result }) => {
        const best = result.trials.find((t) => t.id === result.bestTrialId);
        return { id: id as number, savedAt, hash, trials: result.trials.length, engine: result.engine.adapter, ...(best ? { bestObjective: best.objective } : {}) };
      });
    },
    async get(id) {
      return (await db.get(STUDIES, id)) as StoredStudy | undefined;
    },
    async remove(id) {
      await db.delete(STUDIES, id);
    },
    close() {
      db.close();
    },
  };
}
