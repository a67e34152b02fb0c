// Any trial's trained model, for its decision boundary: the study keeps only the best trial's
// parameters (model-kept), so another trial is trained again from its seeds on the CPU
// engine. A trial's seeds come from (study seed, trial id) alone and its width's padding
// changes nothing (population.ts), so this is the model the CPU engine trains in the study.
import { groupIntoPopulations } from '../study/population.ts';
import { keptStatistics, type TrainedModel, type TrialRecord } from '../study/record.ts';
import type { StudySpec } from '../study/spec.ts';
import { createCpuEngine } from '../train/cpu/engine.ts';
import type { TrainingData } from '../train/types.ts';

export type RetrainedTrial = Pick<TrialRecord, 'id' | 'params' | 'state' | 'steps'>;

/** Trains `trial` as its study did; a pruned or stopped trial stops at the step it reached. */
export async function retrainTrial(
  spec: Pick<StudySpec, 'seed' | 'training'>,
  trial: RetrainedTrial,
  data: TrainingData,
): Promise<TrainedModel> {
  const { populations, invalid } = groupIntoPopulations([{ id: trial.id, params: trial.params }], spec.seed, data);
  if (invalid.length > 0) throw new Error(`trial #${trial.id} cannot be trained again: ${invalid[0].reason}`);
  const [{ shape, models }] = populations;
  const endedEarly = trial.state === 'PRUNED' || trial.state === 'STOPPED';
  const job = { shape, models, data, steps: spec.training.steps, reportEvery: spec.training.reportEvery };
  const { parameters, statistics } = await createCpuEngine().train(job, (report) =>
    endedEarly && report.step >= trial.steps ? [0] : undefined,
  );
  return {
    trialId: trial.id,
    shape,
    hiddenUnits: models[0].hiddenUnits,
    parameters: parameters[0],
    ...keptStatistics(statistics[0]),
  };
}
