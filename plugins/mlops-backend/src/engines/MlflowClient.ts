import { HttpTransport, HttpEngine } from './http';

export type MlflowModelVersion = {
  name: string;
  version: string;
  source?: string;
  run_id?: string;
  status?: string;
  tags?: Array<{ key: string; value: string }>;
};

/** Tag on an MLflow model version naming the mlops run that created it. */
export const MLFLOW_RUN_TAG = 'mlops.synth.dev/run-id';

/**
 * Client of the MLflow model registry REST API (`/api/2.0/mlflow/`). MLflow
 * answers "already exists" with HTTP 400 and `RESOURCE_ALREADY_EXISTS`, and
 * model versions are strings (engines.md §7).
 */
export class MlflowClient {
  private readonly http: HttpEngine;

  constructor(options: {
    baseUrl: string;
    token?: string;
    timeoutMs: number;
    transport?: HttpTransport;
  }) {
    this.http = new HttpEngine({
      engine: `MLflow at ${options.baseUrl}`,
      baseUrl: options.baseUrl,
      token: options.token,
      timeoutMs: options.timeoutMs,
      transport: options.transport,
    });
  }

  private errorCode(text: string): string | undefined {
    try {
      return JSON.parse(text)?.error_code;
    } catch {
      return undefined;
    }
  }

  /** Creates the registered model unless it exists. */
  async ensureRegisteredModel(name: string): Promise<void> {
    const path = '/api/2.0/mlflow/registered-models/create';
    const response = await this.http.request('POST', path, { name });
    if (response.status === 200) {
      return;
    }
    if (this.errorCode(response.text) === 'RESOURCE_ALREADY_EXISTS') {
      return;
    }
    throw this.http.statusError('POST', path, response);
  }

  /** The version of `name` tagged with the run id, if one was created before. */
  async findVersionForRun(
    name: string,
    runId: string,
  ): Promise<MlflowModelVersion | undefined> {
    let pageToken: string | undefined;
    do {
      const params = new URLSearchParams({
        filter: `name='${name.replace(/'/g, "\\'")}'`,
        max_results: '1000',
      });
      if (pageToken) {
        params.set('page_token', pageToken);
      }
      const path = `/api/2.0/mlflow/model-versions/search?${params}`;
      const response = await this.http.request('GET', path);
      if (response.status !== 200) {
        throw this.http.statusError('GET', path, response);
      }
      const body = this.http.json<{
        model_versions?: MlflowModelVersion[];
        next_page_token?: string;
      }>('GET', path, response);
      const found = body.model_versions?.find(v =>
        v.tags?.some(t => t.key === MLFLOW_RUN_TAG && t.value === runId),
      );
      if (found) {
        return found;
      }
      pageToken = body.next_page_token || undefined;
    } while (pageToken);
    return undefined;
  }

  async createModelVersion(options: {
    name: string;
    source: string;
    runId: string;
    description?: string;
  }): Promise<MlflowModelVersion> {
    const path = '/api/2.0/mlflow/model-versions/create';
    const response = await this.http.request('POST', path, {
      name: options.name,
      source: options.source,
      description: options.description,
      tags: [{ key: MLFLOW_RUN_TAG, value: options.runId }],
    });
    if (response.status !== 200) {
      throw this.http.statusError('POST', path, response);
    }
    return this.http.json<{ model_version: MlflowModelVersion }>(
      'POST',
      path,
      response,
    ).model_version;
  }
}
