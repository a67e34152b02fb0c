// Writes a running study's events to its library entry as they happen, batched: one
// IndexedDB transaction per FLUSH_MS at most, so journaling costs a small share of the study.
// Storage may fail (private mode, quota exceeded, a broken database): the first failure is
// reported once, writing stops, and the study goes on in memory — it never takes the study down.
import type { StudyEvent } from './events.ts';
import type { StudyLibrary } from './library.ts';
import type { StudyState } from './state.ts';

const FLUSH_MS = 250;

export class StudyJournal {
  private pending: StudyEvent[] = [];
  private latest: StudyState | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    private readonly library: StudyLibrary,
    readonly studyId: number,
    /** Called once, with a message for the user, when storage fails. */
    private readonly onFault: (message: string) => void,
  ) {}

  /** Queues an event; `state` is the study after it (the entry's summary is refreshed from it at the flush). */
  record(event: StudyEvent, state: StudyState): void {
    if (this.failed) return;
    this.pending.push(event);
    this.latest = state;
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is queued; resolves when every event recorded so far is stored (or storage failed). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending;
    const state = this.latest;
    this.pending = [];
    if (events.length === 0 || !state || this.failed) return this.writing;
    this.writing = this.writing.then(() =>
      this.failed
        ? undefined
        : this.library.append(this.studyId, events, state).catch((e: unknown) => {
            this.failed = true;
            this.pending = [];
            this.onFault(storageFault(e));
          }),
    );
    return this.writing;
  }
}

/** What a storage failure means for the user. */
export function storageFault(e: unknown): string {
  const name = (e as { name?: string })?.name;
  const why =
    name === 'QuotaExceededError'
      ? 'the browser’s storage for this site is full'
      : `the browser refused to store it (${(e as Error)?.message ?? String(e)})`;
  return `This study is no longer being saved: ${why}. It goes on in this tab; export it (JSON) before closing the tab, or free space and run it again.`;
}
