import {
  CompoundEntityRef,
  DEFAULT_NAMESPACE,
  parseEntityRef,
} from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ModelHealth, ModelHealthStatus } from '@synth/plugin-mlops-common';
import { MlopsApi } from './MlopsApi';

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
  return { ...body, status, reasons };
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

  async getModelHealth(
    entityRef: string | CompoundEntityRef,
    options?: { signal?: AbortSignal },
  ): Promise<ModelHealth> {
    const { namespace, name } =
      typeof entityRef === 'string'
        ? parseEntityRef(entityRef, {
            defaultKind: 'MLModel',
            defaultNamespace: DEFAULT_NAMESPACE,
          })
        : entityRef;
    const baseUrl = await this.discoveryApi.getBaseUrl('mlops');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/models/${encodeURIComponent(namespace)}/${encodeURIComponent(
        name,
      )}/health`,
      { signal: options?.signal },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return toModelHealth(await response.json());
  }
}
