// A study's population-based training settings (the scheduler is src/search/pbt.ts).
import type { StudySpec } from './spec.ts';

/** Exploit rounds a study has by default over its steps. */
const DEFAULT_EXPLOIT_ROUNDS = 10;

/**
 * Steps between exploits: the spec's pbtInterval, else about a tenth of the steps; either way
 * a multiple of reportEvery (rounded up), since models are compared and copied at reports.
 */
export function pbtInterval(spec: Pick<StudySpec, 'scheduler' | 'training'>): number {
  const { steps, reportEvery } = spec.training;
  const asked = spec.scheduler.pbtInterval ?? steps / DEFAULT_EXPLOIT_ROUNDS;
  return reportEvery * Math.max(1, Math.ceil(asked / reportEvery - 1e-9));
}
