// The coordinator's journal: the study's events appended to a file as they happen, one exact
// JSON line each (exact-json.ts) after a header naming the study. Replayed through the lab's
// reducer (foldStudyEvents, as the lab replays its IndexedDB journal) it gives the study's
// state, which a restarted coordinator hands to the runner to resume.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { StudyEvent } from '../study/events.ts';
import type { StudySpec } from '../study/spec.ts';
import { foldStudyEvents, type StudyState } from '../study/state.ts';
import { fromExactJson, toExactJson } from './exact-json.ts';

const FORMAT = 'tuning-lab journal';
const VERSION = 1;

interface Header {
  format: typeof FORMAT;
  version: number;
  studyKey: string;
}

export class FileJournal {
  private constructor(readonly path: string) {}

  /**
   * Opens the journal of study `studyKey` at `path`: a new file, or an existing one of the
   * same study, whose replayed state is returned. Throws (with the words for the user) on a
   * file that is not a journal, or the journal of another study.
   */
  static open(path: string, studyKey: string, spec: StudySpec): { journal: FileJournal; history?: StudyState } {
    const journal = new FileJournal(path);
    if (!existsSync(path)) {
      writeFileSync(path, `${JSON.stringify({ format: FORMAT, version: VERSION, studyKey } satisfies Header)}\n`);
      return { journal };
    }
    const lines = readFileSync(path, 'utf8').split('\n');
    // A coordinator killed mid-write leaves at most one partial last line: it is dropped (and overwritten).
    const complete = lines.slice(0, -1);
    let header: Partial<Header>;
    try {
      header = JSON.parse(complete[0] ?? '') as Partial<Header>;
    } catch {
      throw new Error(
        `${path} is not a tuning-lab journal (its first line is not one); name a new file with --journal.`,
      );
    }
    if (header.format !== FORMAT || header.version !== VERSION)
      throw new Error(`${path} is not a tuning-lab journal of version ${VERSION}; name a new file with --journal.`);
    if (header.studyKey !== studyKey)
      throw new Error(
        `${path} is the journal of another study (key ${header.studyKey}, this one is ${studyKey}); name a new file with --journal, or run the study it belongs to.`,
      );
    const events = complete.slice(1).map((line) => fromExactJson(line) as StudyEvent);
    if (lines.at(-1) !== '') writeFileSync(path, `${complete.join('\n')}\n`);
    return events.length > 0 ? { journal, history: foldStudyEvents(spec, events) } : { journal };
  }

  /** Appends an event before the study goes on, so a coordinator killed any time later has it. */
  append(event: StudyEvent): void {
    appendFileSync(this.path, `${toExactJson(event)}\n`);
  }
}
