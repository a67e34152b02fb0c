// A discrete-event stand-in for the study runner: `workers` trials run at once, each takes
// `duration(plan)` simulated seconds, and finished trials report `objective(params)`.
import type { FinishedTrial, Params, Scheduler, TrialPlan } from '../../src/search/types.ts';

export interface SimulationOptions {
  workers?: number;
  duration?: (plan: TrialPlan) => number;
  /** Which of several trials ending at the same moment reports first. */
  ties?: 'oldest-first' | 'newest-first';
}

export interface Simulation {
  started: TrialPlan[];
  finished: FinishedTrial[];
  /** Simulated seconds when the scheduler said 'done' and the last trial finished. */
  endSeconds: number;
}

export function simulate(
  scheduler: Scheduler,
  objective: (p: Params) => number,
  { workers = 1, duration = () => 1, ties = 'oldest-first' }: SimulationOptions = {},
): Simulation {
  const started: TrialPlan[] = [];
  const finished: FinishedTrial[] = [];
  let running: Array<{ plan: TrialPlan; endsAt: number }> = [];
  let clock = 0;
  for (let guard = 0; guard < 100000; guard++) {
    let decision = scheduler.next({ started, finished, elapsedSeconds: clock });
    while (decision.kind === 'trial' && running.length < workers) {
      started.push(decision.trial);
      running.push({ plan: decision.trial, endsAt: clock + duration(decision.trial) });
      if (running.length < workers) decision = scheduler.next({ started, finished, elapsedSeconds: clock });
    }
    if (running.length === 0) {
      if (decision.kind === 'done') return { started, finished, endSeconds: clock };
      throw new Error(`scheduler answered ${decision.kind} with nothing running`);
    }
    const soonest = Math.min(...running.map((r) => r.endsAt));
    const due = running
      .filter((r) => r.endsAt === soonest)
      .sort((a, b) => (ties === 'oldest-first' ? a.plan.id - b.plan.id : b.plan.id - a.plan.id))[0];
    running = running.filter((r) => r !== due);
    clock = soonest;
    const value = objective(due.plan.params);
    finished.push({ id: due.plan.id, params: due.plan.params, state: 'COMPLETE', objective: value });
  }
  throw new Error('simulation did not finish in 100,000 steps');
}
