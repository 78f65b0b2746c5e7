import { createHash } from 'node:crypto';

const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;
const VALID_NAME = /^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$/;

/** Whether Backstage accepts `name` as `metadata.name` as it stands. */
export function isValidEntityName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && VALID_NAME.test(name);
}

function trimToLength(name: string, length: number): string {
  return name.slice(0, length).replace(/[-_.]+$/, '');
}

/**
 * Turns a CMDB name into a valid entity name: valid names stay as they are; others lose accents,
 * become lower case, get `-` for every run of other characters, and are cut to 63 characters.
 * Returns '' when nothing usable is left (e.g. a name only in a non-Latin script).
 */
export function normalizeEntityName(raw: string): string {
  const trimmed = raw.trim();
  if (isValidEntityName(trimmed)) {
    return trimmed;
  }
  const ascii = trimmed
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[-_.]{2,}/g, '-')
    .replace(/^[-_.]+/, '');
  return trimToLength(ascii, MAX_NAME_LENGTH);
}

/** A short, stable hash of `seed` (hex). */
export function shortHash(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * `base` with a hash of `seed` appended, within the length limit; used when two records would
 * otherwise get the same name, or when a name has nothing usable left.
 */
export function nameWithHash(base: string, seed: string, prefix: string) {
  const room = MAX_NAME_LENGTH - HASH_LENGTH - 1;
  const stem = trimToLength(base, room) || prefix;
  return `${stem}-${shortHash(seed)}`;
}

/** A named candidate for `resolveEntityNames`. */
export interface NameCandidate {
  /** Unique among candidates (the CMDB id). */
  key: string;
  rawName: string;
}

/**
 * Gives every candidate a unique (case-insensitively) valid entity name, deterministically:
 * the same candidates and the same previous holders always give the same names.
 *
 * A name wanted by several candidates goes to, in order: the candidate that held it in the last
 * sync (`previousHolder`), the candidate whose CMDB name is exactly that name in lower case, one
 * whose CMDB name was valid as it stood, the smallest key.
 * The others get the name with a short hash of their key. `reserved` names (held by entities
 * not being renamed in this run) are never handed out again.
 */
export function resolveEntityNames(
  candidates: Iterable<NameCandidate>,
  options: {
    previousHolder?: (lowerName: string) => string | undefined;
    reserved?: (lowerName: string) => boolean;
    prefix: string;
  },
): Map<string, string> {
  const wanted = new Map<string, NameCandidate[]>();
  for (const candidate of candidates) {
    const name = normalizeEntityName(candidate.rawName);
    const lower = name.toLowerCase();
    const list = wanted.get(lower);
    if (list) list.push(candidate);
    else wanted.set(lower, [candidate]);
  }

  const result = new Map<string, string>();
  const taken = new Set<string>();
  for (const [lower, list] of wanted) {
    if (!lower || options.reserved?.(lower)) {
      continue;
    }
    const previous = options.previousHolder?.(lower);
    const winner =
      list.find(c => c.key === previous) ??
      list.find(c => c.rawName.trim() === lower) ??
      list.find(c => isValidEntityName(c.rawName.trim())) ??
      list.reduce((a, b) => (b.key < a.key ? b : a));
    result.set(winner.key, normalizeEntityName(winner.rawName));
    taken.add(lower);
  }
  for (const [lower, list] of wanted) {
    for (const candidate of list) {
      if (result.has(candidate.key)) continue;
      let name = nameWithHash(lower, candidate.key, options.prefix);
      for (let n = 1; taken.has(name.toLowerCase()); n++) {
        name = nameWithHash(lower, `${candidate.key}#${n}`, options.prefix);
      }
      result.set(candidate.key, name);
      taken.add(name.toLowerCase());
    }
  }
  return result;
}
