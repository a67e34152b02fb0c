// The page's main-thread tasks from a Chromium trace, with the wall time and the CPU time
// of each. On a busy machine a task's wall time includes the time the thread waited for a
// core (on a 2-core machine at load 10, about 5x its CPU time), so the tests log both: the
// CPU time is what the task would take on an idle machine, the figure the 50 ms goal is
// about.

/** The trace categories the tasks are read from. */
export const TASK_TRACE_CATEGORIES = ['disabled-by-default-devtools.timeline'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface MainThreadTask {
  wallMs: number;
  cpuMs: number;
}

/** Every task of the busiest renderer main thread (the page's; a test page's iframe shares it). */
export function mainThreadTasks(events: readonly TraceEvent[]): MainThreadTask[] {
  const mains = new Set(
    events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map<string, MainThreadTask[]>();
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.name !== 'RunTask' || e.ph !== 'X' || !mains.has(thread) || e.dur === undefined) continue;
    const tasks = byThread.get(thread) ?? byThread.set(thread, []).get(thread)!;
    tasks.push({ wallMs: e.dur / 1000, cpuMs: (e.tdur ?? e.dur) / 1000 });
  }
  const total = (tasks: MainThreadTask[]) => tasks.reduce((sum, t) => sum + t.cpuMs, 0);
  return [...byThread.values()].sort((a, b) => total(b) - total(a))[0] ?? [];
}

/** One log line: tasks over 50 ms and the longest, by wall time and by CPU time. */
export function describeLongTasks(tasks: readonly MainThreadTask[]): string {
  const over = (ms: (t: MainThreadTask) => number) => {
    const long = tasks.map(ms).filter((d) => d > 50);
    return `${long.length} over 50 ms${long.length ? `, longest ${Math.max(...long).toFixed(0)} ms` : ''}`;
  };
  const cpu = tasks.reduce((sum, t) => sum + t.cpuMs, 0);
  return `by wall time ${over((t) => t.wallMs)}; by CPU time ${over((t) => t.cpuMs)} (${tasks.length} tasks, ${(cpu / 1000).toFixed(1)} s CPU)`;
}
