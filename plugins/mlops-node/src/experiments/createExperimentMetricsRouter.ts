import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { isMLModelEntity, MLMODEL_KIND } from '@synth/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EXPERIMENT_LIMITS } from './DefaultExperimentMetricsService';
import { ExperimentMetricsService } from './types';

const ENTITY_PART = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;

const metricKey = z.string().min(1).max(250);

const experimentQuery = z
  .object({
    maxRuns: z.coerce
      .number()
      .int()
      .min(1)
      .max(EXPERIMENT_LIMITS.maxRuns)
      .optional(),
    runId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an MLflow run id')
      .optional(),
    metric: z
      .union([
        metricKey,
        z.array(metricKey).max(EXPERIMENT_LIMITS.maxMetricKeys),
      ])
      .optional(),
    maxPoints: z.coerce
      .number()
      .int()
      .min(1)
      .max(EXPERIMENT_LIMITS.maxPoints)
      .optional(),
  })
  .strict();

/**
 * Options of {@link createExperimentMetricsRouter}.
 *
 * @public
 */
export type ExperimentMetricsRouterOptions = {
  service: ExperimentMetricsService;
  httpAuth: HttpAuthService;
  /** Reads the MLModel with the caller's credentials. */
  catalog: CatalogService;
};

/**
 * The experiment metrics route of the mlops backend, ready to mount with
 * `router.use(...)`:
 *
 * `GET /models/:namespace/:name/experiment` with the optional query
 * parameters `maxRuns` (1–100, default 20), `runId` (the run whose metric
 * histories to return, default the most recent), `metric` (repeatable;
 * default every metric of that run, at most 25) and `maxPoints` (1–10,000
 * values per metric, default 1,000). Answers a `ModelExperiment`.
 *
 * The caller needs user or service credentials, and the MLModel is read
 * from the catalog with them, so a caller who cannot see the entity gets
 * 404. The browser never talks to MLflow: the service calls it with the
 * backend's own credentials. 400 for invalid parameters, 404 for an unknown
 * model or one that names no experiment, 503 when MLflow is unreachable or
 * not configured.
 *
 * @public
 */
export function createExperimentMetricsRouter(
  options: ExperimentMetricsRouterOptions,
): express.Router {
  const { service, httpAuth, catalog } = options;
  const router = Router();

  router.get('/models/:namespace/:name/experiment', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { namespace, name } = req.params;
    if (!ENTITY_PART.test(namespace) || !ENTITY_PART.test(name)) {
      throw new InputError('Invalid entity namespace or name');
    }
    const parsed = experimentQuery.safeParse(req.query);
    if (!parsed.success) {
      throw new InputError(`Invalid query: ${z.prettifyError(parsed.error)}`);
    }
    const query = parsed.data;
    const entity = await catalog.getEntityByRef(
      { kind: MLMODEL_KIND, namespace, name },
      { credentials },
    );
    if (!entity || !isMLModelEntity(entity)) {
      throw new NotFoundError(`No MLModel ${namespace}/${name}`);
    }
    // Stop reading MLflow when the client goes away before the answer.
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        controller.abort();
      }
    });
    const experiment = await service.getModelExperiment(entity, {
      maxRuns: query.maxRuns,
      maxPoints: query.maxPoints,
      runId: query.runId,
      metricKeys:
        query.metric === undefined ? undefined : [query.metric].flat(),
      signal: controller.signal,
    });
    res.json(experiment);
  });

  return router;
}
