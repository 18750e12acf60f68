import { UrlReaderService } from '@backstage/backend-plugin-api';
import { RunRecord } from '../../database/MlopsStore';
import { RayJobsClient } from '../../engines/RayJobsClient';
import { buildRayPackage } from '../workspace/rayPackage';
import { rayEntrypoint } from '../workspace/entrypoint';
import { fingerprintWorkingDir, readWorkingDir } from '../workspace/workingDir';
import { EngineObservation } from './types';

/** Ray metadata keys set on every job. */
export const RAY_METADATA_RUN_ID = 'mlops.synth.dev/run-id';
export const RAY_METADATA_MODEL = 'mlops.synth.dev/model';

/** The Ray submission id of a run: derived from the run id, never random. */
export function raySubmissionId(runId: string): string {
  return `mlops-${runId}`;
}

function fromRayTime(ms?: number | null): Date | undefined {
  return typeof ms === 'number' && ms > 0 ? new Date(ms) : undefined;
}

function trim(message: string | null | undefined, max = 2000) {
  if (!message) {
    return undefined;
  }
  return message.length > max ? `${message.slice(0, max)}…` : message;
}

/**
 * Runs training on a Ray cluster through the Ray Jobs API. Submission is
 * idempotent: the submission id is derived from the run id, and Ray's
 * "already exists" answer means an earlier attempt got through.
 */
export class RayExecutor {
  /** Built packages of unchanged local directories: fingerprint → package. */
  private readonly packages = new Map<string, { name: string; zip: Buffer }>();

  constructor(
    private readonly options: {
      client: RayJobsClient;
      urlReader?: UrlReaderService;
      maxWorkingDirBytes: number;
    },
  ) {}

  get client(): RayJobsClient {
    return this.options.client;
  }

  async submit(
    run: RunRecord,
  ): Promise<{ submissionId: string; alreadySubmitted: boolean }> {
    const submissionId = raySubmissionId(run.id);
    const { spec } = run;
    let workingDir: string;
    if (spec.source.type === 'uri') {
      workingDir = spec.source.uri;
    } else {
      const pkg = await this.packageOf(spec.source);
      workingDir = await this.options.client.uploadPackage(pkg.name, pkg.zip);
    }
    const result = await this.options.client.submitJob({
      submissionId,
      entrypoint: rayEntrypoint(spec.entrypoint, run.parameters),
      runtimeEnv: {
        working_dir: workingDir,
        ...(spec.pip?.length ? { pip: spec.pip } : {}),
        env_vars: {
          ...spec.envVars,
          MLOPS_RUN_ID: run.id,
          MLOPS_MODEL_REF: run.modelRef,
        },
      },
      metadata: {
        [RAY_METADATA_RUN_ID]: run.id,
        [RAY_METADATA_MODEL]: run.modelRef,
      },
    });
    return { submissionId, ...result };
  }

  /**
   * The package of a working directory. A local directory whose files did
   * not change (same paths, sizes, times) reuses the package built before;
   * Ray is still asked whether it has it, so a restarted cluster gets it
   * again.
   */
  private async packageOf(source: RunRecord['spec']['source']) {
    const fingerprint =
      source.type === 'file'
        ? await fingerprintWorkingDir(source.path)
        : undefined;
    const cached = fingerprint && this.packages.get(fingerprint);
    if (cached) {
      return cached;
    }
    const files = await readWorkingDir(source, {
      urlReader: this.options.urlReader,
      maxBytes: this.options.maxWorkingDirBytes,
    });
    const pkg = await buildRayPackage(files);
    if (fingerprint) {
      if (this.packages.size >= 64) {
        this.packages.delete(this.packages.keys().next().value!);
      }
      this.packages.set(fingerprint, pkg);
    }
    return pkg;
  }

  async observe(run: RunRecord): Promise<EngineObservation> {
    const submissionId = run.externalId ?? raySubmissionId(run.id);
    const job = await this.options.client.getJob(submissionId);
    if (!job) {
      return {
        state: 'lost',
        message: `Ray has no job ${submissionId} (was the Ray cluster restarted or the job deleted?)`,
      };
    }
    const startedAt = fromRayTime(job.start_time);
    const finishedAt = fromRayTime(job.end_time);
    switch (job.status) {
      case 'PENDING':
        return { state: 'submitted', message: trim(job.message) };
      case 'RUNNING':
        return { state: 'running', startedAt };
      case 'SUCCEEDED':
        return { state: 'succeeded', startedAt, finishedAt };
      case 'STOPPED':
        return {
          state: 'cancelled',
          message: trim(job.message) ?? 'Job was stopped',
          startedAt,
          finishedAt,
        };
      case 'FAILED':
      default:
        return {
          state: 'failed',
          message: trim(
            [job.error_type, job.message].filter(Boolean).join(': ') ||
              `Ray job ended ${job.status}`,
          ),
          startedAt,
          finishedAt,
        };
    }
  }

  async logs(run: RunRecord): Promise<string> {
    return this.options.client.getLogs(
      run.externalId ?? raySubmissionId(run.id),
    );
  }

  async stop(run: RunRecord): Promise<void> {
    await this.options.client.stopJob(
      run.externalId ?? raySubmissionId(run.id),
    );
  }
}
