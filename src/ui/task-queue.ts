// Work that would otherwise pile up in one task (building charts, updating the result views
// in the frame where a batch of worker events lands) runs one item per task, in order, so
// that the page answers input between them and no task grows past 50 ms.
const queue: Array<() => void> = [];

function runNext(): void {
  queue.shift()?.();
  if (queue.length > 0) setTimeout(runNext);
}

export function inOwnTask(work: () => void): void {
  queue.push(work);
  if (queue.length === 1) setTimeout(runNext);
}

/** Resolves at the start of a task of its own (code after `await ownTask()` runs in that task). */
export function ownTask(): Promise<void> {
  return new Promise((resolve) => inOwnTask(resolve));
}
