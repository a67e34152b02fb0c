import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { finishedCount, isActive, type StudyState } from '../study/state.ts';
import type { EngineChoice } from '../worker/api.ts';
import { studyEta } from './study-eta.ts';
import { panelStyles } from './styles.ts';
import { STATE_COLORS } from './trial-display.ts';

/** Trials past which only the running ones get a progress bar. */
const MAX_BARS = 512;

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/**
 * Run, pause, resume and stop, with the study's progress: trials done of total, elapsed
 * time, an estimate of the time left and one bar per trial.
 *
 * @fires run-study - the user asked to run the study as edited.
 * @fires pause-study
 * @fires resume-study
 * @fires stop-study
 * @fires engine-choice - the user picked the engine for the next run (detail: EngineChoice).
 */
@customElement('lab-run-controls')
export class LabRunControls extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .buttons { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
      .stats { font-variant-numeric: tabular-nums; font-size: 0.85rem; color: var(--lab-ink, #333a42); }
      .bars { display: grid; grid-template-columns: repeat(auto-fill, minmax(28px, 1fr)); gap: 3px; margin-top: 0.5rem; }
      .bar { height: 8px; background: var(--lab-border-soft, #e3e7eb); border-radius: 2px; overflow: hidden; }
      .bar > div { height: 100%; }
    `,
  ];

  @property({ attribute: false }) run?: StudyState;
  /** When the shown run started on this page (ms, the `now` clock); absent for a study opened from the library. */
  @property({ type: Number }) startedAt?: number;
  /** When it ended on this page. */
  @property({ type: Number }) endedAt?: number;
  /** The run's elapsed time before this page started it (a resumed study's earlier sessions). */
  @property({ type: Number }) elapsedBefore = 0;
  /** Bumped by the root whenever the run changed (it is mutated in place). */
  @property({ type: Number }) revision = 0;
  /** Why the study cannot run as edited (shown beside a disabled Run). */
  @property() blocked?: string;
  /** The clock the elapsed time is read against (the root ticks it while running). */
  @property({ type: Number }) now = 0;
  /** The engine the next run asks for ('auto': the faster here, measured at the study's start). */
  @property() engine: EngineChoice = 'auto';

  private fire(name: 'run-study' | 'pause-study' | 'resume-study' | 'stop-study'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  protected override render() {
    const run = this.run;
    const active = run ? isActive(run.status) : false;
    return html`
      <div class="buttons">
        <button class="primary" data-testid="run" ?disabled=${active || !!this.blocked} @click=${() => this.fire('run-study')}>Run</button>
        <button data-testid="pause" ?disabled=${run?.status !== 'running'} @click=${() => this.fire('pause-study')}>Pause</button>
        <button data-testid="resume" ?disabled=${run?.status !== 'paused'} @click=${() => this.fire('resume-study')}>Resume</button>
        <button data-testid="stop" ?disabled=${!active} @click=${() => this.fire('stop-study')}>Stop</button>
        <select data-testid="engine-choice" aria-label="Engine" ?disabled=${active} .value=${this.engine}
          @change=${(e: Event) => this.dispatchEvent(new CustomEvent('engine-choice', { detail: (e.target as HTMLSelectElement).value, bubbles: true, composed: true }))}>
          <option value="auto">Engine: fastest here (measured)</option>
          <option value="webgpu">Engine: WebGPU</option>
          <option value="wasm">Engine: CPU · WebAssembly</option>
          <option value="cpu">Engine: CPU · TypeScript</option>
        </select>
        ${this.blocked ? html`<span class="hint" data-testid="run-blocked">${this.blocked}</span>` : ''}
        ${run ? this.renderStats(run) : ''}
      </div>
      ${run ? this.renderBars(run) : ''}
    `;
  }

  private renderStats(run: StudyState) {
    const done = finishedCount(run);
    const budget = run.spec.scheduler.budget;
    const total = run.plannedTrials ?? (budget.kind === 'trials' ? budget.trials : undefined);
    // Earlier sessions' time (a resumed study) plus this page's, by the page's clock from Run to
    // the end, the same while it runs and after: the study's own elapsedMs leaves out the
    // engine's measuring and pauses, so it read 1s at the end of a run that had shown 3s.
    const elapsed =
      this.startedAt !== undefined ? this.elapsedBefore + (this.endedAt ?? this.now) - this.startedAt : run.elapsedMs;
    const eta = studyEta(run, elapsed);
    const left =
      eta?.kind === 'estimate'
        ? html` · <span data-testid="eta" title="from the trial-steps trained per second so far">study done in about ${formatDuration(eta.ms)}</span>`
        : eta?.kind === 'budget'
          ? html` · <span data-testid="eta">${formatDuration(eta.ms)} of the time budget left</span>`
          : eta?.kind === 'measuring'
            ? html` · <span data-testid="eta" class="hint">time left: measuring</span>`
            : '';
    return html`<span class="stats" data-testid="progress" data-status=${run.status} data-done=${done}>
      ${run.status} · trials <strong>${done}</strong>${total !== undefined ? html` / ${total}` : ''} done · elapsed ${formatDuration(elapsed)}${left}
    </span>`;
  }

  private renderBars(run: StudyState) {
    const steps = run.spec.training.steps;
    const trials = [...run.trials.values()];
    // A bar per trial reads up to a few hundred; past that, the running trials' bars and a count per state.
    const many = trials.length > MAX_BARS;
    const counts = new Map<string, number>();
    if (many) for (const t of trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    return html`${
      many
        ? html`<p class="stats" data-testid="trial-counts">${[...counts].map(([state, n]) => `${n} ${state.toLowerCase()}`).join(' · ')}</p>`
        : ''
    }<div class="bars" aria-label="progress of each ${many ? 'running ' : ''}trial">
      ${(many ? trials.filter((t) => t.state === 'RUNNING') : trials).map(
        (
          t,
        ) => html`<div class="bar" title="trial ${t.id}: ${t.state}, ${t.steps}/${steps} steps${t.reason ? ` — ${t.reason}` : ''}">
          <div style="width:${Math.min(100, (100 * t.steps) / steps)}%;background:${STATE_COLORS[t.state]}"></div>
        </div>`,
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-run-controls': LabRunControls;
  }
}
