import { makeValidator } from '@backstage/catalog-model';
import { createHash } from 'node:crypto';

const validator = makeValidator();

/** Longest entity name the catalog accepts. */
const MAX_NAME = 63;
const HASH_LENGTH = 6;

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * An upstream name as a catalog entity name.
 *
 * A name the catalog accepts (letters and digits, separated by `-`, `_` or
 * `.`, at most 63 characters) is kept as it is. Any other name is sanitised:
 * accents are dropped, other characters become `-`, leading and trailing
 * separators go, the result is cut to fit, and a short hash of the original
 * name is appended so that two names that sanitise alike stay apart and the
 * result is the same on every run. A name with no letter or digit at all
 * gives `undefined`: the caller skips the object and reports it.
 */
export function toEntityName(
  raw: string,
): { name: string; sanitized: boolean } | undefined {
  if (validator.isValidEntityName(raw)) {
    return { name: raw, sanitized: false };
  }
  const base = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_NAME - HASH_LENGTH - 1)
    .replace(/[^A-Za-z0-9]+$/, '');
  if (!base) {
    return undefined;
  }
  return { name: `${base}-${shortHash(raw)}`, sanitized: true };
}

/** Longest tag the catalog accepts. */
const MAX_TAG = 63;

function tagPart(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9:+#]+/g, '-')
    .replace(/^[-:]+/, '')
    .replace(/[-:]+$/, '');
}

/**
 * An upstream key/value tag as a catalog tag: `key:value` (or `key` when the
 * value is empty or `true`), lower case, with every run of characters
 * outside `[a-z0-9:+#]` turned into `-`, cut to 63 characters. `undefined`
 * when the key or a non-empty value leaves nothing valid.
 */
export function toCatalogTag(key: string, value: string): string | undefined {
  const k = tagPart(key);
  const keyOnly = value.trim() === '' || value.trim().toLowerCase() === 'true';
  const v = keyOnly ? '' : tagPart(value);
  if (!k || (!keyOnly && !v)) {
    return undefined;
  }
  const tag = (keyOnly ? k : `${k}:${v}`)
    .slice(0, MAX_TAG)
    .replace(/[-:]+$/, '');
  return validator.isValidTag(tag) ? tag : undefined;
}

/** Whether the value is a valid catalog entity name. */
export function isValidEntityName(value: string): boolean {
  return validator.isValidEntityName(value);
}

/** Whether the value is a valid catalog namespace. */
export function isValidNamespace(value: string): boolean {
  return validator.isValidNamespace(value);
}
