// Importance while a study trains, computed where the training runs (the trainer worker), so
// that the page only draws bars. The forest grows with the trials (about 40 ms at 100
// trials, 1.5 s at 2000), so recomputations are throttled: at most one per MIN_INTERVAL_MS,
// and never more often than keeps them under a tenth of the study's time.
import { importance } from '../search/importance.ts';
import type { SearchSpace } from '../search/space.ts';
import type { FinishedTrial } from '../search/types.ts';
import type { ImportanceEvent } from './events.ts';
import { hasResult } from './state.ts';

const MIN_INTERVAL_MS = 500;
/** Time between recomputations, as a multiple of the last one's duration. */
const INTERVAL_PER_COST = 9;

/**
 * Complete trials and stopped ones with a validation loss (see hasResult), the stopped ones
 * passed to the search library's importance as complete: their loss is a partial result, as
 * the page says, and a study the user stopped should still say what mattered so far.
 */
const usable = (t: FinishedTrial): FinishedTrial | [] => (hasResult(t) ? { ...t, state: 'COMPLETE' } : []);

export class LiveImportance {
  private computedFor = 0;
  private nextAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly space: SearchSpace,
    private readonly clock: () => number,
    private readonly emit: (event: ImportanceEvent) => void,
  ) {}

  /**
   * Recomputes and emits when more trials completed since the last computation (at least
   * two in all) and the throttle allows it; `final` ignores the throttle (the study ends).
   */
  update(finished: readonly FinishedTrial[], final = false): void {
    const complete = finished.flatMap(usable);
    if (complete.length < 2 || complete.length === this.computedFor) return;
    const start = this.clock();
    if (!final && start < this.nextAt) return;
    const shares = importance(complete, this.space);
    const end = this.clock();
    this.computedFor = complete.length;
    this.nextAt = end + Math.max(MIN_INTERVAL_MS, INTERVAL_PER_COST * (end - start));
    this.emit({ type: 'importance', shares, completedTrials: complete.length });
  }
}
