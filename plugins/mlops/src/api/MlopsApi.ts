import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';

/**
 * The health of a deployed model, as judged by the mlops backend.
 *
 * @public
 */
export type ModelHealthStatus =
  | 'healthy'
  | 'degraded'
  | 'unhealthy'
  | 'unknown';

/**
 * The answer of `GET /api/mlops/models/:namespace/:name/health`.
 *
 * @public
 */
export type ModelHealth = {
  status: ModelHealthStatus;
  /** Human-readable reasons for the status, most important first. */
  reasons: string[];
};

/**
 * Client of the mlops backend.
 *
 * @public
 */
export interface MlopsApi {
  /**
   * The health of a model. Rejects with a `ResponseError` when the backend
   * answers with an error status, e.g. 404 when it has no health endpoint or
   * does not know the model.
   */
  getModelHealth(
    entityRef: string | CompoundEntityRef,
    options?: { signal?: AbortSignal },
  ): Promise<ModelHealth>;
}

/**
 * Reference to the {@link MlopsApi}.
 *
 * @public
 */
export const mlopsApiRef = createApiRef<MlopsApi>({
  id: 'plugin.mlops.service',
});
