import { ImportReport } from './ImportReport';
import { toCatalogTag } from './names';

/** Upper bounds of what one imported entity carries (reliability-security.md S21). */
export const ENTITY_LIMITS = {
  descriptionChars: 4000,
  tags: 20,
  aliases: 50,
  shortTextChars: 100,
};

/** A description trimmed and cut to the limit; `undefined` when empty. */
export function boundedDescription(
  value: string | undefined,
): string | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  return text.length > ENTITY_LIMITS.descriptionChars
    ? `${text.slice(0, ENTITY_LIMITS.descriptionChars - 1)}…`
    : text;
}

/** A short free-text value (lifecycle, framework): trimmed, at most 100 characters. */
export function shortText(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text || text.length > ENTITY_LIMITS.shortTextChars) {
    return undefined;
  }
  return text;
}

/**
 * Upstream key/value tags as sorted, unique catalog tags, leaving out the
 * keys the import reads as fields and keys with an ignored prefix. Tags
 * that cannot become catalog tags, and tags beyond the limit, are reported.
 */
export function catalogTags(
  tags: Record<string, string>,
  options: {
    what: string;
    report: ImportReport;
    exclude: Set<string>;
    ignorePrefixes?: string[];
  },
): string[] | undefined {
  const result = new Set<string>();
  for (const key of Object.keys(tags).sort()) {
    if (
      options.exclude.has(key) ||
      options.ignorePrefixes?.some(p => key.startsWith(p))
    ) {
      continue;
    }
    const tag = toCatalogTag(key, tags[key]);
    if (tag === undefined) {
      options.report.adjust(
        `tag '${key}' of ${options.what}`,
        'cannot be written as a catalog tag and was dropped',
      );
      continue;
    }
    result.add(tag);
  }
  const sorted = [...result].sort();
  if (sorted.length > ENTITY_LIMITS.tags) {
    options.report.adjust(
      options.what,
      `has ${sorted.length} tags; kept the first ${ENTITY_LIMITS.tags}`,
    );
  }
  const kept = sorted.slice(0, ENTITY_LIMITS.tags);
  return kept.length ? kept : undefined;
}

/** `{ [key]: value }` when the value is set, else `{}`: no undefined keys in entities. */
export function optional<K extends string, V>(
  key: K,
  value: V | undefined,
): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
