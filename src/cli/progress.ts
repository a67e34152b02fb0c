// The progress bar on stderr (cli-progress, drawn only when stderr is a terminal): trials
// done out of the budget's trials, counting running trials by their steps, or seconds out of
// a time budget; cli-progress estimates the ETA from the rate.
import { SingleBar } from 'cli-progress';
import type { StudyEvent } from '../study/events.ts';
import type { StudySpec } from '../study/spec.ts';

export class StudyProgress {
  private readonly bar: SingleBar;
  private readonly byTime: boolean;
  private finished = 0;
  private startedAt = 0;

  constructor(private readonly spec: StudySpec) {
    const budget = spec.scheduler.budget;
    this.byTime = budget.kind === 'minutes';
    const unit = this.byTime ? 's' : 'trials';
    this.bar = new SingleBar(
      {
        stream: process.stderr,
        format: `{bar} {percentage}% | {value}/{total} ${unit} | ETA {eta_formatted} | best {best}`,
        hideCursor: true,
      },
      undefined,
    );
    this.bar.start(budget.kind === 'minutes' ? Math.round(budget.minutes * 60) : budget.trials, 0, { best: '-' });
  }

  update(event: StudyEvent, bestObjective: number | undefined): void {
    if (event.type === 'study-started') this.startedAt = performance.now();
    if (event.type === 'trial-finished') this.finished++;
    const best = bestObjective === undefined ? '-' : bestObjective.toPrecision(4);
    if (this.byTime) {
      this.bar.update(Math.round((performance.now() - this.startedAt) / 1000), { best });
    } else {
      const running = event.type === 'progress' ? (event.trialIds.length * event.step) / this.spec.training.steps : 0;
      this.bar.update(Math.round((this.finished + running) * 100) / 100, { best });
    }
  }

  stop(): void {
    this.bar.stop();
  }
}
