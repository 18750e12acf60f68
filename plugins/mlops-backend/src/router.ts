import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import express from 'express';
import Router from 'express-promise-router';
import { DRIFT_METHODS } from '@synth/plugin-mlops-drift';
import { z } from 'zod';
import {
  CreateDeploymentRequest,
  mlopsModelDeployPermission,
  mlopsModelDriftRunPermission,
  mlopsModelRollbackPermission,
  mlopsModelTrainPermission,
  MODEL_HEALTH_QUERY_MAX_REFS,
  ModelHealthQueryResponse,
} from '@synth/plugin-mlops-common';
import { modelRefOf, ModelAccess } from './services/ModelAccess';
import { DeploymentService } from './services/DeploymentService/types';
import { toApiDeployment } from './services/DeploymentService/DefaultDeploymentService';
import { DriftService } from './services/DriftService/types';
import {
  HealthService,
  isModelEntityRef,
} from './services/HealthService/HealthService';
import { TrainingService } from './services/TrainingService/types';
import { toApiRun } from './services/TrainingService/DefaultTrainingService';

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

const createRunBody = z
  .object({ parameters: z.record(z.string(), z.unknown()).optional() })
  .strict();

const version = z
  .union([z.string().min(1).max(64), z.number().int().nonnegative()])
  .transform(String);

const createDeploymentBody = z.discriminatedUnion('strategy', [
  z.object({ version, strategy: z.literal('all-at-once') }).strict(),
  z
    .object({
      version,
      strategy: z.literal('canary'),
      weight: z.number().gt(0).lt(1),
    })
    .strict(),
]);

const createDriftReportBody = z
  .object({
    method: z.enum(DRIFT_METHODS).optional(),
    currentLocation: z
      .string()
      .min(1)
      .max(2048)
      .refine(
        value =>
          /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/.test(value) ||
          /^\/\S*$/.test(value),
        'must be an absolute URL or an absolute path',
      )
      .optional(),
  })
  .strict();

const healthQueryBody = z
  .object({
    entityRefs: z
      .array(
        z
          .string()
          .min(1)
          .max(512)
          .refine(
            isModelEntityRef,
            'must be an MLModel entity reference, e.g. mlmodel:default/churn-classifier',
          ),
      )
      .max(MODEL_HEALTH_QUERY_MAX_REFS),
  })
  .strict();

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

const logsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  wait: z.coerce.number().min(0).max(30).default(0),
});

function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(`Invalid ${what}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

function idempotencyKeyOf(req: express.Request, required: boolean) {
  const key = req.header('idempotency-key');
  if (key === undefined) {
    if (required) {
      throw new InputError('The Idempotency-Key header is required');
    }
    return undefined;
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new InputError(
      'The Idempotency-Key header must be 1 to 255 visible ASCII characters',
    );
  }
  return key;
}

/**
 * The HTTP API of the mlops plugin. Handlers only parse, authenticate,
 * audit and delegate: catalog visibility and permissions go through
 * {@link ModelAccess}, the work through the services.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  models: ModelAccess;
  training: TrainingService;
  deployments: DeploymentService;
  health: HealthService;
  drift?: DriftService;
}): Promise<express.Router> {
  const { httpAuth, auditor, models, training, deployments, health, drift } =
    options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  const userCredentials = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });
  const readCredentials = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  async function audited<T>(
    req: express.Request,
    eventId: string,
    severityLevel: AuditorServiceEventSeverityLevel,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta,
    });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  async function runFor(id: string, credentials: BackstageCredentials) {
    const run = await training.getRun(id);
    if (!run) {
      throw new NotFoundError(`No training run ${id}`);
    }
    // The run is only as visible as its model.
    const model = await models
      .getModel(run.modelRef, credentials)
      .catch(error => {
        throw error?.name === 'NotFoundError'
          ? new NotFoundError(`No training run ${id}`)
          : error;
      });
    return { run, model };
  }

  async function deploymentFor(id: string, credentials: BackstageCredentials) {
    const deployment = await deployments.getDeployment(id);
    if (!deployment) {
      throw new NotFoundError(`No deployment ${id}`);
    }
    const model = await models
      .getModel(deployment.modelRef, credentials)
      .catch(error => {
        throw error?.name === 'NotFoundError'
          ? new NotFoundError(`No deployment ${id}`)
          : error;
      });
    return { deployment, model };
  }

  // ---------------------------------------------------------------- training

  router.post('/models/:namespace/:name/runs', async (req, res) => {
    const credentials = await userCredentials(req);
    const { namespace, name } = req.params;
    const modelRef = modelRefOf({ kind: 'MLModel', namespace, name });
    const result = await audited(
      req,
      'training-trigger',
      'medium',
      { actionType: 'create', modelRef },
      async () => {
        const key = idempotencyKeyOf(req, true)!;
        const body = parse(createRunBody, req.body ?? {}, 'request body');
        const model = await models.getModel({ namespace, name }, credentials);
        await models.authorize(mlopsModelTrainPermission, model, credentials);
        return training.createRun({
          model,
          parameters: body.parameters ?? {},
          idempotencyKey: key,
          createdBy: credentials.principal.userEntityRef,
        });
      },
    );
    res
      .status(202)
      .location(`runs/${result.run.id}`)
      .set('Idempotent-Replayed', String(!result.created))
      .json({ id: result.run.id, status: result.run.status });
  });

  router.get('/models/:namespace/:name/runs', async (req, res) => {
    const credentials = await readCredentials(req);
    const page = parse(pageQuery, req.query, 'query');
    const model = await models.getModel(req.params, credentials);
    res.json(await training.listRuns(model.ref, page));
  });

  router.get('/models/:namespace/:name/versions', async (req, res) => {
    const credentials = await readCredentials(req);
    const page = parse(pageQuery, req.query, 'query');
    const model = await models.getModel(req.params, credentials);
    res.json(await training.listVersions(model.ref, page));
  });

  router.get('/runs/:id', async (req, res) => {
    const credentials = await readCredentials(req);
    const { run } = await runFor(req.params.id, credentials);
    res.json(toApiRun(run));
  });

  router.get('/runs/:id/logs', async (req, res) => {
    const credentials = await readCredentials(req);
    const query = parse(logsQuery, req.query, 'query');
    const { run } = await runFor(req.params.id, credentials);
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    res.json(
      await training.readLogs(run, {
        after: query.after,
        waitMs: query.wait * 1000,
        signal: abort.signal,
      }),
    );
  });

  router.post('/runs/:id/cancel', async (req, res) => {
    const credentials = await userCredentials(req);
    const run = await audited(
      req,
      'training-cancel',
      'medium',
      { actionType: 'cancel', runId: req.params.id },
      async () => {
        const found = await runFor(req.params.id, credentials);
        await models.authorize(
          mlopsModelTrainPermission,
          found.model,
          credentials,
        );
        return training.cancelRun(found.run);
      },
    );
    res.status(202).json(run);
  });

  // ---------------------------------------------------------------- deployments

  router.post('/models/:namespace/:name/deployments', async (req, res) => {
    const credentials = await userCredentials(req);
    const { namespace, name } = req.params;
    const modelRef = modelRefOf({ kind: 'MLModel', namespace, name });
    const result = await audited(
      req,
      'deploy',
      'high',
      { actionType: 'create', modelRef },
      async () => {
        const key = idempotencyKeyOf(req, false);
        const body = parse(
          createDeploymentBody,
          req.body ?? {},
          'request body',
        ) as CreateDeploymentRequest;
        const model = await models.getModel({ namespace, name }, credentials);
        await models.authorize(mlopsModelDeployPermission, model, credentials);
        return deployments.createDeployment({
          model,
          request: body,
          idempotencyKey: key,
          createdBy: credentials.principal.userEntityRef,
        });
      },
    );
    res
      .status(202)
      .location(`deployments/${result.deployment.id}`)
      .set('Idempotent-Replayed', String(!result.created))
      .json(result.deployment);
  });

  router.get('/models/:namespace/:name/deployments', async (req, res) => {
    const credentials = await readCredentials(req);
    const page = parse(pageQuery, req.query, 'query');
    const model = await models.getModel(req.params, credentials);
    res.json(await deployments.listDeployments(model.ref, page));
  });

  router.get('/deployments/:id', async (req, res) => {
    const credentials = await readCredentials(req);
    const { deployment } = await deploymentFor(req.params.id, credentials);
    res.json(toApiDeployment(deployment));
  });

  router.post('/deployments/:id/promote', async (req, res) => {
    const credentials = await userCredentials(req);
    const result = await audited(
      req,
      'deploy',
      'high',
      { actionType: 'promote', deploymentId: req.params.id },
      async () => {
        const found = await deploymentFor(req.params.id, credentials);
        await models.authorize(
          mlopsModelDeployPermission,
          found.model,
          credentials,
        );
        return deployments.promote(found.deployment);
      },
    );
    res.json(result);
  });

  router.post('/deployments/:id/rollback', async (req, res) => {
    const credentials = await userCredentials(req);
    const result = await audited(
      req,
      'rollback',
      'high',
      { actionType: 'rollback', deploymentId: req.params.id },
      async () => {
        const found = await deploymentFor(req.params.id, credentials);
        await models.authorize(
          mlopsModelRollbackPermission,
          found.model,
          credentials,
        );
        return deployments.rollback(found.deployment);
      },
    );
    res.json(result);
  });

  // ---------------------------------------------------------------- health

  router.get('/models/:namespace/:name/health', async (req, res) => {
    const credentials = await readCredentials(req);
    const { namespace, name } = req.params;
    res.json(
      await health.getVisibleHealth(
        modelRefOf({ kind: 'MLModel', namespace, name }),
        credentials,
      ),
    );
  });

  // The health of many models in one request (a page of the ML catalog):
  // one visibility decision for all, one store query per table.
  router.post('/health/query', async (req, res) => {
    const credentials = await readCredentials(req);
    const body = parse(healthQueryBody, req.body ?? {}, 'request body');
    const response: ModelHealthQueryResponse = {
      items: await health.queryHealth(body.entityRefs, credentials),
    };
    res.json(response);
  });

  // ---------------------------------------------------------------- drift

  if (drift) {
    router.post('/models/:namespace/:name/drift-reports', async (req, res) => {
      const credentials = await userCredentials(req);
      const { namespace, name } = req.params;
      const modelRef = modelRefOf({ kind: 'MLModel', namespace, name });
      const result = await audited(
        req,
        'drift-report-create',
        'medium',
        { actionType: 'create', modelRef },
        async () => {
          const body = parse(
            createDriftReportBody,
            req.body ?? {},
            'request body',
          );
          const model = await models.getModel({ namespace, name }, credentials);
          await models.authorize(
            mlopsModelDriftRunPermission,
            model,
            credentials,
          );
          return drift.createReport({
            model,
            options: body,
            credentials,
            triggeredBy: credentials.principal.userEntityRef,
          });
        },
      );
      res
        .status(202)
        .location(`../../../drift-reports/${result.id}`)
        .json({ id: result.id });
    });

    router.get('/models/:namespace/:name/drift-reports', async (req, res) => {
      const credentials = await readCredentials(req);
      const page = parse(pageQuery, req.query, 'query');
      const model = await models.getModel(req.params, credentials);
      res.json(await drift.listReports(model.ref, page));
    });

    router.get('/drift-reports/:id', async (req, res) => {
      const credentials = await readCredentials(req);
      const report = await drift.getReport(req.params.id);
      if (!report) {
        throw new NotFoundError(`No drift report ${req.params.id}`);
      }
      // The report is only as visible as its model.
      await models.getModel(report.entityRef, credentials).catch(error => {
        throw error?.name === 'NotFoundError'
          ? new NotFoundError(`No drift report ${req.params.id}`)
          : error;
      });
      res.json(report);
    });
  }

  return router;
}
