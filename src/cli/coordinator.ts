// `tuning-lab coordinator <link> --redis URL`: the study's scheduler, pruner and journal, with
// a RemoteEngine in place of a local one, so the study is the lab's own StudyRunner loop:
// trial parameters depend only on (seed, trial id, history) and every curve comes from the
// trial's own seeds, which makes the study the same, bit for bit, as `tuning-lab run` of the
// same link on the workers' engine. Every event is appended to the journal before the study
// goes on; a coordinator started again on the same journal replays it and resumes (trials in
// flight train again, and their slices, still queued or done, are found by their ids).
import { trialSeeds } from '../study/population.ts';
import { finishedCount, unfinishedTrials } from '../study/state.ts';
import { type CoordinatorOptions, EXIT } from './args.ts';
import { FileJournal } from './file-journal.ts';
import { connectRedis, type StoredStudy, studyKeyOf } from './queue.ts';
import { RemoteEngine } from './remote-engine.ts';
import { runStudy } from './run-study.ts';
import { CliFailure, finish, preparedStudy, say } from './study-inputs.ts';

export async function runCoordinator(options: CoordinatorOptions): Promise<number> {
  const { spec, data, csv } = await preparedStudy(options);
  const study: StoredStudy = csv ? { spec, csv } : { spec };
  const studyKey = studyKeyOf(study);
  const path = options.journal ?? `tuning-lab-${studyKey}.journal`;
  let opened: ReturnType<typeof FileJournal.open>;
  try {
    opened = FileJournal.open(path, studyKey, spec);
  } catch (e) {
    throw new CliFailure((e as Error).message, EXIT.badInput);
  }
  const { journal, history } = opened;
  if (history && !(history.status === 'running' || history.status === 'paused' || history.status === 'interrupted')) {
    say(
      `The study in ${path} has ended (${history.status}); nothing to resume. Name a new file with --journal to run it again.`,
    );
    return finish(history, options.out);
  }
  if (history)
    say(
      `Resuming the study of ${path}: ${finishedCount(history)} trials finished, ${unfinishedTrials(history).length} train again.`,
    );
  else say(`Journal: ${path} (start the coordinator again with it to resume the study)`);

  const trialIdBySeed = new Map<number, number>();
  const remember = (id: number) => trialIdBySeed.set(trialSeeds(spec.seed, id).initSeed, id);
  for (const id of history?.trials.keys() ?? []) remember(id);
  const redis = await connectRedis(options.redis);
  const engine = await RemoteEngine.start(redis, options.redis, {
    studyKey,
    study,
    engine: options.engine,
    trialsPerJob: options.trialsPerJob,
    trialIdOf: (model) => trialIdBySeed.get(model.initSeed) ?? -1,
  });
  try {
    const state = await runStudy({
      spec,
      data,
      engine,
      history,
      onEvent: (event) => {
        journal.append(event);
        if (event.type === 'trial-planned') remember(event.trialId);
      },
    });
    return finish(state, options.out);
  } finally {
    await engine.close();
    await redis.quit();
  }
}
