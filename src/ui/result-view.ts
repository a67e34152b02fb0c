import { LitElement } from 'lit';
import { ownTask } from './task-queue.ts';

/**
 * A view of the running study that updates in a task of its own (see task-queue.ts): the
 * root re-renders every view in one animation frame, and several heavy views updating in
 * that one task took it past 50 ms.
 */
export class ResultView extends LitElement {
  protected override async scheduleUpdate(): Promise<void> {
    await ownTask();
    await super.scheduleUpdate();
  }
}
