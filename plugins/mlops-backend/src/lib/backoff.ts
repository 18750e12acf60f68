/**
 * Exponential backoff with jitter: about 1 s, 2 s, 4 s … capped at `maxMs`,
 * each delay drawn from [d/2, d] so retries of many rows spread out.
 */
export function backoffMs(attempt: number, maxMs = 60_000): number {
  const ceiling = Math.min(maxMs, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
