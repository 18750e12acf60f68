import { HttpTransport, HttpEngine } from './http';

/** Application status in Ray Serve (`serve/_private/common.py`). */
export type ServeApplicationStatus =
  | 'NOT_STARTED'
  | 'DEPLOYING'
  | 'RUNNING'
  | 'DEPLOY_FAILED'
  | 'DELETING'
  | 'UNHEALTHY';

/** One application of `ServeDeploySchema` (the PUT body). */
export type ServeApplicationConfig = {
  name: string;
  route_prefix?: string | null;
  import_path: string;
  runtime_env?: Record<string, unknown>;
  args?: Record<string, unknown>;
  deployments?: Array<Record<string, unknown>>;
  [key: string]: unknown;
};

export type ServeApplicationDetails = {
  name: string;
  route_prefix?: string | null;
  status: ServeApplicationStatus;
  message?: string;
  deployed_app_config?: ServeApplicationConfig | null;
};

export type ServeInstanceDetails = {
  proxy_location?: string | null;
  http_options?: Record<string, unknown> | null;
  grpc_options?: Record<string, unknown> | null;
  applications: Record<string, ServeApplicationDetails>;
};

/**
 * Client of the Ray Serve REST API (`/api/serve/applications/`). The PUT is
 * declarative: applications missing from the body are deleted, so callers
 * send every application they want to keep (engines.md §3).
 */
export class RayServeClient {
  private readonly http: HttpEngine;

  constructor(options: {
    baseUrl: string;
    token?: string;
    timeoutMs: number;
    transport?: HttpTransport;
  }) {
    this.http = new HttpEngine({
      engine: `Ray Serve API at ${options.baseUrl}`,
      baseUrl: options.baseUrl,
      token: options.token,
      timeoutMs: options.timeoutMs,
      transport: options.transport,
    });
  }

  async getApplications(): Promise<ServeInstanceDetails> {
    const path = '/api/serve/applications/';
    const response = await this.http.request('GET', path);
    if (response.status !== 200) {
      throw this.http.statusError('GET', path, response);
    }
    const details = this.http.json<Partial<ServeInstanceDetails>>(
      'GET',
      path,
      response,
    );
    return { ...details, applications: details.applications ?? {} };
  }

  /** Applies the full set of applications. */
  async putApplications(body: {
    applications: ServeApplicationConfig[];
    [key: string]: unknown;
  }): Promise<void> {
    const path = '/api/serve/applications/';
    const response = await this.http.request('PUT', path, body, {
      timeoutMs: 60_000,
    });
    if (response.status !== 200) {
      // 400: invalid config or deploy error; 501: Serve is not installed.
      throw this.http.statusError('PUT', path, response);
    }
  }
}
