import { describe, expect, it } from 'vitest';
import { cmaesFrom } from '../../src/search/auto.ts';
import { createScheduler } from '../../src/search/scheduler.ts';
import type { HyperparameterSpec, SearchSpace } from '../../src/search/space.ts';
import type { Params } from '../../src/search/types.ts';
import { simulate } from './simulate.ts';

const unit = (name: string): HyperparameterSpec => ({
  name,
  distribution: { kind: 'float', scale: 'linear', low: 0, high: 1 },
  default: 0.5,
  tier: 1,
  enabled: true,
});
const twoD: SearchSpace = [unit('x'), unit('y')];
const bowl = (p: Params) => ((p.x as number) - 0.3) ** 2 + 10 * ((p.y as number) - 0.7 * (p.x as number)) ** 2;

describe('auto', () => {
  it('hands over to CMA-ES at 40% of a trial budget of 60 or more (rounded up to a population), for 2+ numeric hyperparameters only', () => {
    expect(cmaesFrom(twoD, { kind: 'auto', budget: { trials: 100 } })).toBe(40);
    expect(cmaesFrom(twoD, { kind: 'auto', budget: { trials: 100 }, parallelism: 16 })).toBe(48);
    expect(cmaesFrom(twoD, { kind: 'auto', budget: { trials: 59 } })).toBeUndefined();
    expect(cmaesFrom([unit('x')], { kind: 'auto', budget: { trials: 100 } })).toBeUndefined();
    expect(cmaesFrom(twoD, { kind: 'auto', budget: { seconds: 600 } })).toBeUndefined();
  });

  it('is TPE up to the hand-over (same trials), then CMA-ES generations (rounds) started at the best trial so far', () => {
    const auto = simulate(createScheduler({ kind: 'auto', budget: { trials: 100 } }, twoD, 3), bowl);
    const tpe = simulate(createScheduler({ kind: 'tpe', budget: { trials: 40 } }, twoD, 3), bowl);
    expect(auto.started.slice(0, 40).map((t) => t.params)).toEqual(tpe.started.map((t) => t.params));
    expect(auto.started.slice(0, 40).every((t) => t.round === undefined)).toBe(true);
    expect(auto.started.slice(40).map((t) => t.round)).toEqual(Array.from({ length: 60 }, (_, i) => Math.floor(i / 6)));
    // Warm start: the first generation lies near the best of the first 40 (σ ≤ 1/6 about it).
    const best = tpe.finished.reduce((a, b) => (b.objective < a.objective ? b : a));
    const firstGeneration = auto.started.slice(40, 46);
    const distance = (p: Params) =>
      Math.hypot((p.x as number) - (best.params.x as number), (p.y as number) - (best.params.y as number));
    expect(Math.max(...firstGeneration.map((t) => distance(t.params)))).toBeLessThan(0.6);
  });

  it('beats TPE alone at 100 trials on a curved 2-D valley in most of 10 seeds', () => {
    let wins = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const best = (kind: 'auto' | 'tpe') =>
        Math.min(
          ...simulate(createScheduler({ kind, budget: { trials: 100 } }, twoD, seed), bowl).finished.map(
            (t) => t.objective,
          ),
        );
      if (best('auto') < best('tpe')) wins++;
    }
    console.log(`[auto] beats TPE at 100 trials on a curved valley in ${wins} of 10 seeds`);
    expect(wins).toBeGreaterThanOrEqual(7);
  }, 60_000);
});
