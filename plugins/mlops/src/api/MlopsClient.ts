import {
  DEFAULT_NAMESPACE,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CreateDeploymentRequest,
  CreateDriftReportRequest,
  CreateDriftReportResponse,
  CreateTrainingRunResponse,
  Deployment,
  DeploymentList,
  DriftReport,
  DriftReportList,
  ModelExperiment,
  ModelExperimentQuery,
  MODEL_HEALTH_QUERY_MAX_REFS,
  ModelHealth,
  ModelHealthQueryItem,
  ModelHealthQueryResponse,
  ModelHealthStatus,
  ModelVersionList,
  TrainingParameterValue,
  TrainingRun,
  TrainingRunList,
  TrainingRunLogs,
} from '@synth/plugin-mlops-common';
import { MlopsApi, MlopsModelRef, MlopsPageRequest } from './MlopsApi';

const HEALTH_STATUSES: ReadonlyArray<ModelHealthStatus> = [
  'healthy',
  'degraded',
  'unhealthy',
  'unknown',
];

/**
 * The backend's answer, with a status this client does not know read as
 * `unknown` and anything but strings dropped from the reasons, so that a newer
 * or misbehaving backend cannot break the page that shows it.
 */
function toModelHealth(body: ModelHealth): ModelHealth {
  const status = HEALTH_STATUSES.includes(body.status)
    ? body.status
    : 'unknown';
  const reasons = Array.isArray(body.reasons)
    ? body.reasons.filter((r): r is string => typeof r === 'string')
    : [];
  return {
    ...body,
    status,
    reasons,
    lastRun: body.lastRun ?? null,
    deployments: Array.isArray(body.deployments) ? body.deployments : [],
    drift: body.drift ?? null,
  };
}

function modelPath(entityRef: MlopsModelRef): string {
  const { namespace, name } =
    typeof entityRef === 'string'
      ? parseEntityRef(entityRef, {
          defaultKind: 'MLModel',
          defaultNamespace: DEFAULT_NAMESPACE,
        })
      : entityRef;
  return `models/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

function query(
  params: Record<string, string | number | string[] | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of [value].flat()) {
      search.append(key, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Talks to the mlops backend through the discovery and fetch APIs.
 *
 * @public
 */
export class MlopsClient implements MlopsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  private async request<T>(
    path: string,
    init?: {
      method?: 'GET' | 'POST';
      body?: unknown;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    },
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mlops');
    const headers: Record<string, string> = { ...init?.headers };
    if (init?.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await this.fetchApi.fetch(`${baseUrl}/${path}`, {
      method: init?.method ?? 'GET',
      headers,
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init?.signal,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  async getModelHealth(
    entityRef: MlopsModelRef,
    options?: { signal?: AbortSignal },
  ): Promise<ModelHealth> {
    return toModelHealth(
      await this.request<ModelHealth>(`${modelPath(entityRef)}/health`, {
        signal: options?.signal,
      }),
    );
  }

  async queryModelHealth(
    entityRefs: MlopsModelRef[],
    options?: { signal?: AbortSignal },
  ): Promise<ModelHealthQueryItem[]> {
    const refs = entityRefs.map(ref =>
      typeof ref === 'string' ? ref : stringifyEntityRef(ref),
    );
    const parts: string[][] = [];
    for (let i = 0; i < refs.length; i += MODEL_HEALTH_QUERY_MAX_REFS) {
      parts.push(refs.slice(i, i + MODEL_HEALTH_QUERY_MAX_REFS));
    }
    const answers = await Promise.all(
      parts.map(part =>
        this.request<ModelHealthQueryResponse>('health/query', {
          method: 'POST',
          body: { entityRefs: part },
          signal: options?.signal,
        }),
      ),
    );
    // One item per reference in the order asked, whatever the body holds.
    return answers.flatMap((answer, p) =>
      parts[p].map((entityRef, i): ModelHealthQueryItem => {
        const item = Array.isArray(answer?.items) ? answer.items[i] : undefined;
        return item && 'health' in item && item.health
          ? { entityRef, health: toModelHealth(item.health) }
          : { entityRef, error: 'NotFound' };
      }),
    );
  }

  listTrainingRuns(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<TrainingRunList> {
    return this.request(
      `${modelPath(entityRef)}/runs${query({
        limit: page?.limit,
        cursor: page?.cursor,
      })}`,
      { signal: page?.signal },
    );
  }

  createTrainingRun(
    entityRef: MlopsModelRef,
    request: {
      parameters?: Record<string, TrainingParameterValue>;
      idempotencyKey: string;
    },
  ): Promise<CreateTrainingRunResponse> {
    return this.request(`${modelPath(entityRef)}/runs`, {
      method: 'POST',
      body: { parameters: request.parameters ?? {} },
      headers: { 'Idempotency-Key': request.idempotencyKey },
    });
  }

  getTrainingRun(
    runId: string,
    options?: { signal?: AbortSignal },
  ): Promise<TrainingRun> {
    return this.request(`runs/${encodeURIComponent(runId)}`, {
      signal: options?.signal,
    });
  }

  getTrainingRunLogs(
    runId: string,
    options?: { after?: number; waitSeconds?: number; signal?: AbortSignal },
  ): Promise<TrainingRunLogs> {
    return this.request(
      `runs/${encodeURIComponent(runId)}/logs${query({
        after: options?.after,
        wait: options?.waitSeconds,
      })}`,
      { signal: options?.signal },
    );
  }

  cancelTrainingRun(runId: string): Promise<TrainingRun> {
    return this.request(`runs/${encodeURIComponent(runId)}/cancel`, {
      method: 'POST',
    });
  }

  listModelVersions(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<ModelVersionList> {
    return this.request(
      `${modelPath(entityRef)}/versions${query({
        limit: page?.limit,
        cursor: page?.cursor,
      })}`,
      { signal: page?.signal },
    );
  }

  listDeployments(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<DeploymentList> {
    return this.request(
      `${modelPath(entityRef)}/deployments${query({
        limit: page?.limit,
        cursor: page?.cursor,
      })}`,
      { signal: page?.signal },
    );
  }

  createDeployment(
    entityRef: MlopsModelRef,
    request: CreateDeploymentRequest,
    options?: { idempotencyKey?: string },
  ): Promise<Deployment> {
    return this.request(`${modelPath(entityRef)}/deployments`, {
      method: 'POST',
      body: request,
      headers: options?.idempotencyKey
        ? { 'Idempotency-Key': options.idempotencyKey }
        : undefined,
    });
  }

  promoteDeployment(deploymentId: string): Promise<Deployment> {
    return this.request(
      `deployments/${encodeURIComponent(deploymentId)}/promote`,
      { method: 'POST' },
    );
  }

  rollbackDeployment(deploymentId: string): Promise<Deployment> {
    return this.request(
      `deployments/${encodeURIComponent(deploymentId)}/rollback`,
      { method: 'POST' },
    );
  }

  createDriftReport(
    entityRef: MlopsModelRef,
    request?: CreateDriftReportRequest,
  ): Promise<CreateDriftReportResponse> {
    return this.request(`${modelPath(entityRef)}/drift-reports`, {
      method: 'POST',
      body: request ?? {},
    });
  }

  listDriftReports(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<DriftReportList> {
    return this.request(
      `${modelPath(entityRef)}/drift-reports${query({
        limit: page?.limit,
        cursor: page?.cursor,
      })}`,
      { signal: page?.signal },
    );
  }

  getDriftReport(
    reportId: string,
    options?: { signal?: AbortSignal },
  ): Promise<DriftReport> {
    return this.request(`drift-reports/${encodeURIComponent(reportId)}`, {
      signal: options?.signal,
    });
  }

  getModelExperiment(
    entityRef: MlopsModelRef,
    options?: ModelExperimentQuery & { signal?: AbortSignal },
  ): Promise<ModelExperiment> {
    return this.request(
      `${modelPath(entityRef)}/experiment${query({
        maxRuns: options?.maxRuns,
        runId: options?.runId,
        metric: options?.metric,
        maxPoints: options?.maxPoints,
      })}`,
      { signal: options?.signal },
    );
  }
}
