import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ANNOTATION_MLFLOW_EXPERIMENT,
  ANNOTATION_MLFLOW_REGISTERED_MODEL,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';
import express from 'express';
import request from 'supertest';
import {
  MlflowSeeder,
  startMlflowServer,
  TestMlflowServer,
} from '../testUtils';
import { closedPort } from '../__testUtils__/fakeServer';
import { MlflowClient } from '../mlflow/MlflowClient';
import { createExperimentMetricsRouter } from './createExperimentMetricsRouter';
import { DefaultExperimentMetricsService } from './DefaultExperimentMetricsService';

// Longer than the engine helpers' own start budget (ENGINE_START_BUDGET_MS), so they clean up first.
jest.setTimeout(900_000);

function model(name: string, annotations: Record<string, string> = {}): Entity {
  return {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: 'MLModel',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'classification',
      lifecycle: 'production',
      owner: 'customer-ml',
    },
  };
}

const T0 = 1_700_000_000_000;

describe('experiment metrics against a real MLflow server', () => {
  let mlflow: TestMlflowServer;
  let service: DefaultExperimentMetricsService;
  let experimentId: string;
  let otherExperimentId: string;
  let runs: { first: string; failed: string; latest: string; other: string };

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    service = DefaultExperimentMetricsService.fromConfig(
      new ConfigReader({ mlops: { mlflow: { baseUrl: mlflow.url } } }),
    );
    const seed = new MlflowSeeder(mlflow.url);
    experimentId = await seed.createExperiment('customer-ml/churn-classifier');
    otherExperimentId = await seed.createExperiment('999');
    runs = {
      first: await seed.createRun({
        experimentId,
        runName: 'baseline',
        startTime: T0,
        params: { max_depth: '4' },
        metrics: { auc: [0.7, 0.75], loss: [0.9, 0.6, 0.4] },
      }),
      failed: await seed.createRun({
        experimentId,
        runName: 'oom',
        startTime: T0 + 1000,
        status: 'FAILED',
      }),
      latest: await seed.createRun({
        experimentId,
        runName: 'tuned',
        startTime: T0 + 2000,
        params: { max_depth: '6', learning_rate: '0.05' },
        metrics: { auc: [0.8, 0.84, 0.86, 0.87, 0.871], loss: [0.5, 0.3] },
      }),
      other: await seed.createRun({
        experimentId: otherExperimentId,
        startTime: T0,
        metrics: { rmse: [1.5] },
      }),
    };
    await seed.createRegisteredModel('churn-classifier');
    await seed.createModelVersion('churn-classifier', runs.first);
    await seed.createModelVersion('churn-classifier', runs.latest);
    await seed.createRegisteredModel('imported-model');
    await seed.createModelVersion('imported-model');
  });

  afterAll(async () => {
    await mlflow?.stop();
  });

  describe('DefaultExperimentMetricsService', () => {
    it('reads the runs and metric histories of the named experiment', async () => {
      const result = await service.getModelExperiment(
        model('churn-classifier', {
          [ANNOTATION_MLFLOW_EXPERIMENT]: 'customer-ml/churn-classifier',
          [ANNOTATION_MLFLOW_REGISTERED_MODEL]: 'churn-classifier',
        }),
      );
      expect(result).toEqual({
        experimentId,
        experimentName: 'customer-ml/churn-classifier',
        registeredModel: 'churn-classifier',
        runs: [
          {
            runId: runs.latest,
            runName: 'tuned',
            status: 'FINISHED',
            startTime: T0 + 2000,
            endTime: T0 + 2000 + 60_000,
            params: { max_depth: '6', learning_rate: '0.05' },
            metrics: { auc: 0.871, loss: 0.3 },
          },
          expect.objectContaining({
            runId: runs.failed,
            status: 'FAILED',
            params: {},
            metrics: {},
          }),
          expect.objectContaining({ runId: runs.first, runName: 'baseline' }),
        ],
        metricHistoryRunId: runs.latest,
        metricHistories: {
          auc: [0.8, 0.84, 0.86, 0.87, 0.871].map((value, step) => ({
            step,
            timestamp: T0 + 2000 + step * 1000,
            value,
          })),
          loss: [
            { step: 0, timestamp: T0 + 2000, value: 0.5 },
            { step: 1, timestamp: T0 + 3000, value: 0.3 },
          ],
        },
        truncatedMetrics: [],
      });
    });

    it('accepts an experiment id, and a numeric experiment name', async () => {
      const byId = await service.getModelExperiment(
        model('m', { [ANNOTATION_MLFLOW_EXPERIMENT]: experimentId }),
      );
      expect(byId.experimentName).toBe('customer-ml/churn-classifier');
      const byNumericName = await service.getModelExperiment(
        model('m', { [ANNOTATION_MLFLOW_EXPERIMENT]: '999' }),
      );
      expect(byNumericName).toMatchObject({
        experimentId: otherExperimentId,
        runs: [expect.objectContaining({ runId: runs.other })],
      });
    });

    it('finds the experiment through the newest version of the registered model', async () => {
      const result = await service.getModelExperiment(
        model('churn-classifier', {
          [ANNOTATION_MLFLOW_REGISTERED_MODEL]: 'churn-classifier',
        }),
      );
      expect(result).toMatchObject({
        experimentId,
        registeredModel: 'churn-classifier',
        metricHistoryRunId: runs.latest,
      });
    });

    it('limits runs and points, and reads the histories of a chosen run', async () => {
      const entity = model('m', {
        [ANNOTATION_MLFLOW_EXPERIMENT]: 'customer-ml/churn-classifier',
      });
      const result = await service.getModelExperiment(entity, {
        maxRuns: 1,
        runId: runs.first,
        metricKeys: ['loss'],
        maxPoints: 2,
      });
      expect(result.runs.map(r => r.runId)).toEqual([runs.latest]);
      expect(result.metricHistoryRunId).toBe(runs.first);
      expect(result.metricHistories).toEqual({
        loss: [
          { step: 0, timestamp: T0, value: 0.9 },
          { step: 1, timestamp: T0 + 1000, value: 0.6 },
        ],
      });
      expect(result.truncatedMetrics).toEqual(['loss']);

      const failed = await service.getModelExperiment(entity, {
        runId: runs.failed,
      });
      expect(failed.metricHistories).toEqual({});
    });

    it.each([
      [
        'no annotation',
        model('bare'),
        NotFoundError,
        'mlmodel:default/bare names no MLflow experiment',
      ],
      [
        'an unknown experiment',
        model('m', { [ANNOTATION_MLFLOW_EXPERIMENT]: 'nope' }),
        NotFoundError,
        "MLflow has no experiment 'nope'",
      ],
      [
        'an unknown registered model',
        model('m', { [ANNOTATION_MLFLOW_REGISTERED_MODEL]: 'nope' }),
        NotFoundError,
        "MLflow has no registered model 'nope'",
      ],
      [
        'a registered model without runs',
        model('m', { [ANNOTATION_MLFLOW_REGISTERED_MODEL]: 'imported-model' }),
        NotFoundError,
        'has no version created from a run',
      ],
    ])('answers %s with a clear error', async (_, entity, type, message) => {
      const error = await service.getModelExperiment(entity).then(
        () => undefined,
        e => e,
      );
      expect(error).toBeInstanceOf(type);
      expect(error.message).toContain(message);
    });

    it('rejects a run of another experiment and an unknown run', async () => {
      const entity = model('m', {
        [ANNOTATION_MLFLOW_EXPERIMENT]: 'customer-ml/churn-classifier',
      });
      await expect(
        service.getModelExperiment(entity, { runId: runs.other }),
      ).rejects.toThrow(InputError);
      await expect(
        service.getModelExperiment(entity, { runId: 'f00' }),
      ).rejects.toThrow(new NotFoundError('MLflow has no run f00'));
    });

    it('rejects out-of-range options', async () => {
      const entity = model('m', { [ANNOTATION_MLFLOW_EXPERIMENT]: '1' });
      await expect(
        service.getModelExperiment(entity, { maxRuns: 101 }),
      ).rejects.toThrow('maxRuns must be an integer from 1 to 100');
      await expect(
        service.getModelExperiment(entity, {
          metricKeys: Array.from({ length: 26 }, (_, i) => `m${i}`),
        }),
      ).rejects.toThrow('At most 25 metric keys');
    });
  });

  describe('createExperimentMetricsRouter', () => {
    const entities = [
      model('churn-classifier', {
        [ANNOTATION_MLFLOW_EXPERIMENT]: 'customer-ml/churn-classifier',
      }),
      model('bare'),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'churn-classifier', namespace: 'default' },
        spec: {},
      },
    ];

    function app(options: { service?: DefaultExperimentMetricsService } = {}) {
      const catalog = catalogServiceMock({ entities });
      const getEntityByRef = jest.spyOn(catalog, 'getEntityByRef');
      const router = createExperimentMetricsRouter({
        service: options.service ?? service,
        httpAuth: mockServices.httpAuth(),
        catalog,
      });
      return {
        server: express().use(router).use(mockErrorHandler()),
        getEntityByRef,
      };
    }

    it('serves the experiment of a model to a signed-in user', async () => {
      const { server, getEntityByRef } = app();
      const response = await request(server)
        .get('/models/default/churn-classifier/experiment')
        .query({ maxRuns: 2, metric: 'auc' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        experimentId,
        runs: [{ runId: runs.latest }, { runId: runs.failed }],
        metricHistoryRunId: runs.latest,
        metricHistories: { auc: expect.any(Array) },
      });
      expect(Object.keys(response.body.metricHistories)).toEqual(['auc']);
      expect(getEntityByRef).toHaveBeenCalledWith(
        { kind: 'MLModel', namespace: 'default', name: 'churn-classifier' },
        { credentials: mockCredentials.user() },
      );
    });

    it('accepts repeated metric keys', async () => {
      const { server } = app();
      const response = await request(server).get(
        '/models/default/churn-classifier/experiment?metric=auc&metric=loss',
      );
      expect(response.status).toBe(200);
      expect(Object.keys(response.body.metricHistories)).toEqual([
        'auc',
        'loss',
      ]);
    });

    it('requires credentials', async () => {
      const { server } = app();
      const response = await request(server)
        .get('/models/default/churn-classifier/experiment')
        .set('Authorization', mockCredentials.none.header());
      expect(response.status).toBe(401);
    });

    it.each([
      ['an unknown parameter', '?limit=5', 'Invalid query'],
      ['too many runs', '?maxRuns=500', 'Invalid query'],
      ['a malformed run id', '?runId=../../x', 'must be an MLflow run id'],
    ])('answers 400 for %s', async (_, query, message) => {
      const { server } = app();
      const response = await request(server).get(
        `/models/default/churn-classifier/experiment${query}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(message);
    });

    it('answers 404 for an unknown model and one without an experiment', async () => {
      const { server } = app();
      const unknown = await request(server).get(
        '/models/default/nope/experiment',
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toBe('No MLModel default/nope');
      const bare = await request(server).get('/models/default/bare/experiment');
      expect(bare.status).toBe(404);
      expect(bare.body.error.message).toContain('names no MLflow experiment');
    });

    it('answers 503 when MLflow is unreachable or not configured', async () => {
      const port = await closedPort();
      const down = app({
        service: new DefaultExperimentMetricsService({
          client: new MlflowClient({ baseUrl: `http://127.0.0.1:${port}` }),
        }),
      });
      const response = await request(down.server).get(
        '/models/default/churn-classifier/experiment',
      );
      expect(response.status).toBe(503);
      expect(response.body.error.message).toContain('ECONNREFUSED');

      const unconfigured = app({
        service: DefaultExperimentMetricsService.fromConfig(
          new ConfigReader({}),
        ),
      });
      const none = await request(unconfigured.server).get(
        '/models/default/churn-classifier/experiment',
      );
      expect(none.status).toBe(503);
      expect(none.body.error.message).toBe(
        'MLflow is not configured; set mlops.mlflow.baseUrl',
      );
      expect(
        await DefaultExperimentMetricsService.fromConfig(new ConfigReader({}))
          .getModelExperiment(model('x'))
          .catch(e => e),
      ).toBeInstanceOf(ServiceUnavailableError);
    });
  });
});
