import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { defaultStudyName, type LibraryEntry, openStudyLibrary, type StudyLibrary } from '../study/library.ts';
import { decodeStudyHash, encodeStudyHash, type LinkError } from '../study/link.ts';
import { whyStudyCannotRun } from '../study/preflight.ts';
import { STUDY_PRESETS } from '../study/presets.ts';
import type { TrainedModel } from '../study/record.ts';
import { dataShapeOf, dataTask, defaultStudy, type StudySpec } from '../study/spec.ts';
import { applyStudyEvent, canResume, foldStudyEvents, isActive, type StudyState } from '../study/state.ts';
import type { EngineChoice } from '../worker/api.ts';
import { connectTrainer, type Trainer } from '../worker/client.ts';
import './lab-best-history.ts';
import './lab-compare.ts';
import type { ComparedStudy } from './lab-compare.ts';
import './lab-export-menu.ts';
import type { ChartImage, StudyImportedDetail } from './lab-export-menu.ts';
import './lab-library.ts';
import type { LabUplot } from './lab-uplot.ts';
import './lab-data-editor.ts';
import './lab-decision-boundary.ts';
import type { DataChange } from './lab-data-editor.ts';
import './lab-contour.ts';
import './lab-importance.ts';
import './lab-loss-curves.ts';
import './lab-model-editor.ts';
import './lab-parallel-coords.ts';
import './lab-param-scatter.ts';
import './lab-run-controls.ts';
import './lab-scheduler-editor.ts';
import type { RunSettings } from './lab-scheduler-editor.ts';
import './lab-search-stages.ts';
import './lab-share-link.ts';
import './lab-space-table.ts';
import './lab-trial-detail.ts';
import './lab-trials-table.ts';
import { type Brushes, isBrushed, trialsInBrushes } from './parallel-brush.ts';
import { studyFromTrial } from './study-from-trial.ts';
import { StudySession, studiesTrainingElsewhere, studyLockName } from './study-session.ts';
import { panelStyles } from './styles.ts';
import type { SelectTrialEvent } from './trial-display.ts';
import { RetrainSuperseded, retrainInWorker } from './trial-model-client.ts';

/** Result views, in page order (see viewsShown). */
const RESULT_VIEWS = 10; // the entries of renderViews' list

/**
 * The lab page: the study editor, run controls, the study library and every view of the
 * study on screen. It owns the draft spec (mirrored into the URL hash on every edit; the
 * editor is locked while a study runs, so the link always describes the study on screen) and
 * the trainer worker; the page never trains. The study on screen is a StudySession: worker
 * events are folded into its state and journaled as they arrive, and the views re-render at
 * most once per animation frame.
 */
@customElement('tuning-lab')
export class TuningLab extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host { display: block; position: relative; max-width: 1280px; margin: 0 auto; padding: 0.8rem 1rem 2rem; }
      header { display: flex; flex-wrap: wrap; gap: 0.6rem 1.2rem; align-items: center; justify-content: space-between; margin-bottom: 0.6rem; }
      h1 { font-size: 1.3rem; margin: 0; color: var(--lab-accent, #1d3557); }
      .tagline { color: var(--lab-muted, #5b6570); font-size: 0.85rem; }
      /* Containment keeps a view's live updates from re-laying out the rest of the page. */
      .card { background: var(--lab-surface, #fff); border: 1px solid var(--lab-border, #dde2e7); border-radius: 8px; padding: 0.7rem 0.9rem; margin-bottom: 0.8rem; contain: content; }
      .editor { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8rem 1.2rem; }
      .editor > .wide { grid-column: 1 / -1; }
      /* Grid items may shrink below their content's width (a wide table scrolls inside its card instead of pushing the page wider). */
      .editor > *, .views > * { min-width: 0; }
      .skip { position: absolute; left: 0.5rem; top: -3rem; z-index: 10; padding: 0.4rem 0.8rem; background: var(--lab-accent, #1d3557); color: var(--lab-on-accent, #fff); border-radius: 4px; }
      .skip:focus { top: 0.5rem; }
      .editor[inert] { opacity: 0.6; }
      .views { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8rem; }
      .views > .wide { grid-column: 1 / -1; }
      .views > .card { margin-bottom: 0; }
      .engine { font-size: 0.8rem; color: var(--lab-ink, #333a42); }
      .library { overflow-x: auto; margin-top: 0.8rem; }
      .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-top: 0.5rem; }
      @media (max-width: 860px) { .editor, .views { grid-template-columns: 1fr; } }
      @media (max-width: 480px) { :host { padding: 0.5rem 0.5rem 2rem; } .card { padding: 0.6rem 0.6rem; } }
    `,
  ];

  @state() private spec: StudySpec = defaultStudy();
  @state() private linkError?: LinkError;
  /** Said when a link from an earlier version opened migrated (its results may differ). */
  @state() private linkNotice?: string;
  /** The chosen CSV's content (a link names the file but cannot carry it). */
  @state() private csv?: { fileName: string; text: string };
  /** Set when the chosen CSV is not the file the study's link pinned: such a run does not reproduce the link. */
  @state() private csvMismatch?: string;
  /** True while the user picked "my CSV" and has no usable file yet. */
  @state() private csvPending = false;
  /** The study on screen: running, or opened from the library. */
  @state() private session?: StudySession;
  /** Unfinished studies found in the library when the page opened. */
  @state() private resumable: LibraryEntry[] = [];
  @state() private libraryNotice?: string;
  /** The library's rows (refreshed when a study starts or ends, and after every library action). */
  @state() private entries: LibraryEntry[] = [];
  /** Studies being compared side by side. */
  @state() private comparing?: ComparedStudy[];
  /** Bumped once per animation frame in which the study changed. */
  @state() private revision = 0;
  @state() private now = performance.now();
  @state() private extendBy = 16;
  /** The engine runs ask for (lab-run-controls' select). */
  @state() private engine: EngineChoice = 'auto';
  /** The question to answer before a long study runs (Run was pressed once). */
  @state() private confirmRun?: string;
  /**
   * Result views on the page. They appear one per animation frame after the first run
   * starts (later runs reuse them): creating all of them (shadow roots, styles, first
   * layout) in the frame that starts a run took one 40–55 ms task.
   */
  @state() private viewsShown = 0;
  /** The trial selected in the views (a click on its curve, point or row). */
  @state() private selectedTrialId?: number;
  /** The selected trial's model, trained again in a worker (the study keeps only the best one's). */
  @state() private selectedModel?: TrainedModel;
  @state() private selectedModelError?: string;
  /** The parallel coordinates' brushes: they filter the table and fade the curves outside them. */
  @state() private brushes: Brushes = {};
  /** Said above the editor after "Run a new study from this trial". */
  @state() private draftNotice?: string;

  /** The trial whose model is being trained again now. */
  private retraining?: number;
  private shareUrl = '';
  private blocked?: string;
  private trainer?: Trainer;
  /** The library, or undefined where IndexedDB cannot be used (then studies live in memory only). */
  private readonly library: Promise<StudyLibrary | undefined> = openStudyLibrary().catch((e: unknown) => {
    this.libraryNotice = `Studies will not be saved in this browser: its storage cannot be opened (${(e as Error)?.message ?? e}). Everything works in this tab; export a study (JSON) to keep it.`;
    return undefined;
  });
  private frame = 0;
  private revealFrame = 0;
  private clock = 0;
  private readonly onHashChange = () => this.loadFromHash();
  /** Warns before a reload or close loses a running study's in-flight trials (finished ones are journaled). */
  private readonly onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (!this.session?.active) return;
    void this.session.flush();
    event.preventDefault();
    event.returnValue = '';
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.loadFromHash();
    window.addEventListener('hashchange', this.onHashChange);
    window.addEventListener('beforeunload', this.onBeforeUnload);
    void this.findResumable();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    cancelAnimationFrame(this.frame);
    cancelAnimationFrame(this.revealFrame);
    this.revealFrame = 0;
    clearInterval(this.clock);
    this.trainer?.terminate();
    this.trainer = undefined;
  }

  /** Opens the study in the hash; a bad link shows its error over the default study and changes nothing. */
  private loadFromHash(): void {
    if (location.hash === encodeStudyHash(this.spec)) return;
    const decoded = decodeStudyHash(location.hash);
    this.linkNotice = undefined;
    if (decoded.ok) {
      this.linkError = undefined;
      this.spec = decoded.spec ?? defaultStudy();
      if (decoded.spec) this.linkNotice = decoded.notice;
    } else {
      this.linkError = decoded.error;
      this.spec = defaultStudy();
    }
  }

  /** Every edit lands here: the link follows the study without adding history entries. */
  /** The editor's study becomes a preset (presets.ts), as if typed in. */
  private startFromPreset(id: string): void {
    const preset = STUDY_PRESETS.find((p) => p.id === id);
    if (!preset) return;
    this.csvPending = false; // a preset's data is built in, never a CSV to choose
    this.edit(preset.study());
  }

  private edit(spec: StudySpec): void {
    if (this.session?.active) return; // the editor is locked while a study runs
    this.spec = spec;
    this.linkError = undefined;
    this.draftNotice = undefined;
    history.replaceState(null, '', encodeStudyHash(spec));
  }

  /**
   * The link and whether the study can run follow the study, not the frames: both are
   * worked out once per edit (a deflate and a schema check), never per training frame.
   */
  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('spec')) this.shareUrl = `${location.origin}${location.pathname}${encodeStudyHash(this.spec)}`;
    if (changed.has('session')) {
      this.selectTrial(undefined);
      this.brushes = {};
    }
    if (changed.has('spec') || changed.has('csv') || changed.has('csvPending')) {
      this.blocked = this.whyBlocked(this.spec);
      if (changed.has('spec')) this.confirmRun = undefined;
    }
  }

  /** Why `spec` cannot run here, or undefined when it can (the schema's rules and the cost of its largest population). */
  private whyBlocked(spec: StudySpec): string | undefined {
    if (this.csvPending) return 'Choose a usable CSV file to run.';
    if (spec.data.kind === 'csv' && this.csv?.fileName !== spec.data.fileName)
      return `This study trains on ${spec.data.fileName}: choose that file under Data to run it.`;
    const { refuse } = whyStudyCannotRun(spec);
    return refuse ? `The study cannot run: ${refuse}` : undefined;
  }

  private onData(change: DataChange): void {
    this.csvPending = change.data === undefined;
    if (change.csv) this.csv = change.csv;
    if (change.csvPin) this.csvMismatch = change.csvPin.status === 'different' ? change.csvPin.message : undefined;
    if (change.data) this.edit({ ...this.spec, data: change.data });
  }

  private async findResumable(): Promise<void> {
    await this.refreshLibrary();
    const elsewhere = await studiesTrainingElsewhere();
    this.resumable = this.entries.filter((entry) => canResume(entry) && !elsewhere.has(studyLockName(entry.id)));
  }

  private async refreshLibrary(): Promise<void> {
    const library = await this.library;
    if (!library) return;
    try {
      this.entries = await library.list();
    } catch (e) {
      this.libraryNotice = `The study library could not be read (${(e as Error).message}); new studies are still saved.`;
    }
  }

  private async renameStudy(id: number, name: string): Promise<void> {
    await (await this.library)?.rename(id, name);
    if (this.session?.studyId === id) this.session.name = name;
    await this.refreshLibrary();
  }

  private async deleteStudy(id: number): Promise<void> {
    await (await this.library)?.remove(id);
    if (this.session?.studyId === id && !this.session.active) this.session = undefined;
    this.comparing = this.comparing?.filter((s) => s.id !== id);
    await this.refreshLibrary();
  }

  /** A study file imported: journaled as a new library study and shown. */
  private async importStudy({ study, events }: StudyImportedDetail): Promise<void> {
    const library = await this.library;
    const state = foldStudyEvents(study.spec, events);
    const name = `${defaultStudyName(study.spec)} (imported)`;
    const studyId = await library?.importStudy(state, name).catch((e: unknown) => {
      this.libraryNotice = `The imported study is shown but could not be saved: ${(e as Error).message}`;
      return undefined;
    });
    if (this.session?.active) return;
    this.session = new StudySession(state, { ...(studyId !== undefined ? { studyId } : {}), name });
    void this.session.loadBoundaryData(this.csv).then(() => this.scheduleFrame());
    this.spec = study.spec;
    history.replaceState(null, '', encodeStudyHash(this.spec));
    await this.refreshLibrary();
  }

  /** The result charts, found when a PNG is asked for (they are built and rebuilt by their views). */
  private readonly charts: ChartImage[] = [
    { label: 'loss curves', name: 'loss-curves', view: 'lab-loss-curves' },
    { label: 'best so far', name: 'best-so-far', view: 'lab-best-history' },
  ].map(({ label, name, view }) => ({
    label,
    name,
    png: () => {
      const chart = this.renderRoot.querySelector(view)?.shadowRoot?.querySelector<LabUplot>('lab-uplot');
      return chart ? chart.png() : Promise.reject(new Error(`the ${label} chart is not on the page yet`));
    },
  }));

  private async compareStudies(ids: number[]): Promise<void> {
    const library = await this.library;
    if (!library) return;
    const opened = await Promise.all(ids.map((id) => library.open(id)));
    this.comparing = opened.flatMap((o) => (o ? [{ id: o.entry.id, name: o.entry.name, state: o.state }] : []));
  }

  private selectTrial(trialId: number | undefined): void {
    this.selectedTrialId = trialId;
    this.selectedModel = undefined;
    this.selectedModelError = undefined;
  }

  /** The selected trial's model, once it has ended: the kept best model, or trained again (see trial-model.ts). */
  private fetchSelectedModel(): void {
    const session = this.session;
    const id = this.selectedTrialId;
    const trial = id === undefined ? undefined : session?.state.trials.get(id);
    if (!session?.boundaryData || !trial || trial.state === 'RUNNING' || trial.state === 'FAILED') return;
    if (session.state.bestModel?.trialId === id || this.selectedModel?.trialId === id) return;
    if (this.retraining === id || this.selectedModelError) return;
    this.retraining = id;
    retrainInWorker({ spec: session.state.spec, trial, data: session.boundaryData }).then(
      (model) => {
        if (this.selectedTrialId === id) this.selectedModel = model;
        this.retraining = undefined;
      },
      (e: Error) => {
        if (e instanceof RetrainSuperseded) return;
        if (this.selectedTrialId === id) this.selectedModelError = e.message;
        this.retraining = undefined;
      },
    );
  }

  /**
   * What the boundary card draws: the selected trial's model when one is selected, else the
   * best's — live while a running trial is the best (StudySession.liveBest); or why it waits.
   */
  private boundaryOf(session: StudySession): {
    model?: TrainedModel;
    pending?: string;
    liveStep?: number;
    note?: string;
  } {
    const study = session.state;
    const live = session.active ? session.liveBest : undefined;
    const running = live && 'model' in live && study.trials.get(live.trialId)?.state === 'RUNNING' ? live : undefined;
    const id = this.selectedTrialId;
    const trial = id === undefined ? undefined : study.trials.get(id);
    if (running && (!trial || running.trialId === id)) return { model: running.model, liveStep: running.step };
    if (!trial)
      return {
        model: study.bestModel,
        ...(live && 'unavailable' in live ? { note: `No live boundary while it trains: ${live.unavailable}.` } : {}),
      };
    if (study.bestModel?.trialId === id) return { model: study.bestModel };
    if (this.selectedModel?.trialId === id) return { model: this.selectedModel };
    if (trial.state === 'RUNNING')
      return { pending: `Trial #${id} is still training: its boundary appears when it ends.` };
    if (trial.state === 'FAILED') return { pending: `Trial #${id} failed, so it has no model to draw.` };
    if (this.selectedModelError)
      return { pending: `Trial #${id}'s boundary cannot be drawn: ${this.selectedModelError}` };
    return {
      pending: `Training trial #${id} again on the CPU engine from its seeds (the study keeps only the best trial's model)…`,
    };
  }

  private brush(axis: string, range: [number, number] | undefined): void {
    const { [axis]: _old, ...others } = this.brushes;
    this.brushes = range ? { ...others, [axis]: range } : others;
  }

  /** A new draft in the editor: the study on screen, searching around one of its trials. */
  private draftFromTrial(trialId: number): void {
    const study = this.session?.state;
    const trial = study?.trials.get(trialId);
    if (!study || !trial || this.session?.active) return;
    this.draft(
      studyFromTrial(study.spec, trial),
      `The editor holds a new study around trial #${trialId}: every hyperparameter at its value, each searched range halved around it. Press Run to run it.`,
    );
  }

  /** A new study in the editor, not yet run, with a notice that says where it came from; the editor scrolled into view. */
  private draft(spec: StudySpec, notice: string): void {
    this.edit(spec);
    this.draftNotice = notice;
    this.renderRoot.querySelector('[data-testid=study-editor]')?.scrollIntoView({ block: 'start' });
  }

  /** Runs the draft as a new study; one that would take long asks first (see confirmRun). */
  private startRun(confirmed = false): void {
    if (this.blocked || this.session?.active) return;
    const { confirm } = whyStudyCannotRun(this.spec);
    this.confirmRun = confirmed ? undefined : confirm;
    if (this.confirmRun) return;
    void this.train(StudySession.draft(this.spec), this.spec);
  }

  /** Trains `session` with `spec` (its own, or a larger budget to extend it) and shows it. */
  private async train(session: StudySession, spec: StudySpec): Promise<void> {
    this.trainer ??= connectTrainer();
    this.session = session;
    this.resumable = this.resumable.filter((entry) => entry.id !== session.studyId);
    clearInterval(this.clock);
    this.clock = window.setInterval(() => (this.now = performance.now()), 1000);
    const csv = spec.data.kind === 'csv' ? this.csv : undefined;
    let listed = false;
    try {
      await session.run(
        this.trainer,
        spec,
        { ...(csv ? { csv } : {}), engine: this.engine },
        await this.library,
        () => {
          if (!listed && session.studyId !== undefined) void this.refreshLibrary();
          listed = true;
          this.scheduleFrame();
        },
      );
    } catch {
      // The worker died or stopped answering: the session says so; a new worker serves the next run.
      this.trainer?.terminate();
      this.trainer = undefined;
    }
    clearInterval(this.clock);
    void this.refreshLibrary();
    this.scheduleFrame();
  }

  /** Opens a study from the library (replayed from its journal) in the views and the editor. */
  private async openStudy(id: number): Promise<StudySession | undefined> {
    if (this.session?.active) return undefined;
    const opened = await (await this.library)?.open(id);
    if (!opened) return undefined;
    // Found active in the journal, it is not training here (nor in another tab: see findResumable): its page went away.
    const state = isActive(opened.state.status)
      ? applyStudyEvent(opened.state, {
          type: 'study-interrupted',
          message:
            'This study’s page closed while it ran. Finished trials are kept; press Resume to go on (trials in flight start again from step 0).',
        })
      : opened.state;
    const session = new StudySession(state, { studyId: id, name: opened.entry.name });
    if (opened.skipped > 0)
      session.notice = `${opened.skipped} damaged journal record(s) of this study could not be read and were left out.`;
    this.session = session;
    void session.loadBoundaryData(this.csv).then(() => this.scheduleFrame());
    this.spec = state.spec;
    history.replaceState(null, '', encodeStudyHash(this.spec));
    this.scheduleFrame();
    return session;
  }

  private async resumeStudy(id: number): Promise<void> {
    const session = this.session?.studyId === id ? this.session : await this.openStudy(id);
    if (!session || session.active) return;
    const why = this.whyBlocked(session.state.spec);
    if (why) {
      session.notice = `To resume: ${why}`;
      this.scheduleFrame();
      return;
    }
    await this.train(session, session.state.spec);
  }

  /**
   * Runs `extendBy` more trials of a stopped or finished study than it has, continuing its
   * seeded sequence (like calling Optuna's optimize again): its budget becomes its trial count plus that.
   */
  private async extendStudy(): Promise<void> {
    const session = this.session;
    if (!session || session.active || session.state.spec.scheduler.budget.kind !== 'trials') return;
    const trials = Math.min(2000, session.state.trials.size + this.extendBy);
    const spec: StudySpec = {
      ...session.state.spec,
      scheduler: { ...session.state.spec.scheduler, budget: { kind: 'trials', trials } },
    };
    const why = this.whyBlocked(spec);
    if (why) {
      session.notice = `To extend: ${why}`;
      this.scheduleFrame();
      return;
    }
    this.spec = spec;
    history.replaceState(null, '', encodeStudyHash(spec));
    await this.train(session, spec);
  }

  protected override updated(): void {
    this.fetchSelectedModel();
    if (!this.session || this.viewsShown >= RESULT_VIEWS || this.revealFrame) return;
    this.revealFrame = requestAnimationFrame(() => {
      this.revealFrame = 0;
      this.viewsShown++;
    });
  }

  /** Coalesces worker events into one render per animation frame. */
  private scheduleFrame(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.now = performance.now();
      this.revision++;
    });
  }

  private renderResumable() {
    if (this.resumable.length === 0 || this.session?.active) return '';
    return html`<section class="card notice" role="status" data-testid="resume-offer">
      ${this.resumable.map(
        (entry) => html`<div class="actions">
          <span>“${entry.name}” was interrupted at ${entry.finishedTrials} of ${entry.trials} planned trials finished.</span>
          <button class="primary" data-testid="resume-study" @click=${() => void this.resumeStudy(entry.id)}>Resume</button>
          <button data-testid="open-interrupted" @click=${() => void this.openStudy(entry.id)}>Open</button>
        </div>`,
      )}
    </section>`;
  }

  private renderStudyActions(state: StudyState) {
    const session = this.session!;
    if (session.active) return '';
    const budget = state.spec.scheduler.budget;
    return html`<div class="actions">
      ${canResume(state) ? html`<button class="primary" data-testid="resume-study" @click=${() => void this.resumeStudy(session.studyId!)} ?disabled=${session.studyId === undefined}>Resume</button>` : ''}
      ${
        (state.status === 'stopped' || state.status === 'finished') && budget.kind === 'trials'
          ? html`<label class="inline">Extend by
              <input type="number" min="1" max="1000" .value=${String(this.extendBy)} data-testid="extend-by" @change=${(e: Event) => (this.extendBy = Math.max(1, Math.min(1000, Math.round(Number((e.target as HTMLInputElement).value)) || 1)))} />
              trials</label>
            <button data-testid="extend-study" @click=${() => void this.extendStudy()}>Extend</button>`
          : ''
      }
    </div>`;
  }

  private renderViews(session: StudySession, study: StudyState) {
    const trials = [...study.trials.values()];
    const space = study.spec.space;
    const staged =
      study.spec.scheduler.kind === 'coarse-to-fine' ||
      study.spec.scheduler.kind === 'hierarchy' ||
      trials.some((t) => t.placement.round !== undefined || t.placement.stage !== undefined);
    const boundary = study.spec.data.kind !== 'digits';
    // Half-width cards pair up; with an odd count best-so-far takes a whole row, so none is left alone.
    const bestWide = (4 + Number(staged) + Number(boundary)) % 2 === 1;
    const selected = this.selectedTrialId;
    const shownBoundary = this.boundaryOf(session);
    const shown = isBrushed(this.brushes) ? trialsInBrushes(trials, space, this.brushes) : undefined;
    const dimmed = shown && new Set(trials.flatMap((t) => (shown.has(t.id) ? [] : [t.id])));
    const best = study.bestTrialId;
    const revision = this.revision;
    const views = [
      () =>
        html`<lab-loss-curves class="card wide" .trials=${trials} .space=${space} .bestTrialId=${best} .selectedTrialId=${selected} .dimmed=${dimmed} .revision=${revision}></lab-loss-curves>`,
      () => html`<lab-parallel-coords class="card wide" .trials=${trials} .space=${space} .brushes=${this.brushes} .bestTrialId=${best} .selectedTrialId=${selected} .revision=${revision}
        @brush-change=${(e: CustomEvent<{ axis: string; range?: [number, number] }>) => this.brush(e.detail.axis, e.detail.range)}></lab-parallel-coords>`,
      () =>
        html`<lab-param-scatter class="card wide" .trials=${trials} .space=${space} .bestTrialId=${best} .selectedTrialId=${selected} .revision=${revision}></lab-param-scatter>`,
      () =>
        html`<lab-best-history class="card ${bestWide ? 'wide' : ''}" .trials=${trials} .space=${space} .finishOrder=${[...study.finishOrder]} .revision=${revision}></lab-best-history>`,
      () =>
        html`<lab-contour class="card" .trials=${trials} .space=${space} .importance=${study.importance} .bestTrialId=${best} .selectedTrialId=${selected} .revision=${revision}></lab-contour>`,
      () => html`<lab-importance class="card" .importance=${study.importance}></lab-importance>`,
      () =>
        staged
          ? html`<lab-search-stages class="card" .trials=${trials} .space=${space} .status=${study.status} .revision=${revision}></lab-search-stages>`
          : '',
      () =>
        boundary
          ? html`<lab-decision-boundary class="card" .model=${session.boundaryData ? shownBoundary.model : undefined} .pending=${session.boundaryData ? shownBoundary.pending : undefined} .liveStep=${shownBoundary.liveStep} .note=${shownBoundary.note} ?selected=${selected !== undefined && shownBoundary.model?.trialId === selected} .data=${session.boundaryData}></lab-decision-boundary>`
          : '',
      () =>
        html`<lab-trial-detail class="card" .trial=${selected === undefined ? undefined : study.trials.get(selected)} .space=${space} .steps=${study.spec.training.steps} .locked=${session.active} .revision=${revision}></lab-trial-detail>`,
      () => html`<lab-trials-table class="card wide" .trials=${trials} .space=${space} .bestTrialId=${best} .selectedTrialId=${selected} .shown=${shown} .revision=${revision}
        @clear-brushes=${() => (this.brushes = {})}></lab-trials-table>`,
    ];
    return html`<section class="views" aria-label="results" @select-trial=${(e: SelectTrialEvent) => this.selectTrial(e.detail.trialId)}
      @study-from-trial=${(e: CustomEvent<{ trialId: number }>) => this.draftFromTrial(e.detail.trialId)}>
      ${views.slice(0, this.viewsShown).map((view) => view())}
    </section>`;
  }

  protected override render() {
    const spec = this.spec;
    const session = this.session;
    const study = session?.state;
    const task = dataTask(spec.data);
    const locked = session?.active ?? false;
    const settings: RunSettings = {
      scheduler: spec.scheduler,
      pruning: spec.pruning,
      parallelism: spec.parallelism,
      training: spec.training,
      seed: spec.seed,
    };
    return html`
      <a class="skip" href="#run" data-testid="skip-link" @click=${(e: Event) => {
        e.preventDefault(); // the target is in this shadow root, out of the document's #fragment reach
        const run = this.renderRoot.querySelector<HTMLElement>('#run');
        run?.focus();
        run?.scrollIntoView({ block: 'start' });
      }}>Skip to Run and the results</a>
      <header>
        <div>
          <h1>Tuning Lab</h1>
          <div class="tagline">Describe a search, watch every trial train on your GPU, see what mattered, share it as a link. <a href="how-to-tune.html" data-testid="how-to-tune">How to tune</a></div>
        </div>
        <lab-share-link .url=${this.shareUrl}></lab-share-link>
      </header>

      ${
        this.linkError
          ? html`<p class="error" role="alert" data-testid="link-error">${this.linkError.message}${this.linkError.issues?.length ? `\n${this.linkError.issues.slice(0, 8).join('\n')}` : ''}</p>`
          : ''
      }
      ${this.linkNotice ? html`<p class="notice" role="status" data-testid="link-notice">${this.linkNotice}</p>` : ''}
      ${this.libraryNotice ? html`<p class="notice" role="status" data-testid="library-notice">${this.libraryNotice}</p>` : ''}
      ${this.renderResumable()}

      ${this.draftNotice ? html`<p class="notice" role="status" data-testid="draft-notice">${this.draftNotice}</p>` : ''}
      ${locked ? html`<p class="hint" data-testid="editor-locked">The editor is locked while the study runs, so the link and the views describe the same study. Stop it to edit.</p>` : ''}
      <section class="card editor" aria-label="study editor" data-testid="study-editor" ?inert=${locked}>
        <lab-data-editor .data=${spec.data} @data-change=${(e: CustomEvent<DataChange>) => this.onData(e.detail)}></lab-data-editor>
        <lab-model-editor .space=${spec.space} .task=${task} @space-change=${(e: CustomEvent<{ space: StudySpec['space'] }>) => this.edit({ ...spec, space: e.detail.space })} @study-preset=${(e: CustomEvent<{ id: string }>) => this.startFromPreset(e.detail.id)}></lab-model-editor>
        <div class="wide">
          <h2>Search space</h2>
          <lab-space-table .space=${spec.space} @space-change=${(e: CustomEvent<{ space: StudySpec['space'] }>) => this.edit({ ...spec, space: e.detail.space })}></lab-space-table>
        </div>
        <lab-scheduler-editor class="wide" .settings=${settings} @settings-change=${(e: CustomEvent<{ settings: RunSettings }>) => this.edit({ ...spec, ...e.detail.settings })}></lab-scheduler-editor>
      </section>

      <section class="card" aria-label="run" id="run" tabindex="-1">
        <lab-run-controls
          .run=${study}
          .startedAt=${session?.startedAt}
          .endedAt=${session?.endedAt}
          .elapsedBefore=${session?.elapsedBefore ?? 0}
          .blocked=${this.blocked}
          .now=${this.now}
          .revision=${this.revision}
          .engine=${this.engine}
          @engine-choice=${(e: CustomEvent<EngineChoice>) => (this.engine = e.detail)}
          @run-study=${() => this.startRun()}
          @pause-study=${() => void this.trainer?.pause()}
          @resume-study=${() => void this.trainer?.resume()}
          @stop-study=${() => void this.trainer?.stop()}
        ></lab-run-controls>
        ${
          this.confirmRun
            ? html`<p class="notice actions" role="alert" data-testid="confirm-run">${this.confirmRun}
              <button class="primary" data-testid="run-anyway" @click=${() => this.startRun(true)}>Run anyway</button>
              <button @click=${() => (this.confirmRun = undefined)}>Cancel</button></p>`
            : ''
        }
        ${this.csvMismatch && spec.data.kind === 'csv' ? html`<p class="notice" role="status" data-testid="not-reproducible">Not reproducible: ${this.csvMismatch}</p>` : ''}
        ${study?.engine ? html`<p class="engine" data-testid="engine" data-kind=${study.engine.kind}>Training on ${study.engine.kind === 'webgpu' ? 'WebGPU' : 'the CPU engine'} · ${study.engine.adapter}</p>` : ''}
        ${study?.notice ? html`<p class="notice" role="status" data-testid="engine-notice">${study.notice}</p>` : ''}
        ${session?.notice ? html`<p class="notice" role="status" data-testid="storage-notice">${session.notice}</p>` : ''}
        ${study?.errorMessage && study.status === 'error' ? html`<p class="error" role="alert" data-testid="study-error">${study.errorMessage}</p>` : ''}
        ${study ? this.renderStudyActions(study) : ''}
        <lab-export-menu .state=${study} .dataShape=${study && !study.dataShape ? dataShapeOf(study.spec.data) : undefined} .charts=${this.charts} @study-imported=${(e: CustomEvent<StudyImportedDetail>) => void this.importStudy(e.detail)}></lab-export-menu>
      </section>

      ${
        this.comparing?.length
          ? html`<lab-compare class="card" .studies=${this.comparing} @close-compare=${() => (this.comparing = undefined)}></lab-compare>`
          : ''
      }

      ${session && study ? this.renderViews(session, study) : ''}
        <lab-library
          class="card library"
          data-testid="library-card"
          .entries=${this.entries}
          .currentId=${session?.studyId}
          .busy=${locked}
          @open-study=${(e: CustomEvent<{ id: number }>) => void this.openStudy(e.detail.id)}
          @duplicate-study=${(e: CustomEvent<{ id: number }>) => {
            const entry = this.entries.find((x) => x.id === e.detail.id);
            if (!entry || locked) return;
            // A new draft: the editor gets the study, the views clear until it runs.
            this.session = undefined;
            this.draft(
              structuredClone(entry.spec),
              `The editor holds a copy of “${entry.name}”, not yet run (the original stays in the library). Change what you like and press Run.`,
            );
          }}
          @rename-study=${(e: CustomEvent<{ id: number; name: string }>) => void this.renameStudy(e.detail.id, e.detail.name)}
          @delete-study=${(e: CustomEvent<{ id: number }>) => void this.deleteStudy(e.detail.id)}
          @compare-studies=${(e: CustomEvent<{ ids: number[] }>) => void this.compareStudies(e.detail.ids)}
        ></lab-library>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tuning-lab': TuningLab;
  }
}
