import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { loadStudyData } from '../study/data.ts';
import type { StudyEvent } from '../study/events.ts';
import { decodeStudyHash, encodeStudyHash, type LinkError } from '../study/link.ts';
import type { TrainedModel } from '../study/record.ts';
import { dataTask, defaultStudy, parseStudy, type StudySpec } from '../study/spec.ts';
import { connectTrainer, type Trainer } from '../worker/client.ts';
import './lab-best-history.ts';
import './lab-data-editor.ts';
import './lab-decision-boundary.ts';
import type { DataChange } from './lab-data-editor.ts';
import './lab-importance.ts';
import './lab-loss-curves.ts';
import './lab-model-editor.ts';
import './lab-param-scatter.ts';
import './lab-run-controls.ts';
import './lab-scheduler-editor.ts';
import type { RunSettings } from './lab-scheduler-editor.ts';
import './lab-search-stages.ts';
import './lab-share-link.ts';
import './lab-space-table.ts';
import './lab-trials-table.ts';
import { StudyRun } from './study-run.ts';
import { panelStyles } from './styles.ts';

/** Result views, in page order (see viewsShown). */
const RESULT_VIEWS = 7;

/**
 * The lab page: the study editor, run controls and every view of the running study. It owns
 * the study spec (mirrored into the URL hash on every edit) and the trainer worker; the
 * page never trains. Worker events are folded into a StudyRun as they arrive and the views
 * re-render at most once per animation frame.
 */
@customElement('tuning-lab')
export class TuningLab extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host { display: block; max-width: 1280px; margin: 0 auto; padding: 0.8rem 1rem 2rem; }
      header { display: flex; flex-wrap: wrap; gap: 0.6rem 1.2rem; align-items: center; justify-content: space-between; margin-bottom: 0.6rem; }
      h1 { font-size: 1.3rem; margin: 0; color: #1d3557; }
      .tagline { color: #5b6570; font-size: 0.85rem; }
      /* Containment keeps a view's live updates from re-laying out the rest of the page. */
      .card { background: #fff; border: 1px solid #dde2e7; border-radius: 8px; padding: 0.7rem 0.9rem; margin-bottom: 0.8rem; contain: content; }
      .editor { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8rem 1.2rem; }
      .editor > .wide { grid-column: 1 / -1; }
      .views { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8rem; }
      .views > .wide { grid-column: 1 / -1; }
      .views > .card { margin-bottom: 0; }
      .engine { font-size: 0.8rem; color: #333a42; }
      @media (max-width: 860px) { .editor, .views { grid-template-columns: 1fr; } }
    `,
  ];

  @state() private spec: StudySpec = defaultStudy();
  @state() private linkError?: LinkError;
  /** The chosen CSV's content (a link names the file but cannot carry it). */
  @state() private csv?: { fileName: string; text: string };
  /** True while the user picked "my CSV" and has no usable file yet. */
  @state() private csvPending = false;
  @state() private run?: StudyRun;
  /** Bumped once per animation frame in which worker events arrived. */
  @state() private revision = 0;
  @state() private now = performance.now();
  /**
   * Result views on the page. They appear one per animation frame after the first run
   * starts (later runs reuse them): creating all of them (shadow roots, styles, first
   * layout) in the frame that starts a run took one 40–55 ms task.
   */
  @state() private viewsShown = 0;

  private shareUrl = '';
  private blocked?: string;
  private trainer?: Trainer;
  private frame = 0;
  private revealFrame = 0;
  private clock = 0;
  private readonly onHashChange = () => this.loadFromHash();

  override connectedCallback(): void {
    super.connectedCallback();
    this.loadFromHash();
    window.addEventListener('hashchange', this.onHashChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
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
    if (decoded.ok) {
      this.linkError = undefined;
      this.spec = decoded.spec ?? defaultStudy();
    } else {
      this.linkError = decoded.error;
      this.spec = defaultStudy();
    }
  }

  /** Every edit lands here: the link follows the study without adding history entries. */
  private edit(spec: StudySpec): void {
    this.spec = spec;
    this.linkError = undefined;
    history.replaceState(null, '', encodeStudyHash(spec));
  }

  /**
   * The link and whether the study can run follow the study, not the frames: both are
   * worked out once per edit (a deflate and a schema check), never per training frame.
   */
  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('spec')) this.shareUrl = `${location.origin}${location.pathname}${encodeStudyHash(this.spec)}`;
    if (changed.has('spec') || changed.has('csv') || changed.has('csvPending')) this.blocked = this.whyBlocked();
  }

  /** Why Run is disabled, or undefined when the study can run. */
  private whyBlocked(): string | undefined {
    if (this.csvPending) return 'Choose a usable CSV file to run.';
    if (this.spec.data.kind === 'csv' && !this.csv) return `This study trains on ${this.spec.data.fileName}: choose that file under Data to run it.`;
    const parsed = parseStudy(this.spec);
    return parsed.ok ? undefined : `The study cannot run: ${parsed.issues.slice(0, 3).join('; ')}`;
  }

  private onData(change: DataChange): void {
    this.csvPending = change.data === undefined;
    if (change.csv) this.csv = change.csv;
    if (change.data) this.edit({ ...this.spec, data: change.data });
  }

  private async startRun(): Promise<void> {
    if (this.blocked || this.run?.active) return;
    this.trainer ??= connectTrainer();
    const run = new StudyRun(this.spec, performance.now());
    run.status = 'running';
    this.run = run;
    clearInterval(this.clock);
    this.clock = window.setInterval(() => (this.now = performance.now()), 1000);
    const onEvent = (event: StudyEvent) => {
      run.apply(event, performance.now());
      this.scheduleFrame();
    };
    const csv = this.spec.data.kind === 'csv' ? this.csv : undefined;
    let bestModel: TrainedModel | undefined;
    try {
      bestModel = (await this.trainer.run(run.spec, onEvent, csv ? { csv } : {})).bestModel;
    } catch (e) {
      run.apply({ type: 'study-error', message: `The trainer stopped unexpectedly: ${(e as Error).message}. Reload the page and run again.` }, performance.now());
    }
    if (bestModel?.shape.inputs === 2) {
      // The worker built the same data from the same spec; the page rebuilds it to draw the points.
      run.boundaryData = await loadStudyData(run.spec.data, csv ? { csv } : {});
      run.bestModel = bestModel;
    }
    if (run.active) run.apply({ type: 'study-finished', trials: run.trials.size, elapsedMs: performance.now() - run.startedAt, stopped: false }, performance.now());
    clearInterval(this.clock);
    this.scheduleFrame();
  }

  protected override updated(): void {
    if (!this.run || this.viewsShown >= RESULT_VIEWS || this.revealFrame) return;
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

  protected override render() {
    const spec = this.spec;
    const run = this.run;
    const trials = run?.trialList ?? [];
    const space = run?.spec.space ?? spec.space;
    const task = dataTask(spec.data);
    const settings: RunSettings = { scheduler: spec.scheduler, pruning: spec.pruning, parallelism: spec.parallelism, training: spec.training, seed: spec.seed };
    return html`
      <header>
        <div>
          <h1>Tuning Lab</h1>
          <div class="tagline">Describe a search, watch every trial train on your GPU, see what mattered, share it as a link.</div>
        </div>
        <lab-share-link .url=${this.shareUrl}></lab-share-link>
      </header>

      ${this.linkError
        ? html`<p class="error" role="alert" data-testid="link-error">${this.linkError.message}${this.linkError.issues?.length ? `\n${this.linkError.issues.slice(0, 8).join('\n')}` : ''}</p>`
        : ''}

      <section class="card editor" aria-label="study editor" data-testid="study-editor">
        <lab-data-editor .data=${spec.data} @data-change=${(e: CustomEvent<DataChange>) => this.onData(e.detail)}></lab-data-editor>
        <lab-model-editor .space=${spec.space} .task=${task} @space-change=${(e: CustomEvent<{ space: StudySpec['space'] }>) => this.edit({ ...spec, space: e.detail.space })}></lab-model-editor>
        <div class="wide">
          <h2>Search space</h2>
          <lab-space-table .space=${spec.space} @space-change=${(e: CustomEvent<{ space: StudySpec['space'] }>) => this.edit({ ...spec, space: e.detail.space })}></lab-space-table>
        </div>
        <lab-scheduler-editor class="wide" .settings=${settings} @settings-change=${(e: CustomEvent<{ settings: RunSettings }>) => this.edit({ ...spec, ...e.detail.settings })}></lab-scheduler-editor>
      </section>

      <section class="card" aria-label="run">
        <lab-run-controls
          .run=${run}
          .blocked=${this.blocked}
          .now=${this.now}
          .revision=${this.revision}
          @run-study=${() => void this.startRun()}
          @pause-study=${() => void this.trainer?.pause()}
          @resume-study=${() => void this.trainer?.resume()}
          @stop-study=${() => void this.trainer?.stop()}
        ></lab-run-controls>
        ${run?.engine ? html`<p class="engine" data-testid="engine" data-kind=${run.engine.kind}>Training on ${run.engine.kind === 'webgpu' ? 'WebGPU' : 'the CPU engine'} · ${run.engine.adapter}</p>` : ''}
        ${run?.fallbackNotice ? html`<p class="notice" role="status" data-testid="engine-notice">${run.fallbackNotice}</p>` : ''}
        ${run?.errorMessage ? html`<p class="error" role="alert" data-testid="study-error">${run.errorMessage}</p>` : ''}
      </section>

      ${run
        ? html`<section class="views" aria-label="results">
            ${this.viewsShown > 0 ? html`<lab-loss-curves class="card wide" .trials=${trials} .space=${space} .bestTrialId=${run.bestTrialId} .revision=${this.revision}></lab-loss-curves>` : ''}
            ${this.viewsShown > 1 ? html`<lab-param-scatter class="card wide" .trials=${trials} .space=${space} .bestTrialId=${run.bestTrialId} .revision=${this.revision}></lab-param-scatter>` : ''}
            ${this.viewsShown > 2 ? html`<lab-best-history class="card" .trials=${trials} .finishOrder=${[...run.finishOrder]} .revision=${this.revision}></lab-best-history>` : ''}
            ${this.viewsShown > 3 ? html`<lab-importance class="card" .importance=${run.importance}></lab-importance>` : ''}
            ${this.viewsShown > 4 && trials.some((t) => t.placement.round !== undefined || t.placement.stage !== undefined)
              ? html`<lab-search-stages class="card" .trials=${trials} .revision=${this.revision}></lab-search-stages>`
              : ''}
            ${this.viewsShown > 5 && run.spec.data.kind !== 'digits' ? html`<lab-decision-boundary class="card" .model=${run.bestModel} .data=${run.boundaryData}></lab-decision-boundary>` : ''}
            ${this.viewsShown > 6 ? html`<lab-trials-table class="card wide" .trials=${trials} .space=${space} .bestTrialId=${run.bestTrialId} .revision=${this.revision}></lab-trials-table>` : ''}
          </section>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tuning-lab': TuningLab;
  }
}
