// Vitest browser commands (vite.config.ts): a browser test asks the Node side to trace the
// page's main thread over a stretch of the test and gets its tasks back (main-thread-tasks.ts).
import type { CDPSession, Page } from 'playwright';
import type { BrowserCommand } from 'vitest/node';
import { type MainThreadTask, mainThreadTasks, TASK_TRACE_CATEGORIES } from '../main-thread-tasks.ts';

let tracing: { session: CDPSession; events: object[] } | undefined;

export const startTaskTrace: BrowserCommand<[]> = async (context) => {
  const page = (context as unknown as { page: Page }).page;
  const session = await page.context().newCDPSession(page);
  const events: object[] = [];
  session.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  await session.send('Tracing.start', { categories: TASK_TRACE_CATEGORIES.join(','), transferMode: 'ReportEvents' });
  tracing = { session, events };
};

export const stopTaskTrace: BrowserCommand<[]> = async () => {
  if (!tracing) throw new Error('stopTaskTrace without startTaskTrace: start the trace first');
  const { session, events } = tracing;
  tracing = undefined;
  const complete = new Promise((resolve) => session.once('Tracing.tracingComplete', resolve));
  await session.send('Tracing.end');
  await complete;
  await session.detach();
  return mainThreadTasks(events as Parameters<typeof mainThreadTasks>[0]);
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    startTaskTrace: () => Promise<void>;
    stopTaskTrace: () => Promise<MainThreadTask[]>;
  }
}
