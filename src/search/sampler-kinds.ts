// THE table of samplers (scheduler kinds): each kind with the editor's one-line explanation.
// The study schema takes its kinds from here (study/spec.ts), the editor its labels
// (ui/lab-scheduler-editor.ts), and createScheduler (scheduler.ts) its constructors from
// SAMPLER_CONSTRUCTORS, typed complete over these kinds, so a kind missing there does not
// compile. Order is the links' order: new kinds go at the end. Kept apart from the samplers
// themselves so the page can list them without loading them.
import type { SchedulerConfig } from './types.ts';

export const SAMPLER_KINDS = {
  auto: 'auto (TPE; numeric spaces with 60+ trials go on with CMA-ES from 40% of the budget)',
  grid: 'grid',
  random: 'random',
  'quasi-random': 'quasi-random (scrambled low-discrepancy)',
  'coarse-to-fine': 'coarse-to-fine (rounds in a box about the best trial that grows and shrinks; some trials global)',
  hierarchy: 'time-boxed hierarchy (learning rate first)',
  tpe: 'TPE (samples where the best trials cluster, away from the rest)',
  cmaes: 'CMA-ES (a population that moves and stretches toward the best trials)',
  pbt: 'population-based training (while training, the worst quarter copies the best and perturbs its rates)',
} as const satisfies Record<SchedulerConfig['kind'], string>;

export type SamplerKind = keyof typeof SAMPLER_KINDS;
