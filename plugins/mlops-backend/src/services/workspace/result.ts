import { z } from 'zod';

/** Prefix of the log line in which a training script reports its result. */
export const RESULT_MARKER = 'mlops-result:';

const resultSchema = z.object({
  artifactUri: z.string().min(1).max(2048).optional(),
  metrics: z.record(z.string().max(256), z.number()).optional(),
});

export type TrainingResult = z.infer<typeof resultSchema>;

/**
 * The result a training script printed as its last `mlops-result: {json}`
 * line, e.g. `mlops-result: {"artifactUri": "s3://models/churn/42.zip",
 * "metrics": {"auc": 0.87}}`. Malformed lines are ignored.
 */
export function parseTrainingResult(log: string): TrainingResult {
  let index = log.lastIndexOf(RESULT_MARKER);
  while (index >= 0) {
    const lineStart = log.lastIndexOf('\n', index) + 1;
    const lineEnd = log.indexOf('\n', index);
    const json = log
      .slice(index + RESULT_MARKER.length, lineEnd < 0 ? undefined : lineEnd)
      .trim();
    if (log.slice(lineStart, index).trim() === '') {
      try {
        const parsed = resultSchema.safeParse(JSON.parse(json));
        if (parsed.success) {
          const metrics = Object.fromEntries(
            Object.entries(parsed.data.metrics ?? {}).filter(([, v]) =>
              Number.isFinite(v),
            ),
          );
          return { artifactUri: parsed.data.artifactUri, metrics };
        }
      } catch {
        // not JSON; look further up
      }
    }
    index = lineStart > 0 ? log.lastIndexOf(RESULT_MARKER, lineStart - 1) : -1;
  }
  return {};
}
