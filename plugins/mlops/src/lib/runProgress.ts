const PROGRESS =
  /\b(?:epoch|step|iteration|round|batch)\s*[:#]?\s*(\d+)\s*(?:\/|of)\s*(\d+)/gi;
const PERCENT = /\bprogress\s*[:=]?\s*(\d{1,3}(?:\.\d+)?)\s*%/gi;

/**
 * The progress a training log reports last, 0..1: an `epoch 3/10`, `step 40
 * of 200` or `progress: 42%` line. Undefined when the log has none.
 */
export function progressFromLog(log: string): number | undefined {
  let best: { at: number; value: number } | undefined;
  for (const m of log.matchAll(PROGRESS)) {
    const done = Number(m[1]);
    const total = Number(m[2]);
    if (total > 0 && done <= total) {
      best = { at: m.index ?? 0, value: done / total };
    }
  }
  for (const m of log.matchAll(PERCENT)) {
    const value = Number(m[1]) / 100;
    if (value <= 1 && (!best || (m.index ?? 0) > best.at)) {
      best = { at: m.index ?? 0, value };
    }
  }
  return best?.value;
}
