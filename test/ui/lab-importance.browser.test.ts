// Importance is shown only from MIN_TRIALS_FOR_IMPORTANCE completed trials: from 2 it read
// "0%" for every hyperparameter, which looks like a finding and is not one.
import { afterEach, expect, test } from 'vitest';
import '../../src/ui/lab-importance.ts';
import { MIN_TRIALS_FOR_IMPORTANCE } from '../../src/ui/lab-importance.ts';

afterEach(() => document.body.replaceChildren());

async function shown(importance: { shares: Record<string, number>; completedTrials: number } | undefined) {
  const view = document.createElement('lab-importance');
  view.importance = importance;
  document.body.append(view);
  await view.updateComplete;
  const root = view.shadowRoot!;
  return {
    pending: root.querySelector('[data-testid=importance-pending]')?.textContent?.replace(/\s+/g, ' ').trim(),
    meters: [...root.querySelectorAll('[role=meter]')].map((m) => m.getAttribute('aria-label')),
    shares: [...root.querySelectorAll('.share')].map((s) => s.textContent),
  };
}

test('before any importance and from too few trials it says how many it needs; from enough it draws the bars', async () => {
  expect(MIN_TRIALS_FOR_IMPORTANCE).toBe(5);
  expect(await shown(undefined)).toEqual({
    pending:
      'Importance needs 5 completed trials: with fewer, the forest that estimates it cannot split the trials, and every share would read 0%.',
    meters: [],
    shares: [],
  });
  const fromTwo = await shown({ shares: { learningRate: 0, batchSize: 0 }, completedTrials: 2 });
  expect(fromTwo.pending).toContain('Importance needs 5 completed trials (2 so far)');
  expect(fromTwo.meters).toEqual([]);
  expect(fromTwo.shares).toEqual([]);
  document.body.replaceChildren();
  const fromFive = await shown({ shares: { learningRate: 0.75, batchSize: 0.25 }, completedTrials: 5 });
  expect(fromFive.pending).toBeUndefined();
  expect(fromFive.meters).toEqual(['importance of learning rate α', 'importance of batch size']);
  expect(fromFive.shares).toEqual(['75%', '25%']);
});
