// "Run a new study from this trial": the next coarse-to-fine round's box, centred on the trial
// (shrinkBox with the scheduler's own zoom of ½), as a new draft; every hyperparameter's default
// becomes the trial's value, so what is not searched stays as the trial had it.
import { shrinkBox } from '../search/coarseToFine.ts';
import { type Distribution, fromUnit, type SearchSpace } from '../search/space.ts';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow, StudySpec } from '../study/spec.ts';

const ZOOM = 0.5;

export function studyFromTrial(spec: StudySpec, trial: Pick<TrialRecord, 'id' | 'params'>): StudySpec {
  const box = shrinkBox(
    spec.space as SearchSpace,
    {},
    [{ id: trial.id, params: trial.params, state: 'COMPLETE', objective: 0 }],
    ZOOM,
  );
  const space = spec.space.map((row): SpaceRow => {
    const value = trial.params[row.name] ?? row.default;
    const range = box[row.name];
    const d = row.distribution as Distribution;
    if (!row.enabled || !range || d.kind === 'categorical') return { ...row, default: value };
    const low = fromUnit(d, range[0]) as number;
    const high = fromUnit(d, range[1]) as number;
    // A discrete range too narrow to hold two values keeps its old bounds rather than become empty.
    const distribution = low < high ? { ...row.distribution, low, high } : row.distribution;
    return { ...row, default: value, distribution } as SpaceRow;
  });
  return { ...spec, space };
}
