// The study a `tuning-lab run` names: a share link (decoded exactly as the lab decodes the
// page's hash) or a spec.json file (migrated and checked as a link's study is).
import { existsSync, readFileSync } from 'node:fs';
import { decodeStudyHash } from '../study/link.ts';
import { migrateStudy } from '../study/migrate.ts';

export type StudySource = { ok: true; spec: unknown; notice?: string } | { ok: false; message: string };

/** The lab's link messages end by saying what the page did instead; here nothing opens instead. */
const PAGE_FALLBACK = / The default study is shown instead\.$/;

export function readStudySource(source: string): StudySource {
  if (existsSync(source)) return readSpecFile(source);
  const hashAt = source.indexOf('#');
  const decoded = decodeStudyHash(hashAt >= 0 ? source.slice(hashAt) : source);
  if (!decoded.ok) {
    const issues =
      decoded.error.issues && decoded.error.issues.length > 3
        ? `\n${decoded.error.issues.map((issue) => `  - ${issue}`).join('\n')}`
        : '';
    return { ok: false, message: decoded.error.message.replace(PAGE_FALLBACK, '') + issues };
  }
  if (!decoded.spec)
    return {
      ok: false,
      message: `"${source}" is neither a file nor a study link: pass the lab's share link (it has #study=v1.… at its end) or a spec.json file.`,
    };
  return decoded.notice ? { ok: true, spec: decoded.spec, notice: decoded.notice } : { ok: true, spec: decoded.spec };
}

function readSpecFile(path: string): StudySource {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return {
      ok: false,
      message: `${path} is not a study file: ${(e as Error).message}. A spec.json holds the study as JSON (the share link's study, decoded).`,
    };
  }
  const { value: spec, notice } = migrateStudy(value);
  return notice ? { ok: true, spec, notice } : { ok: true, spec };
}
