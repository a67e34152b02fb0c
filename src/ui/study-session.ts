// One study as the page holds it: its state (the fold of the worker's events, see state.ts),
// its library entry and journal, and the trainer run that feeds it. The page renders it; this
// class keeps the rules: every event is folded and journaled in order, storage faults and a
// dead worker become notices (the study goes on in memory, or waits to be resumed), never a
// page stuck in "running".
import { loadStudyData } from '../study/data.ts';
import type { LiveBest, StudyEvent } from '../study/events.ts';
import { StudyJournal, storageFault } from '../study/journal.ts';
import { defaultStudyName, type StudyLibrary } from '../study/library.ts';
import type { TrainedModel } from '../study/record.ts';
import type { StudySpec } from '../study/spec.ts';
import { applyStudyEvent, initialStudyState, isActive, type StudyState } from '../study/state.ts';
import type { TrainingData } from '../train/types.ts';
import type { RunInputs } from '../worker/api.ts';
import { type Trainer, TrainerLostError } from '../worker/client.ts';

/** The Web Lock a tab holds while it trains a library study, so other tabs do not offer to resume it. */
export function studyLockName(studyId: number): string {
  return `tuning-lab-study-${studyId}`;
}

/** Library studies some tab is training now (their locks are held). */
export async function studiesTrainingElsewhere(): Promise<Set<string>> {
  const held = (await navigator.locks?.query())?.held ?? [];
  return new Set(held.flatMap((lock) => (lock.name ? [lock.name] : [])));
}

export class StudySession {
  state: StudyState;
  /** Its library entry, once it has one (a study run while storage is unavailable has none). */
  studyId?: number;
  name: string;
  /** When this page started and ended training it (performance.now ms). */
  startedAt?: number;
  endedAt?: number;
  /** The study's elapsed time before this page started training it (a resumed study's earlier sessions). */
  elapsedBefore = 0;
  /** What the page says about this study beyond its events: storage problems, why it cannot resume here. */
  notice?: string;
  /** The 2-D data the best model's boundary is drawn over. */
  boundaryData?: TrainingData;
  /** The latest live best of this page's run (events.ts LiveBest): never stored, gone on reload. */
  liveBest?: Exclude<LiveBest, null>;
  private journal?: StudyJournal;

  constructor(state: StudyState, options: { studyId?: number; name?: string } = {}) {
    this.state = state;
    this.studyId = options.studyId;
    this.name = options.name ?? defaultStudyName(state.spec);
  }

  static draft(spec: StudySpec): StudySession {
    return new StudySession(initialStudyState(spec));
  }

  get active(): boolean {
    return isActive(this.state.status);
  }

  /**
   * Trains the study (from scratch, or on from its state: resume or extend, with `spec`'s
   * budget) to its end. `changed` is called after every folded event.
   */
  async run(
    trainer: Trainer,
    spec: StudySpec,
    inputs: Omit<RunInputs, 'history'>,
    library: StudyLibrary | undefined,
    changed: () => void,
  ): Promise<void> {
    const history = this.state.trials.size > 0 ? structuredClone(this.state) : undefined;
    this.state.spec = spec;
    this.state.status = 'running';
    this.elapsedBefore = this.state.elapsedMs;
    this.startedAt = performance.now();
    this.endedAt = undefined;
    await this.openJournal(library);
    if (this.studyId !== undefined && navigator.locks) {
      const studyId = this.studyId;
      return navigator.locks.request(studyLockName(studyId), { ifAvailable: true }, (lock) => {
        if (lock) return this.train(trainer, spec, inputs, history, changed);
        this.state.status = history?.status ?? 'interrupted';
        this.notice = 'Another tab is training this study now; open it there, or wait until it ends.';
        changed();
      });
    }
    return this.train(trainer, spec, inputs, history, changed);
  }

  private async train(
    trainer: Trainer,
    spec: StudySpec,
    inputs: Omit<RunInputs, 'history'>,
    history: StudyState | undefined,
    changed: () => void,
  ): Promise<void> {
    const apply = (event: StudyEvent) => {
      this.state = applyStudyEvent(this.state, event);
      this.journal?.record(event, this.state);
      if (event.type === 'model-kept') void this.loadBoundaryData(inputs.csv).then(changed);
      changed();
    };
    const live = (best: LiveBest) => {
      this.liveBest = best ?? undefined;
      if (best && 'model' in best) void this.loadBoundaryData(inputs.csv, best.model).then(changed);
      changed();
    };
    this.liveBest = undefined;
    try {
      await trainer.run(spec, apply, { ...inputs, ...(history ? { history } : {}) }, live);
    } catch (e) {
      const why = e instanceof TrainerLostError ? e.message : `the trainer failed: ${(e as Error).message}`;
      apply({
        type: 'study-interrupted',
        message: `Training stopped: ${why}. Finished trials are kept${this.studyId !== undefined ? ' and saved' : ''}; press Resume to go on (trials in flight start again from step 0).`,
      });
      throw e;
    } finally {
      this.endedAt = performance.now();
      await this.journal?.flush();
      changed();
    }
  }

  /** Writes what is still queued (the page is going away). */
  flush(): Promise<void> {
    return this.journal?.flush() ?? Promise.resolve();
  }

  private async openJournal(library: StudyLibrary | undefined): Promise<void> {
    if (!library) return;
    try {
      this.studyId ??= await library.create(this.state.spec, this.name);
      this.journal = new StudyJournal(library, this.studyId, (message) => (this.notice = message));
    } catch (e) {
      this.notice = storageFault(e);
    }
  }

  /** Builds the data `model`'s boundary is drawn over (2-D data only; a CSV study needs its file). */
  async loadBoundaryData(
    csv?: RunInputs['csv'],
    model: TrainedModel | undefined = this.state.bestModel,
  ): Promise<void> {
    if (this.boundaryData || model?.shape.inputs !== 2) return;
    // The worker built the same data from the same spec; the page rebuilds it to draw the points.
    this.boundaryData = await loadStudyData(this.state.spec.data, csv ? { csv } : {}).catch(() => undefined);
  }
}
