/** How many items of each list a log line names before it summarises. */
const SHOWN = 10;

function list(items: string[]): string {
  const shown = items.slice(0, SHOWN).join('; ');
  return items.length > SHOWN
    ? `${shown}; and ${items.length - SHOWN} more`
    : shown;
}

/**
 * What one import run could not take over as it found it: objects skipped,
 * names sanitised, values replaced by defaults, and entities left to
 * another source (merge by name). The provider logs it once per change.
 */
export class ImportReport {
  /** Upstream objects that produced no entity, with the reason. */
  readonly skipped: string[] = [];
  /** Upstream names that were changed to become entity names. */
  readonly sanitized: string[] = [];
  /** Values that were dropped or replaced by a default, with the reason. */
  readonly adjusted: string[] = [];
  /** Entities left out because another source already has them. */
  readonly yielded: string[] = [];

  skip(what: string, reason: string) {
    this.skipped.push(`${what}: ${reason}`);
  }

  sanitize(what: string, entityRef: string) {
    this.sanitized.push(`${what} → ${entityRef}`);
  }

  adjust(what: string, reason: string) {
    this.adjusted.push(`${what}: ${reason}`);
  }

  yieldTo(entityRef: string, owner: string) {
    this.yielded.push(`${entityRef} (${owner})`);
  }

  /** One line per non-empty list, in a stable order. */
  lines(): string[] {
    const lines: string[] = [];
    if (this.skipped.length) {
      lines.push(`skipped ${this.skipped.length}: ${list(this.skipped)}`);
    }
    if (this.sanitized.length) {
      lines.push(
        `renamed ${
          this.sanitized.length
        } that are not valid entity names: ${list(this.sanitized)}`,
      );
    }
    if (this.adjusted.length) {
      lines.push(
        `adjusted ${this.adjusted.length} values: ${list(this.adjusted)}`,
      );
    }
    if (this.yielded.length) {
      lines.push(
        `left ${
          this.yielded.length
        } to the entities of the same name that the catalog already has from another source: ${list(
          this.yielded,
        )}`,
      );
    }
    return lines;
  }
}
