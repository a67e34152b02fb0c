// `tuning-lab`: `run` trains one study headless in Node with the same pieces as the lab's
// trainer worker (src/worker/trainer.ts): the link decoder, the preflight, the data loaders,
// the StudyRunner and its engines; the events go to stdout as JSON lines and the lab's exports
// to --out. Unlike the lab it never swaps engines behind the user's back at start: a missing
// WebGPU stops the run and says why (the lab's mid-study CPU fallback on a lost device stays,
// announced by its engine-changed event). `coordinator` and `worker` run one study across
// machines (coordinator.ts, worker.ts).
import type { StudyState } from '../study/state.ts';
import { createCpuEngine } from '../train/cpu/engine.ts';
import { EXIT, HELP, parseCommand, type RunOptions } from './args.ts';
import { runStudy } from './run-study.ts';
import { CliFailure, chooseEngine, finish, preparedStudy, say } from './study-inputs.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (command.kind === 'usage') {
    say(`tuning-lab: ${command.message}\nRun tuning-lab --help for the flags.`);
    return EXIT.usage;
  }
  try {
    // Imported on demand: BullMQ and its Redis client load only for the commands that use them.
    if (command.kind === 'coordinator') return await (await import('./coordinator.ts')).runCoordinator(command.options);
    if (command.kind === 'worker') return await (await import('./worker.ts')).runWorker(command.options);
    return await run(command.options);
  } catch (e) {
    if (e instanceof CliFailure) {
      say(e.message);
      return e.code;
    }
    throw e;
  }
}

async function run(options: RunOptions): Promise<number> {
  const { spec, data } = await preparedStudy(options);
  const engine = await chooseEngine(options.engine);
  let state: StudyState;
  try {
    state = await runStudy({ spec, data, engine, history: undefined, cpuFallback: createCpuEngine, onEvent: () => {} });
  } finally {
    engine.dispose();
  }
  return finish(state, options.out);
}
