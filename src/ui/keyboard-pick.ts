// Keyboard access to the charts: with a chart focused, the arrow keys step through its trials
// (in the chart's own order), naming each as hovering does; Enter or Space selects the one
// named, Escape lets go of it. The charts stay mouse-first; this makes them usable without one.
import type { TrialRecord } from '../study/record.ts';
import { selectTrial } from './trial-display.ts';

export const KEYBOARD_HINT = 'arrow keys step through the trials, Enter selects the one named';

/**
 * Handles `e` for a chart whose trials are `trials` and whose named trial is `current`:
 * calls `name` with the trial to name (undefined: none), and selects on Enter.
 */
export function pickByKeyboard(
  e: KeyboardEvent,
  chart: Element,
  trials: readonly TrialRecord[],
  current: TrialRecord | undefined,
  name: (t: TrialRecord | undefined) => void,
): void {
  if (trials.length === 0) return;
  const at = current ? trials.indexOf(current) : -1;
  if (e.key === 'ArrowRight' || e.key === 'ArrowDown') name(trials[(at + 1) % trials.length]);
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') name(trials[at <= 0 ? trials.length - 1 : at - 1]);
  else if (e.key === 'Home') name(trials[0]);
  else if (e.key === 'End') name(trials[trials.length - 1]);
  else if ((e.key === 'Enter' || e.key === ' ') && current) selectTrial(chart, current.id);
  else if (e.key === 'Escape') name(undefined);
  else return;
  e.preventDefault();
}
