import { InputError } from '@backstage/errors';
import { CronTime } from 'cron';
import { Duration } from 'luxon';

/** Look-back windows for the latest cron occurrence, shortest first. */
const CRON_WINDOWS_MS = [
  60 * 60 * 1000,
  24 * 60 * 60 * 1000,
  32 * 24 * 60 * 60 * 1000,
  367 * 24 * 60 * 60 * 1000,
];
const MAX_CRON_STEPS = 10_000;

/**
 * The schedule slot a monitoring frequency is in at `now`: the start of the
 * current period. Slots are deterministic, so every backend instance
 * computes the same one, and at most one report is created per model and
 * slot (a unique index).
 *
 * - ISO 8601 duration (`PT6H`, `P1D`): periods of that length counted from
 *   the Unix epoch in UTC (`P1D` starts at 00:00 UTC; months count as 30
 *   days, years as 365).
 * - cron expression (5 or 6 fields, UTC): the latest occurrence at or
 *   before `now`.
 *
 * Throws an InputError naming the frequency when it is neither.
 */
export function currentScheduleSlot(frequency: string, now: Date): Date {
  const trimmed = frequency.trim();
  if (/^P/i.test(trimmed)) {
    const duration = Duration.fromISO(trimmed);
    const ms = duration.isValid ? duration.toMillis() : NaN;
    if (!Number.isFinite(ms) || ms < 60_000) {
      throw new InputError(
        `Invalid monitoring schedule frequency '${frequency}': an ISO 8601 duration of at least one minute is required`,
      );
    }
    return new Date(Math.floor(now.getTime() / ms) * ms);
  }
  let cron: CronTime;
  try {
    cron = new CronTime(trimmed, 'UTC');
  } catch (error) {
    throw new InputError(
      `Invalid monitoring schedule frequency '${frequency}': not an ISO 8601 duration or a cron expression (${
        (error as Error).message
      })`,
    );
  }
  for (const window of CRON_WINDOWS_MS) {
    let latest: Date | undefined;
    // getNextDateFrom is strictly after its start; start just before the window
    let cursor = new Date(now.getTime() - window - 1000);
    for (let i = 0; i < MAX_CRON_STEPS; i++) {
      const next = cron.getNextDateFrom(cursor, 'UTC').toJSDate();
      if (next.getTime() > now.getTime()) {
        break;
      }
      latest = next;
      cursor = next;
    }
    if (latest) {
      return latest;
    }
  }
  throw new InputError(
    `Monitoring schedule frequency '${frequency}' has no occurrence within the last year`,
  );
}
