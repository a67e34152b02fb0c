// The share link: the whole StudySpec in the URL hash as `#study=v1.<payload>`, where the
// payload is base64url(zlib(UTF-8 JSON)); zlib's Adler-32 checksum (checked here, fflate
// does not) catches a link altered in transit that would otherwise inflate to another study. Decoding treats the hash as hostile: every
// step has a size bound and a typed failure, nothing throws, and the result is only what
// the schema let through (plain data, unknown keys such as `__proto__` refused), so the
// page can show `error.message` as text and fall back to the default study. A study of an
// earlier version is migrated (migrate.ts) before the schema sees it.
import { Unzlib, zlibSync } from 'fflate';
import { migrateStudy } from './migrate.ts';
import { parseStudy, STUDY_VERSION, type StudySpec } from './spec.ts';

const HASH_KEY = 'study';
const LINK_FORMAT = 'v1';
/** Longer hashes are refused before decoding (a real study encodes to well under 2 KB). */
const MAX_PAYLOAD_CHARS = 16_384;
/** Bound on the inflated JSON: refuses compression bombs. */
const MAX_JSON_BYTES = 65_536;

const DAMAGED = 'its data is damaged (copy the whole link again).';
const CUT_SHORT =
  'it was cut short: its data ends before the study does (copy the whole link again, up to its last character).';
/** Compressed bytes per inflate step: deflate expands at most ~1032×, so one step's output stays near 1 MB. */
const INFLATE_PIECE = 1024;

export type LinkErrorKind = 'format' | 'encoding' | 'compression' | 'json' | 'version' | 'schema';

export interface LinkError {
  kind: LinkErrorKind;
  /** Plain text for the user: what is wrong with the link and what the lab did instead. */
  message: string;
  /** Schema problems, one sentence each in the editor's words (field, value, rule, fix). */
  issues?: string[];
}

/**
 * A study from an earlier version of the lab opens migrated (migrate.ts); `notice` then says,
 * as plain text for the page, what changed and whether its results will differ.
 */
export type DecodedLink =
  | { ok: true; spec: StudySpec; notice?: string }
  | { ok: false; error: LinkError }
  | { ok: true; spec: null };

/** `#study=v1.…` for the spec (only the hash; the caller keeps the page's address). */
export function encodeStudyHash(spec: StudySpec): string {
  const json = new TextEncoder().encode(JSON.stringify(spec));
  return `#${HASH_KEY}=${LINK_FORMAT}.${toBase64Url(zlibSync(json, { level: 9 }))}`;
}

/**
 * Reads a study from a location hash. A hash without a study gives `spec: null` (open the
 * default); a bad one gives a typed error whose message ends by saying the default opened.
 */
export function decodeStudyHash(hash: string): DecodedLink {
  const value = hashValue(hash);
  if (value === null) return { ok: true, spec: null };
  const fail = (kind: LinkErrorKind, problem: string, issues?: string[]): DecodedLink => ({
    ok: false,
    error: {
      kind,
      message: `This study link cannot be opened: ${problem} The default study is shown instead.`,
      ...(issues ? { issues } : {}),
    },
  });

  const dot = value.indexOf('.');
  const format = dot < 0 ? '' : value.slice(0, dot);
  if (format !== LINK_FORMAT) {
    return /^v\d{1,6}$/.test(format)
      ? fail(
          'version',
          `it was made by another version of the lab (link format ${format}; this lab reads ${LINK_FORMAT}).`,
        )
      : fail('format', `it does not start with "${HASH_KEY}=${LINK_FORMAT}." (was it copied whole?).`);
  }
  const payload = value.slice(dot + 1);
  if (payload.length > MAX_PAYLOAD_CHARS)
    return fail('format', `it is ${payload.length} characters long; a study link is at most ${MAX_PAYLOAD_CHARS}.`);
  if (!/^[A-Za-z0-9_-]*$/.test(payload))
    return fail('encoding', 'it contains characters a study link never has (it may have been altered).');
  // Base64 turns 3 bytes into 4 characters, so no whole link leaves a lone last character.
  if (payload.length % 4 === 1) return fail('encoding', CUT_SHORT);
  const compressed = fromBase64Url(payload);

  const inflated = inflateBounded(compressed, MAX_JSON_BYTES);
  if (inflated === 'cut') return fail('compression', CUT_SHORT);
  if (inflated === 'damaged') return fail('compression', DAMAGED);
  if (inflated === 'too-large') return fail('compression', `its study is larger than ${MAX_JSON_BYTES} bytes.`);
  const bytes = inflated;
  if (
    compressed.length < 6 ||
    adler32(bytes) !== new DataView(compressed.buffer, compressed.byteOffset).getUint32(compressed.length - 4)
  ) {
    return fail('compression', DAMAGED);
  }

  let stored: unknown;
  try {
    stored = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail('json', 'its data is damaged (not a readable study).');
  }
  const { value: json, notice } = migrateStudy(stored);
  const version = isRecord(json) ? Object.getOwnPropertyDescriptor(json, 'version')?.value : undefined;
  if (typeof version === 'number' && version !== STUDY_VERSION) {
    return fail('version', `it holds a version ${version} study; this lab reads version ${STUDY_VERSION}.`);
  }
  const parsed = parseStudy(json);
  if (!parsed.ok) {
    // A sentence quotes at most 40 characters of any value (spaceRules.ts shown()); the cap is a backstop.
    const issues = parsed.issues.map((issue) => (issue.length > 400 ? `${issue.slice(0, 400)}…` : issue));
    // Each issue is a sentence; inside the parentheses they are clauses.
    const clauses = issues.slice(0, 3).map((issue) => issue.replace(/\.$/, ''));
    return fail('schema', `its study is invalid (${clauses.join('; ')}${issues.length > 3 ? '; …' : ''}).`, issues);
  }
  return notice ? { ok: true, spec: parsed.spec, notice } : { ok: true, spec: parsed.spec };
}

/**
 * Inflates a zlib stream, refusing more than `limit` bytes of output (compression bombs) as it
 * goes. A stream that stops before its last block is 'cut' (fflate's "unexpected EOF"): the
 * link lost its end, which says more than "damaged".
 */
function inflateBounded(compressed: Uint8Array, limit: number): Uint8Array | 'cut' | 'damaged' | 'too-large' {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  const inflater = new Unzlib((chunk, final) => {
    chunks.push(chunk);
    size += chunk.length;
    ended = final;
  });
  try {
    for (let at = 0; at < compressed.length || at === 0; at += INFLATE_PIECE) {
      inflater.push(compressed.subarray(at, at + INFLATE_PIECE), at + INFLATE_PIECE >= compressed.length);
      if (size > limit) return 'too-large';
    }
  } catch (error) {
    return (error as { code?: number }).code === 0 ? 'cut' : 'damaged';
  }
  if (!ended) return 'cut';
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function hashValue(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  return params.get(HASH_KEY);
}

/** zlib's checksum (RFC 1950). */
function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i += 3800) {
    const end = Math.min(bytes.length, i + 3800); // sums stay below 2^53 between reductions
    for (let j = i; j < end; j++) {
      a += bytes[j];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url already checked to hold only its alphabet and a possible length. */
function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
