// The study library: every study ever run, kept in IndexedDB (idb) as a journal of its events
// plus a one-row summary for the list. Opening a study replays its journal through
// applyStudyEvent, so a reopened study is exactly the study that ran; a study whose page went
// away mid-run is found here and resumed. The list reads summaries only (never events), so a
// library of hundreds of studies opens at once.
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { StudyEvent } from './events.ts';
import { encodeStudyHash } from './link.ts';
import { upgradeSavedStudy } from './migrate.ts';
import { dataSetName, type StudySpec } from './spec.ts';
import {
  applyStudyEvent,
  bestTrialOf,
  eventsOfState,
  finishedCount,
  initialStudyState,
  type StudyState,
  type StudyStatus,
} from './state.ts';

export const LIBRARY_DB_NAME = 'tuning-lab';
/** 1: finished results only (never used by the page); 2: the event journal. */
const DB_VERSION = 2;

/** One row of the library list: what it shows without reading the study's events. */
export interface LibraryEntry {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** The share link's hash of the study as run (`#study=v…`). */
  hash: string;
  spec: StudySpec;
  status: StudyStatus;
  trials: number;
  finishedTrials: number;
  bestObjective?: number;
  /** e.g. "WebGPU · swiftshader (Google)". */
  engine?: string;
  /** Events journaled so far (the next event's sequence number). */
  events: number;
}

/** Bumped when an event's shape changes incompatibly; records of another version are skipped on replay. */
export const JOURNAL_VERSION = 1;

interface JournalRecord {
  studyId: number;
  seq: number;
  v: number;
  event: StudyEvent;
}

interface LibraryDb extends DBSchema {
  entries: { key: number; value: Omit<LibraryEntry, 'id'> & { id?: number }; indexes: { updatedAt: number } };
  journal: { key: [number, number]; value: JournalRecord };
}

/** A study's events, replayed, and its row. */
export interface OpenedStudy {
  entry: LibraryEntry;
  state: StudyState;
  /** Journal records that could not be read (another version, damaged) and were left out. */
  skipped: number;
}

export interface StudyLibrary {
  /** A new entry for a study about to run; returns its id. */
  create(spec: StudySpec, name: string, now?: number): Promise<number>;
  /**
   * Appends events (in order, one transaction) and refreshes the entry's summary from the
   * state they led to. Fails as a whole: nothing half-written.
   */
  append(id: number, events: readonly StudyEvent[], state: StudyState, now?: number): Promise<void>;
  /** Adds a study from elsewhere (an exported file) as a new entry whose journal replays to `state`. */
  importStudy(state: StudyState, name: string, now?: number): Promise<number>;
  /** Newest first by creation (newestFirst). */
  list(): Promise<LibraryEntry[]>;
  open(id: number): Promise<OpenedStudy | undefined>;
  rename(id: number, name: string): Promise<void>;
  remove(id: number): Promise<void>;
  close(): void;
}

export function summarize(
  state: StudyState,
): Pick<LibraryEntry, 'status' | 'trials' | 'finishedTrials' | 'bestObjective' | 'engine'> {
  const best = bestTrialOf(state.trials.values());
  return {
    status: state.status,
    trials: state.trials.size,
    finishedTrials: finishedCount(state),
    ...(best ? { bestObjective: best.objective } : {}),
    // A CPU engine's adapter names it already ("CPU (TypeScript)"); a GPU adapter does not.
    ...(state.engine
      ? { engine: state.engine.kind === 'webgpu' ? `WebGPU · ${state.engine.adapter}` : state.engine.adapter }
      : {}),
  };
}

export { dataSetName };

/** A default name: what the study searches, on which data. */
export function defaultStudyName(spec: StudySpec): string {
  return `${spec.scheduler.kind} on ${dataSetName(spec.data)}`;
}

/**
 * The library's order: newest first by creation, the date the list shows. (By last update a
 * running study would jump to the top on every write, and a resumed old one would sit above
 * newer studies under an older date.)
 */
export function newestFirst(
  a: Pick<LibraryEntry, 'id' | 'createdAt'>,
  b: Pick<LibraryEntry, 'id' | 'createdAt'>,
): number {
  return b.createdAt - a.createdAt || b.id - a.id;
}

export async function openStudyLibrary(name = LIBRARY_DB_NAME): Promise<StudyLibrary> {
  const db: IDBPDatabase<LibraryDb> = await openDB<LibraryDb>(name, DB_VERSION, {
    upgrade(database, oldVersion) {
      // Version 1's store held finished results that no page ever wrote: nothing to carry over.
      if (oldVersion < 2 && database.objectStoreNames.contains('studies' as never))
        database.deleteObjectStore('studies' as never);
      database
        .createObjectStore('entries', { keyPath: 'id', autoIncrement: true })
        .createIndex('updatedAt', 'updatedAt');
      database.createObjectStore('journal', { keyPath: ['studyId', 'seq'] });
    },
  });
  const studyEvents = (id: number) => IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
  const library: StudyLibrary = {
    async create(spec, studyName, now = Date.now()) {
      return db.add('entries', {
        name: studyName,
        createdAt: now,
        updatedAt: now,
        hash: encodeStudyHash(spec),
        spec,
        status: 'draft',
        trials: 0,
        finishedTrials: 0,
        events: 0,
      });
    },
    async importStudy(state, studyName, now = Date.now()) {
      const id = await library.create(state.spec, studyName, now);
      await library.append(id, eventsOfState(state), state, now);
      return id;
    },
    async append(id, events, state, now = Date.now()) {
      const tx = db.transaction(['entries', 'journal'], 'readwrite');
      const entries = tx.objectStore('entries');
      const entry = await entries.get(id);
      if (!entry) throw new Error(`study ${id} is not in the library (was it deleted?)`);
      const journal = tx.objectStore('journal');
      let seq = entry.events;
      for (const event of events) void journal.put({ studyId: id, seq: seq++, v: JOURNAL_VERSION, event });
      // The spec changes only when a study is extended: its link is deflated again only then.
      const hash = JSON.stringify(state.spec) === JSON.stringify(entry.spec) ? entry.hash : encodeStudyHash(state.spec);
      await entries.put({ ...entry, ...summarize(state), spec: state.spec, hash, events: seq, updatedAt: now });
      await tx.done;
    },
    async list() {
      return ((await db.getAll('entries')) as LibraryEntry[])
        .map((entry) => ({ ...entry, spec: upgradeSavedStudy(entry.spec) }))
        .sort(newestFirst);
    },
    async open(id) {
      const stored = (await db.get('entries', id)) as LibraryEntry | undefined;
      if (!stored) return undefined;
      // A study saved by an earlier version gains the rows added since (migrate.ts); its trials stay as they ran.
      const entry = { ...stored, spec: upgradeSavedStudy(stored.spec) };
      const records = await db.getAll('journal', studyEvents(id));
      let state = initialStudyState(entry.spec);
      let skipped = 0;
      for (const record of records) {
        try {
          if (record.v !== JOURNAL_VERSION || typeof record.event?.type !== 'string')
            throw new Error('unreadable record');
          state = applyStudyEvent(state, record.event);
        } catch {
          skipped++;
        }
      }
      return { entry, state, skipped };
    },
    async rename(id, newName) {
      const entry = await db.get('entries', id);
      if (entry) await db.put('entries', { ...entry, name: newName });
    },
    async remove(id) {
      const tx = db.transaction(['entries', 'journal'], 'readwrite');
      void tx.objectStore('journal').delete(studyEvents(id));
      void tx.objectStore('entries').delete(id);
      await tx.done;
    },
    close() {
      db.close();
    },
  };
  return library;
}
