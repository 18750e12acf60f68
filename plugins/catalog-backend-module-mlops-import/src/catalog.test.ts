import { createBackendModule } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogLocationsExtensionPoint,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';
import catalogModuleMlopsEntityModel from '@synth/plugin-catalog-backend-module-mlops-entity-model';
import {
  MlflowSeeder,
  startFeastRegistry,
  startMlflowServer,
  TestFeastRegistry,
  TestMlflowServer,
} from '@synth/plugin-mlops-node/testUtils';
import fs from 'node:fs';
import { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { catalogModuleMlopsImport } from './module';

// Longer than the engine helpers' own start budget (ENGINE_START_BUDGET_MS), so they clean up first.
jest.setTimeout(900_000);

const MLFLOW_TASK = 'MlflowEntityProvider:local:refresh';
const FEAST_TASK = 'FeastEntityProvider:local:refresh';

const featuresPy = `
from datetime import timedelta
from feast import Entity, FeatureView, Field, FileSource
from feast.types import Int64, String

customer = Entity(name="customer", join_keys=["customer_id"])
customers = FileSource(name="customer_snapshots", path="data/customers.parquet",
                       timestamp_field="event_timestamp", tags={"owner": "customer-ml"})
customer_profile = FeatureView(
    name="customer_profile", entities=[customer], ttl=timedelta(days=30), source=customers,
    schema=[Field(name="tenure_months", dtype=Int64), Field(name="contract_type", dtype=String)],
    tags={"owner": "customer-ml"})
`;

/** The hand-written catalog: teams, and an MLModel and a System that upstream also has. */
const catalogYaml = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: ml-platform }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: customer-ml }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: synth_demo, description: Hand-written system of the Feast project }
spec: { owner: customer-ml }
`;

const modelYaml = `
apiVersion: mlops.synth.dev/v1alpha1
kind: MLModel
metadata:
  name: churn-classifier
  description: Hand-written model card
  annotations:
    mlops.synth.dev/mlflow-registered-model: churn-classifier
spec:
  type: classification
  lifecycle: production
  owner: customer-ml
`;

async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }
}

describe('the import providers in a real catalog', () => {
  let mlflow: TestMlflowServer;
  let feast: TestFeastRegistry;
  let seed: MlflowSeeder;
  let server: Server;
  let stopBackend: () => Promise<void>;
  let catalogDir: string;
  const processingErrors: Array<{ entityRef: string; messages: string[] }> = [];

  const getEntity = async (ref: string): Promise<Entity | undefined> => {
    const [kind, rest] = ref.split(':');
    const [namespace, name] = rest.split('/');
    const response = await request(server).get(
      `/api/catalog/entities/by-name/${kind}/${namespace}/${encodeURIComponent(
        name,
      )}`,
    );
    return response.status === 200 ? response.body : undefined;
  };

  const listByKind = async (kind: string): Promise<Entity[]> => {
    const response = await request(server)
      .get('/api/catalog/entities/by-query')
      .query({ filter: `kind=${kind}`, limit: 500 });
    expect(response.status).toBe(200);
    return response.body.items;
  };

  const lastRunEnd = async (taskId: string) => {
    const response = await request(server).get(
      '/api/catalog/.backstage/scheduler/v1/tasks',
    );
    expect(response.status).toBe(200);
    const task = response.body.tasks.find(
      (t: { taskId: string }) => t.taskId === taskId,
    );
    expect(task).toBeDefined();
    return task.taskState as {
      status: string;
      lastRunEndedAt?: string;
      lastRunError?: string;
    } | null;
  };

  /** Triggers a provider's task and waits until that run has ended. */
  const runTask = async (taskId: string) => {
    const before = (await lastRunEnd(taskId))?.lastRunEndedAt;
    // The scheduler stores end times in whole seconds: start in a new second.
    await new Promise(resolve => setTimeout(resolve, 1100));
    const trigger = await request(server).post(
      `/api/catalog/.backstage/scheduler/v1/tasks/${encodeURIComponent(
        taskId,
      )}/trigger`,
    );
    expect(trigger.status).toBe(200);
    await eventually(async () => {
      const state = await lastRunEnd(taskId);
      expect(state?.status).toBe('idle');
      expect(state?.lastRunEndedAt).toBeDefined();
      expect(state?.lastRunEndedAt).not.toBe(before);
      expect(state?.lastRunError).toBeUndefined();
    });
  };

  beforeAll(async () => {
    // Started side by side; whichever started is stopped in afterAll even if the other failed.
    const [mlflowStart, feastStart] = await Promise.allSettled([
      startMlflowServer(),
      startFeastRegistry({
        project: 'synth_demo',
        featuresPy,
        tables: {
          'customers.parquet': {
            customer_id: [1],
            event_timestamp: ['2026-01-01T00:00:00Z'],
            tenure_months: [3],
            contract_type: ['monthly'],
          },
        },
        timestampColumns: ['event_timestamp'],
      }),
    ]);
    if (mlflowStart.status === 'fulfilled') {
      mlflow = mlflowStart.value;
    }
    if (feastStart.status === 'fulfilled') {
      feast = feastStart.value;
    }
    for (const start of [mlflowStart, feastStart]) {
      if (start.status === 'rejected') {
        throw start.reason;
      }
    }
    seed = new MlflowSeeder(mlflow.url);
    const experimentId = await seed.createExperiment('customer-ml/churn');
    const runId = await seed.createRun({
      experimentId,
      startTime: 1_700_000_000_000,
    });
    await seed.createRegisteredModel('churn-classifier', {
      description: 'From MLflow',
      tags: { owner: 'customer-ml' },
    });
    await seed.createModelVersion('churn-classifier', runId);
    await seed.createRegisteredModel('demand-forecaster', {
      tags: { owner: 'ml-platform', type: 'forecasting' },
    });
    await seed.createRegisteredModel('Fraud Detector');

    catalogDir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'synth-import-catalog-'),
    );
    fs.writeFileSync(path.join(catalogDir, 'org.yaml'), catalogYaml);
    fs.writeFileSync(path.join(catalogDir, 'model.yaml'), modelYaml);

    const errorCollector = createBackendModule({
      pluginId: 'catalog',
      moduleId: 'test-error-collector',
      register(reg) {
        reg.registerInit({
          deps: {
            catalog: catalogProcessingExtensionPoint,
            locations: catalogLocationsExtensionPoint,
          },
          async init({ catalog, locations }) {
            // Lets the test register a YAML file after the import, as a user would a URL.
            locations.setAllowedLocationTypes(['url', 'file']);
            catalog.setOnProcessingErrorHandler(event => {
              processingErrors.push({
                entityRef: `${event.unprocessedEntity.kind}:${event.unprocessedEntity.metadata.name}`,
                messages: event.errors.map(e => e.message),
              });
            });
          },
        });
      },
    });
    const manual = {
      frequency: { trigger: 'manual' },
      timeout: { minutes: 2 },
    };
    const backend = await startTestBackend({
      features: [
        // The real scheduler: tasks locked in the database, triggered over its HTTP API.
        schedulerServiceFactory,
        catalogPlugin,
        catalogModuleMlopsEntityModel,
        catalogModuleMlopsImport,
        errorCollector,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [
                {
                  allow: [
                    'Location',
                    'Group',
                    'User',
                    'System',
                    'MLModel',
                    'Dataset',
                    'Feature',
                  ],
                },
              ],
              locations: [
                { type: 'file', target: path.join(catalogDir, 'org.yaml') },
              ],
              processingInterval: { seconds: 1 },
              providers: {
                mlflow: {
                  local: {
                    baseUrl: mlflow.url,
                    defaultOwner: 'ml-platform',
                    schedule: manual,
                  },
                },
                feast: {
                  local: {
                    baseUrl: feast.url,
                    repoPath: feast.repoDir,
                    defaultOwner: 'ml-platform',
                    schedule: manual,
                  },
                },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
    await eventually(async () => {
      if (!(await getEntity('system:default/synth_demo'))) {
        throw new Error('The hand-written catalog has not been processed yet');
      }
    });
  });

  afterAll(async () => {
    await stopBackend?.();
    await Promise.all([mlflow?.stop(), feast?.stop()]);
    if (catalogDir) {
      fs.rmSync(catalogDir, { recursive: true, force: true });
    }
  });

  it('imports MLflow models and Feast features that the catalog validates and relates', async () => {
    await runTask(MLFLOW_TASK);
    await runTask(FEAST_TASK);
    const model = await eventually(async () => {
      const entity = await getEntity('mlmodel:default/demand-forecaster');
      expect(entity?.relations).toEqual(
        expect.arrayContaining([
          { type: 'ownedBy', targetRef: 'group:default/ml-platform' },
        ]),
      );
      return entity!;
    });
    expect(model.spec).toEqual({
      type: 'forecasting',
      lifecycle: 'production',
      owner: 'group:default/ml-platform',
    });

    const feature = await eventually(async () => {
      const entity = await getEntity(
        'feature:default/synth_demo.customer_profile.tenure_months',
      );
      expect(entity?.relations).toEqual(
        expect.arrayContaining([
          {
            type: 'mlopsDerivedFrom',
            targetRef: 'dataset:default/synth_demo.customer_snapshots',
          },
          { type: 'partOf', targetRef: 'system:default/synth_demo' },
          { type: 'ownedBy', targetRef: 'group:default/customer-ml' },
        ]),
      );
      return entity!;
    });
    expect(
      feature.metadata.annotations?.['mlops.synth.dev/feast-project'],
    ).toBe('synth_demo');
    await eventually(async () => {
      const dataset = await getEntity(
        'dataset:default/synth_demo.customer_snapshots',
      );
      expect(dataset?.relations).toEqual(
        expect.arrayContaining([
          {
            type: 'mlopsSourceOf',
            targetRef:
              'feature:default/synth_demo.customer_profile.tenure_months',
          },
        ]),
      );
      expect((dataset?.spec as { location: string }).location).toBe(
        `${feast.repoDir}/data/customers.parquet`,
      );
    });

    // The hand-written System wins over the project's System, and the
    // imported entities are part of it.
    const system = await getEntity('system:default/synth_demo');
    expect(system?.metadata.description).toBe(
      'Hand-written system of the Feast project',
    );
    expect(
      system?.metadata.annotations?.['backstage.io/managed-by-origin-location'],
    ).toBe(`file:${path.join(catalogDir, 'org.yaml')}`);
    expect(processingErrors).toEqual([]);
  });

  it('hands a name over to hand-written YAML that arrives later, and does not take it back', async () => {
    const imported = await getEntity('mlmodel:default/churn-classifier');
    expect(imported?.metadata.description).toBe('From MLflow');

    const registered = await request(server)
      .post('/api/catalog/locations')
      .send({ type: 'file', target: path.join(catalogDir, 'model.yaml') });
    expect(registered.body).toMatchObject({ location: { type: 'file' } });
    expect(registered.status).toBe(201);
    await eventually(async () => {
      const entity = await getEntity('mlmodel:default/churn-classifier');
      expect(entity?.metadata.description).toBe('Hand-written model card');
    });

    await runTask(MLFLOW_TASK);
    await new Promise(resolve => setTimeout(resolve, 3000));
    const models = await listByKind('MLModel');
    const churn = models.filter(m => m.metadata.name === 'churn-classifier');
    expect(churn).toHaveLength(1);
    expect(churn[0].metadata.description).toBe('Hand-written model card');
    expect(processingErrors).toEqual([]);
  });

  it('leaves the catalog untouched when the registries have not changed', async () => {
    const etags = async () =>
      Object.fromEntries(
        [
          ...(await listByKind('MLModel')),
          ...(await listByKind('Dataset')),
          ...(await listByKind('Feature')),
        ].map(e => [`${e.kind}:${e.metadata.name}`, e.metadata.etag]),
      );
    const before = await etags();
    expect(Object.keys(before).sort()).toEqual([
      'Dataset:synth_demo.customer_snapshots',
      'Feature:synth_demo.customer_profile.contract_type',
      'Feature:synth_demo.customer_profile.tenure_months',
      expect.stringMatching(/^MLModel:Fraud-Detector-[0-9a-f]{6}$/),
      'MLModel:churn-classifier',
      'MLModel:demand-forecaster',
    ]);
    await runTask(MLFLOW_TASK);
    await runTask(FEAST_TASK);
    // Several processing cycles (processingInterval is 1 second).
    await new Promise(resolve => setTimeout(resolve, 5000));
    expect(await etags()).toEqual(before);
  });

  it('removes from the catalog what disappears upstream', async () => {
    await seed.deleteRegisteredModel('Fraud Detector');
    await runTask(MLFLOW_TASK);
    await eventually(async () => {
      const names = (await listByKind('MLModel'))
        .map(m => m.metadata.name)
        .sort();
      expect(names).toEqual(['churn-classifier', 'demand-forecaster']);
    });
  });
});
