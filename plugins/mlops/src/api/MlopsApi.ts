import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import { ModelHealth } from '@synth/plugin-mlops-common';

/**
 * Client of the mlops backend. Request and response types are those of
 * `@synth/plugin-mlops-common`.
 *
 * @public
 */
export interface MlopsApi {
  /**
   * The health of a model, from `GET /api/mlops/models/:namespace/:name/health`.
   * Rejects with a `ResponseError` when the backend answers with an error
   * status, e.g. 404 when it has no health endpoint or does not know the
   * model.
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
