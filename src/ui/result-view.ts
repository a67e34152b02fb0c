import { LitElement } from 'lit';
import { ownTask } from './task-queue.ts';

/** Trials past which the heavy views update at most every THROTTLE_MS (a 10,000-trial study finishes trials faster than they redraw). */
export const MANY_TRIALS = 1000;
const THROTTLE_MS = 400;

/**
 * A view of the running study that updates in a task of its own (see task-queue.ts): the
 * root re-renders every view in one animation frame, and several heavy views updating in
 * that one task took it past 50 ms. A view with many trials (manyTrials) also updates at
 * most every THROTTLE_MS; the changes in between are folded into that one update.
 */
export class ResultView extends LitElement {
  private lastUpdate = 0;

  /** Whether this view draws enough trials to be throttled. */
  protected manyTrials(): boolean {
    return false;
  }

  protected override async scheduleUpdate(): Promise<void> {
    const wait = this.manyTrials() ? this.lastUpdate + THROTTLE_MS - performance.now() : 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await ownTask();
    this.lastUpdate = performance.now();
    await super.scheduleUpdate();
  }
}
