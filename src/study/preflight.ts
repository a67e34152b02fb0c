// The one question the page asks before Run and the runner before training: may this study
// run, and should the user be asked first? It joins the schema's rules (spec.ts, with the
// per-value rules of spaceRules.ts) and the cost check of the largest population (cost.ts).
import { checkStudyCost, type DataShape, studyCost } from './cost.ts';
import { dataShapeOf, parseStudy } from './spec.ts';

/** How many problems a refusal quotes; the rest are counted. */
const QUOTED_PROBLEMS = 3;

/**
 * `refuse`: why the study cannot run, in the editor's words (Run stays disabled and the
 * runner does not start). `confirm`: a question to ask before running (it would take long).
 * Neither: run it. Pass the loaded data's shape where it is known (always for a CSV study:
 * without it only a lower bound of its size is checked); without it the shape comes from the
 * spec (dataShapeOf).
 */
export function whyStudyCannotRun(spec: unknown, dataShape?: DataShape): { refuse?: string; confirm?: string } {
  const parsed = parseStudy(spec);
  if (!parsed.ok) {
    const more = parsed.issues.length - QUOTED_PROBLEMS;
    return {
      refuse:
        parsed.issues.slice(0, QUOTED_PROBLEMS).join(' ') +
        (more > 0 ? ` (and ${more} more ${more === 1 ? 'problem' : 'problems'})` : ''),
    };
  }
  return checkStudyCost(studyCost(parsed.spec, dataShape ?? dataShapeOf(parsed.spec.data)));
}
