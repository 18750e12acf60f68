import {
  BackstageCredentials,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';
import {
  ANNOTATION_MLFLOW_EXPERIMENT,
  ANNOTATION_MLFLOW_REGISTERED_MODEL,
  MLOPS_API_VERSION_V1ALPHA1,
  ModelExperiment,
} from '@synth/plugin-mlops-common';
import {
  MlflowSeeder,
  startMlflowServer,
  TestMlflowServer,
} from '@synth/plugin-mlops-node/testUtils';
import request from 'supertest';
import { freePort } from './__testUtils__/childBackend';
import { OTHER_USER, OWNER, OWNER_USER } from './__testUtils__/fixtures';
import { mlopsPlugin } from './plugin';

// Longer than the MLflow helper's own start budget, so it cleans up first.
jest.setTimeout(900_000);

const T0 = 1_700_000_000_000;
const alice = mockCredentials.user.header(OWNER_USER);
const bob = mockCredentials.user.header(OTHER_USER);

function model(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: 'MLModel',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'classification', lifecycle: 'production', owner: 'team-a' },
    relations: [{ type: 'ownedBy', targetRef: OWNER }],
  };
}

const entities = [
  model('churn', { [ANNOTATION_MLFLOW_EXPERIMENT]: 'team-a/churn' }),
  model('by-registry', { [ANNOTATION_MLFLOW_REGISTERED_MODEL]: 'churn' }),
  model('secret', { [ANNOTATION_MLFLOW_EXPERIMENT]: 'team-a/churn' }),
];

/**
 * The mlops plugin in a test backend. The catalog answers with the caller's
 * credentials as the real one does under a policy: bob may not read
 * `mlmodel:default/secret` (catalog.entity.read denied), so for him it does
 * not exist.
 */
async function startBackend(config: JsonObject) {
  const catalog = catalogServiceMock({ entities });
  const getEntityByRef = catalog.getEntityByRef.bind(catalog);
  const reads: Array<{ ref: unknown; user?: string }> = [];
  catalog.getEntityByRef = async (ref, options) => {
    const credentials =
      options && 'credentials' in options
        ? (options.credentials as BackstageCredentials<any>)
        : undefined;
    const user = credentials?.principal?.userEntityRef;
    reads.push({ ref, user });
    const entity = await getEntityByRef(ref, options as any);
    return entity?.metadata.name === 'secret' && user === OTHER_USER
      ? undefined
      : entity;
  };
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.rootConfig.factory({ data: config }),
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () => catalog,
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async () => {} }),
      }),
      // No reconciler or drift tasks: this test is about one read route.
      mockServices.scheduler.mock().factory,
    ],
  });
  return Object.assign(backend, { reads });
}

describe('GET /api/mlops/models/:namespace/:name/experiment', () => {
  let mlflow: TestMlflowServer;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let runs: { baseline: string; tuned: string };
  let experimentId: string;

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    const seed = new MlflowSeeder(mlflow.url);
    experimentId = await seed.createExperiment('team-a/churn');
    runs = {
      baseline: await seed.createRun({
        experimentId,
        runName: 'baseline',
        startTime: T0,
        params: { max_depth: '4' },
        metrics: { auc: [0.7, 0.75] },
      }),
      tuned: await seed.createRun({
        experimentId,
        runName: 'tuned',
        startTime: T0 + 1000,
        params: { max_depth: '6' },
        metrics: { auc: [0.8, 0.85, 0.9], loss: [0.4] },
      }),
    };
    await seed.createRegisteredModel('churn');
    await seed.createModelVersion('churn', runs.tuned);
    backend = await startBackend({
      mlops: {
        mlflow: {
          baseUrl: mlflow.url,
          // Sent by the backend only; the test server does not check it.
          token: 'backend-only-token',
          requestTimeout: '20s',
        },
      },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await mlflow?.stop();
  });

  it('serves the runs and metric histories of the model from MLflow', async () => {
    const res = await request(backend.server)
      .get('/api/mlops/models/default/churn/experiment')
      .set('authorization', bob);
    expect(res.status).toBe(200);
    const body = res.body as ModelExperiment;
    expect(body).toEqual({
      experimentId,
      experimentName: 'team-a/churn',
      runs: [
        expect.objectContaining({
          runId: runs.tuned,
          runName: 'tuned',
          status: 'FINISHED',
          params: { max_depth: '6' },
          metrics: { auc: 0.9, loss: 0.4 },
        }),
        expect.objectContaining({ runId: runs.baseline, runName: 'baseline' }),
      ],
      metricHistoryRunId: runs.tuned,
      metricHistories: {
        auc: [0.8, 0.85, 0.9].map((value, step) => ({
          step,
          timestamp: T0 + 1000 + step * 1000,
          value,
        })),
        loss: [{ step: 0, timestamp: T0 + 1000, value: 0.4 }],
      },
      truncatedMetrics: [],
    });
    // The backend's token never reaches the browser.
    expect(JSON.stringify(body)).not.toContain('backend-only-token');
  });

  it('finds the experiment through the registered model, with query limits', async () => {
    const res = await request(backend.server)
      .get('/api/mlops/models/default/by-registry/experiment')
      .query({ maxRuns: 1, runId: runs.baseline, metric: 'auc' })
      .set('authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      experimentId,
      registeredModel: 'churn',
      runs: [{ runId: runs.tuned }],
      metricHistoryRunId: runs.baseline,
      metricHistories: {
        auc: [
          { step: 0, value: 0.7 },
          { step: 1, value: 0.75 },
        ],
      },
    });
  });

  it('reads the model with the caller credentials: hidden models are 404', async () => {
    backend.reads.length = 0;
    const hidden = await request(backend.server)
      .get('/api/mlops/models/default/secret/experiment')
      .set('authorization', bob);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe('No MLModel default/secret');
    expect(backend.reads).toEqual([
      {
        ref: { kind: 'MLModel', namespace: 'default', name: 'secret' },
        user: OTHER_USER,
      },
    ]);

    const visible = await request(backend.server)
      .get('/api/mlops/models/default/secret/experiment')
      .set('authorization', alice);
    expect(visible.status).toBe(200);
  });

  it('answers 401 without credentials and never calls the catalog', async () => {
    backend.reads.length = 0;
    const res = await request(backend.server)
      .get('/api/mlops/models/default/churn/experiment')
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
    expect(backend.reads).toEqual([]);
  });

  it.each([
    [{ maxRuns: 0 }, 'maxRuns'],
    [{ maxPoints: 'many' }, 'maxPoints'],
    [{ runId: '../x' }, 'runId'],
    [{ unknown: 1 }, 'unknown'],
  ])('answers 400 for the query %p', async (query, field) => {
    const res = await request(backend.server)
      .get('/api/mlops/models/default/churn/experiment')
      .query(query)
      .set('authorization', alice);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
  });

  it('answers 404 for an unknown model and for an unknown run', async () => {
    const unknown = await request(backend.server)
      .get('/api/mlops/models/default/nope/experiment')
      .set('authorization', alice);
    expect(unknown.status).toBe(404);

    const run = await request(backend.server)
      .get('/api/mlops/models/default/churn/experiment')
      .query({ runId: 'f00' })
      .set('authorization', alice);
    expect(run.status).toBe(404);
    expect(run.body.error.message).toBe('MLflow has no run f00');
  });

  it.each([
    ['MLflow is not configured', async () => ({}), 'mlops.mlflow.baseUrl'],
    [
      'MLflow is unreachable',
      async () => ({
        mlops: { mlflow: { baseUrl: `http://127.0.0.1:${await freePort()}` } },
      }),
      'ECONNREFUSED',
    ],
  ])('answers 503 when %s', async (_, config, reason) => {
    const other = await startBackend(await config());
    try {
      const res = await request(other.server)
        .get('/api/mlops/models/default/churn/experiment')
        .set('authorization', alice);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toContain(reason);
    } finally {
      await other.stop();
    }
  });
});
