import { EngineError } from './EngineError';
import { HttpTransport, HttpEngine } from './http';

/** Ray's job status (`JobStatus` in `ray/dashboard/modules/job/common.py`). */
export type RayJobStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'STOPPED'
  | 'SUCCEEDED'
  | 'FAILED';

/** The fields of Ray's `JobDetails` this plugin reads. */
export type RayJobDetails = {
  type?: string;
  submission_id?: string | null;
  job_id?: string | null;
  status: RayJobStatus;
  message?: string | null;
  error_type?: string | null;
  start_time?: number | null;
  end_time?: number | null;
  metadata?: Record<string, string> | null;
  driver_exit_code?: number | null;
  entrypoint?: string;
};

export type RayJobSubmission = {
  submissionId: string;
  entrypoint: string;
  runtimeEnv?: {
    working_dir?: string;
    pip?: string[];
    env_vars?: Record<string, string>;
  };
  metadata?: Record<string, string>;
};

const DUPLICATE_SUBMISSION = 'Please use a different submission_id';
const NO_AGENT = 'No available agent';

/**
 * Client of the Ray Jobs REST API (`/api/jobs/`, `/api/packages/`) of a Ray
 * dashboard. See engines.md §2: the trailing slash on submit is required, a
 * reused submission id is reported as 400 (agent) or 500 (head) with the text
 * "Please use a different submission_id", and "No available agent" is a
 * transient 500.
 */
export class RayJobsClient {
  private readonly http: HttpEngine;

  constructor(options: {
    baseUrl: string;
    token?: string;
    timeoutMs: number;
    transport?: HttpTransport;
  }) {
    this.http = new HttpEngine({
      engine: `Ray Jobs API at ${options.baseUrl}`,
      baseUrl: options.baseUrl,
      token: options.token,
      timeoutMs: options.timeoutMs,
      transport: options.transport,
    });
  }

  /**
   * Submits the job. Resolves with `alreadySubmitted: true` when Ray already
   * has a job with this submission id, i.e. an earlier attempt got through.
   */
  async submitJob(
    submission: RayJobSubmission,
  ): Promise<{ alreadySubmitted: boolean }> {
    const path = '/api/jobs/';
    const body: Record<string, unknown> = {
      entrypoint: submission.entrypoint,
      submission_id: submission.submissionId,
    };
    if (submission.runtimeEnv && Object.keys(submission.runtimeEnv).length) {
      body.runtime_env = submission.runtimeEnv;
    }
    if (submission.metadata) {
      body.metadata = submission.metadata;
    }
    const response = await this.http.request('POST', path, body);
    if (response.status >= 200 && response.status < 300) {
      return { alreadySubmitted: false };
    }
    if (response.text.includes(DUPLICATE_SUBMISSION)) {
      return { alreadySubmitted: true };
    }
    if (response.text.includes(NO_AGENT)) {
      throw this.http.statusError('POST', path, response, true);
    }
    // 400: Ray rejected the request itself (bad runtime_env, metadata, ...).
    throw this.http.statusError('POST', path, response);
  }

  /** The job, or undefined if Ray does not know the submission id. */
  async getJob(submissionId: string): Promise<RayJobDetails | undefined> {
    const path = `/api/jobs/${encodeURIComponent(submissionId)}`;
    const response = await this.http.request('GET', path);
    if (response.status === 404) {
      return undefined;
    }
    if (response.status !== 200) {
      throw this.http.statusError('GET', path, response);
    }
    return this.http.json<RayJobDetails>('GET', path, response);
  }

  async listJobs(): Promise<RayJobDetails[]> {
    const path = '/api/jobs/';
    const response = await this.http.request('GET', path);
    if (response.status !== 200) {
      throw this.http.statusError('GET', path, response);
    }
    const parsed = this.http.json<unknown>('GET', path, response);
    // Ray returns an array; older docs show an object keyed by id.
    return Array.isArray(parsed)
      ? (parsed as RayJobDetails[])
      : Object.values(parsed as Record<string, RayJobDetails>);
  }

  /** The driver log so far ("" until the driver is placed). */
  async getLogs(submissionId: string): Promise<string> {
    const path = `/api/jobs/${encodeURIComponent(submissionId)}/logs`;
    const response = await this.http.request('GET', path);
    if (response.status === 404) {
      throw new EngineError({
        engine: this.http.engine,
        message: `job ${submissionId} does not exist`,
        retryable: false,
        status: 404,
      });
    }
    if (response.status !== 200) {
      throw this.http.statusError('GET', path, response);
    }
    return this.http.json<{ logs?: string }>('GET', path, response).logs ?? '';
  }

  /** Stops the job; resolves to false if it had already ended. */
  async stopJob(submissionId: string): Promise<boolean> {
    const path = `/api/jobs/${encodeURIComponent(submissionId)}/stop`;
    const response = await this.http.request('POST', path);
    if (response.status === 404) {
      return false;
    }
    if (response.status !== 200) {
      throw this.http.statusError('POST', path, response);
    }
    return Boolean(
      this.http.json<{ stopped?: boolean }>('POST', path, response).stopped,
    );
  }

  /**
   * Uploads a working directory package unless Ray already has it. `name`
   * must look like `_ray_pkg_<hash>.zip`; the result is the `gcs://` URI for
   * `runtime_env.working_dir`.
   */
  async uploadPackage(name: string, zip: Buffer): Promise<string> {
    const path = `/api/packages/gcs/${encodeURIComponent(name)}`;
    const head = await this.http.request('GET', path);
    if (head.status === 200) {
      return `gcs://${name}`;
    }
    if (head.status !== 404) {
      throw this.http.statusError('GET', path, head);
    }
    const response = await this.http.request('PUT', path, undefined, {
      raw: zip,
      timeoutMs: 120_000,
    });
    if (response.status !== 200) {
      throw this.http.statusError('PUT', path, response);
    }
    return `gcs://${name}`;
  }

  async version(): Promise<{ ray_version?: string }> {
    const path = '/api/version';
    const response = await this.http.request('GET', path);
    if (response.status !== 200) {
      throw this.http.statusError('GET', path, response);
    }
    return this.http.json('GET', path, response);
  }
}
