import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  COLUMN_TYPES,
  DRIFT_METHODS,
  DriftReport as EngineReport,
} from '@synth/plugin-mlops-drift';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DriftSourceSpec, DriftSpec } from '../../database/DriftStore';
import { RayJobsClient } from '../../engines/RayJobsClient';
import { buildRayPackage } from '../workspace/rayPackage';
import { DriftExecutor } from './DriftExecutor';
import { redactUrl, RemoteSourcePolicy } from './remoteSources';

/** Prefix of the job's result line: `mlops-drift-result: {json}`. */
export const DRIFT_RESULT_MARKER = 'mlops-drift-result:';
/** Prefix of the job's input-error line: `mlops-drift-error: {"message"}`. */
export const DRIFT_ERROR_MARKER = 'mlops-drift-error:';
/** The script in the package's `ray/` directory that the job runs. */
export const DRIFT_JOB_SCRIPT = 'drift_job.py';
/** Ray metadata key set on drift jobs. */
export const RAY_METADATA_DRIFT_REPORT = 'mlops.synth.dev/drift-report';

/** The Ray submission id of a report: derived from the report id, never random. */
export function driftSubmissionId(reportId: string): string {
  return `mlops-drift-${reportId}`;
}

/** The package's `ray/` directory (the job's working directory). */
export function defaultDriftJobDir(): string {
  return resolvePackagePath('@synth/plugin-mlops-backend', 'ray');
}

const finite = z.number().refine(Number.isFinite, 'must be finite');
// JSON has no infinities; the job writes +inf as "Infinity"
const statistic = z.union([
  z.number(),
  z.literal('Infinity').transform(() => Infinity),
  z.literal('-Infinity').transform(() => -Infinity),
]);
const counts = z.array(finite);
const category = z.union([z.string(), z.number(), z.boolean()]);

const columnSchema = z.object({
  column: z.string(),
  type: z.enum(COLUMN_TYPES),
  featureType: z.enum(['numerical', 'categorical']),
  method: z.enum(DRIFT_METHODS),
  methodSource: z.enum(['default', 'override']),
  statistic,
  pValue: finite.nullable(),
  threshold: finite,
  comparison: z.enum(['<=', '<', '>=']),
  drifted: z.boolean(),
  referenceCount: z.number().int().nonnegative(),
  currentCount: z.number().int().nonnegative(),
  referenceDropped: z.number().int().nonnegative(),
  currentDropped: z.number().int().nonnegative(),
  details: z.object({
    ksPValueMethod: z.enum(['exact', 'asymptotic']).optional(),
    binning: z.enum(['sturges', 'values']).optional(),
    degreesOfFreedom: z.number().int().optional(),
    wassersteinDistance: finite.optional(),
    referenceStd: finite.optional(),
    distinctValues: z.number().int().optional(),
  }),
  histogram: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('numeric'),
      edges: counts,
      reference: counts,
      current: counts,
    }),
    z.object({
      kind: z.literal('categorical'),
      categories: z.array(category),
      reference: counts,
      current: counts,
      otherReference: finite,
      otherCurrent: finite,
    }),
  ]),
});

const reportSchema = z.object({
  dataset: z.object({
    driftShare: finite,
    drifted: z.boolean(),
    driftShareThreshold: finite,
    numberOfColumns: z.number().int().positive(),
    numberOfDriftedColumns: z.number().int().nonnegative(),
  }),
  columns: z.array(columnSchema).min(1),
  skipped: z.array(
    z.object({
      column: z.string(),
      type: z.enum(COLUMN_TYPES),
      reason: z.string(),
    }),
  ),
  reference: z.object({ name: z.string(), rows: z.number().int() }),
  current: z.object({ name: z.string(), rows: z.number().int() }),
});

const errorSchema = z.object({ message: z.string().min(1) });

/** The JSON after the last line starting with `marker`, if any. */
function lastMarkedLine(log: string, marker: string): string | undefined {
  const lines = log.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trimStart();
    if (line.startsWith(marker)) {
      return line.slice(marker.length).trim();
    }
  }
  return undefined;
}

/**
 * The report a drift job printed as its `mlops-drift-result:` line, checked
 * against the engine's report format; undefined when there is none.
 * Throws when the line is there but does not parse.
 */
export function parseDriftJobResult(log: string): EngineReport | undefined {
  const json = lastMarkedLine(log, DRIFT_RESULT_MARKER);
  if (json === undefined) {
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`The drift job's result line is not JSON: ${error}`);
  }
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `The drift job's result does not match the report format: ${parsed.error.issues
        .slice(0, 3)
        .map(i => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data as EngineReport;
}

/** The input error a drift job printed (`mlops-drift-error:`), if any. */
export function parseDriftJobError(log: string): string | undefined {
  const json = lastMarkedLine(log, DRIFT_ERROR_MARKER);
  if (json === undefined) {
    return undefined;
  }
  try {
    const parsed = errorSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data.message : undefined;
  } catch {
    return undefined;
  }
}

function trim(message: string, max = 2000) {
  return message.length > max ? `${message.slice(0, max)}…` : message;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Computes drift reports as Ray jobs, for data that outgrows the backend:
 * the job runs `ray/drift_job.py` (shipped in this package and uploaded as
 * the job's working directory), which reads both sides with Ray Data on the
 * cluster, tests every column with scipy the way the local drift engine
 * does, and prints the report in the engine's format. The backend never
 * reads the data; it checks the locations against its allow lists
 * ({@link RemoteSourcePolicy}) before it submits anything.
 *
 * Submission is idempotent (the submission id is derived from the report
 * id), so an instance that takes over a report after a restart follows the
 * job already running. A job that ends in any state but SUCCEEDED, or runs
 * longer than the timeout (it is then stopped), fails the report with the
 * job's own error message.
 */
export class RayDriftExecutor implements DriftExecutor {
  readonly name = 'ray' as const;
  private packagePromise?: Promise<{ name: string; zip: Buffer }>;

  constructor(
    private readonly options: {
      client: RayJobsClient;
      policy: RemoteSourcePolicy;
      /** The Python command on the cluster. Default `python`. */
      python?: string;
      pollIntervalMs: number;
      timeoutMs: number;
      /** Directory holding drift_job.py; the package's `ray/` by default. */
      jobDir?: string;
    },
  ) {}

  get client(): RayJobsClient {
    return this.options.client;
  }

  async compute(request: {
    reportId: string;
    spec: DriftSpec;
  }): Promise<EngineReport> {
    const { spec, reportId } = request;
    const reference = this.source(spec.reference, 'reference');
    const current = this.source(spec.current, 'current');
    const jobSpec = {
      reference,
      current,
      columnTypes: spec.columnTypes ?? null,
      options: spec.options ?? {},
    };
    const encoded = Buffer.from(JSON.stringify(jobSpec)).toString('base64');
    const submissionId = driftSubmissionId(reportId);
    const { client } = this.options;
    const workingDir = await this.workingDir();
    await client.submitJob({
      submissionId,
      entrypoint: `${
        this.options.python ?? 'python'
      } ${DRIFT_JOB_SCRIPT} --spec ${encoded}`,
      runtimeEnv: { working_dir: workingDir },
      metadata: { [RAY_METADATA_DRIFT_REPORT]: reportId },
    });
    return this.await(submissionId);
  }

  /** The job's view of one side; refused here when it may not be read. */
  private source(source: DriftSourceSpec, side: 'reference' | 'current') {
    const name = `the ${side} data (${redactUrl(source.url)})`;
    const location = this.options.policy.check(source.url, name);
    return { url: location, format: source.format, name };
  }

  private async await(submissionId: string): Promise<EngineReport> {
    const { client, pollIntervalMs, timeoutMs } = this.options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await client.getJob(submissionId);
      if (!job) {
        throw new Error(
          `Ray has no drift job ${submissionId} (was the Ray cluster restarted?)`,
        );
      }
      if (
        job.status === 'SUCCEEDED' ||
        job.status === 'FAILED' ||
        job.status === 'STOPPED'
      ) {
        const logs = await client.getLogs(submissionId).catch(() => '');
        if (job.status === 'SUCCEEDED') {
          const report = parseDriftJobResult(logs);
          if (!report) {
            throw new Error(
              `The drift job ${submissionId} succeeded without printing a result`,
            );
          }
          return report;
        }
        const inputError = parseDriftJobError(logs);
        if (inputError) {
          throw new InputError(inputError);
        }
        const reason =
          [job.error_type, job.message].filter(Boolean).join(': ') ||
          `it ended ${job.status}`;
        // Ray's message quotes the entrypoint, whose spec names the data
        throw new Error(
          `The drift job ${submissionId} on Ray failed: ${trim(
            reason.replace(/--spec\s+\S+/g, '--spec …'),
          )}`,
        );
      }
      if (Date.now() >= deadline) {
        await client.stopJob(submissionId).catch(() => false);
        throw new Error(
          `The drift job ${submissionId} on Ray did not finish within ${Math.round(
            timeoutMs / 1000,
          )} s; it was stopped`,
        );
      }
      await sleep(pollIntervalMs);
    }
  }

  /**
   * The `gcs://` URI of the job directory. The package is built once per
   * process; Ray is asked every time whether it has it (a restarted cluster
   * gets it again), and it is uploaded only when it does not.
   */
  private async workingDir(): Promise<string> {
    if (!this.packagePromise) {
      this.packagePromise = (async () => {
        const dir = this.options.jobDir ?? defaultDriftJobDir();
        const names = (await fs.readdir(dir)).filter(n => n.endsWith('.py'));
        const files = await Promise.all(
          names.map(async name => ({
            path: name,
            content: await fs.readFile(path.join(dir, name)),
            mode: 0o644,
          })),
        );
        return buildRayPackage(files);
      })();
      this.packagePromise.catch(() => {
        this.packagePromise = undefined;
      });
    }
    const pkg = await this.packagePromise;
    return this.options.client.uploadPackage(pkg.name, pkg.zip);
  }
}
