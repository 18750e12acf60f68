import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { notificationService } from '@backstage/plugin-notifications-node';
// The newcomer's whole path: the real mlops backend trains the generated model.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@synth/plugin-mlops-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { eventually } from '../__testUtils__/eventually';
import { ensureVenv, startRay } from '../__testUtils__/python';
import {
  REPO_ROOT,
  startScaffolder,
  TestScaffolder,
} from '../__testUtils__/scaffolder';

jest.setTimeout(10 * 60_000);

/**
 * Templates run for real (not dry-run) as a user without any SCM
 * integration: the scaffolder reads them from the catalog, publishes into the
 * local project directory, the catalog ingests the result, and the first
 * training run of the generated model runs on the mlops backend's local
 * executor.
 */
describe('templates run end to end without a Git host', () => {
  let scaffolder: TestScaffolder;
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-runs-'));

  beforeAll(async () => {
    // The ray venv has Ray and the scikit-learn stack, so it runs both projects' train.py.
    const rayBin = ensureVenv('ray');
    const rayEnv = startRay();
    scaffolder = await startScaffolder({
      templates: true,
      catalogEntitiesFile: path.join(REPO_ROOT, 'catalog', 'all.yaml'),
      features: [
        catalogModuleScaffolderEntityModel,
        mlopsPlugin,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
      ],
      config: {
        mlops: {
          executors: {
            local: {
              enabled: true,
              path: `${rayBin}:/usr/local/bin:/usr/bin:/bin`,
              env: rayEnv,
              workspaceDir: runs,
            },
          },
        },
      },
    });
    await eventually(async () => {
      const response = await request(scaffolder.server).get(
        '/api/catalog/entities/by-name/template/default/ml-lambda-service',
      );
      if (response.status !== 200) {
        throw new Error(`templates not ingested yet (${response.status})`);
      }
    }, 90_000);
  });

  afterAll(async () => {
    await scaffolder?.stop();
    fs.rmSync(runs, { recursive: true, force: true });
  });

  async function runTemplate(name: string, values: Record<string, unknown>) {
    const created = await request(scaffolder.server)
      .post('/api/scaffolder/v2/tasks')
      .set('authorization', mockCredentials.user.header())
      .send({ templateRef: `template:default/${name}`, values });
    expect(created.status).toBe(201);
    return eventually(async () => {
      const task = await request(scaffolder.server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('authorization', mockCredentials.user.header());
      if (task.body.status === 'failed') {
        const events = await request(scaffolder.server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
          .set('authorization', mockCredentials.user.header());
        throw Object.assign(
          new Error(
            `task failed: ${events.body
              .map((e: any) => e.body?.message)
              .join('\n')}`,
          ),
          { final: true },
        );
      }
      if (task.body.status !== 'completed') {
        throw new Error(`task is ${task.body.status}`);
      }
      return task.body;
    }, 5 * 60_000);
  }

  async function catalogEntity(ref: string) {
    return eventually(async () => {
      const [kind, rest] = ref.split(':');
      const response = await request(scaffolder.server)
        .get(`/api/catalog/entities/by-name/${kind}/${rest}`)
        .set('authorization', mockCredentials.user.header());
      if (response.status !== 200) {
        throw new Error(`${ref} is not in the catalog (${response.status})`);
      }
      return response.body;
    }, 60_000);
  }

  /** The only training run of a model, once it has ended. */
  async function firstRun(model: string, timeoutMs: number) {
    return eventually(async () => {
      const response = await request(scaffolder.server)
        .get(`/api/mlops/models/default/${model}/runs`)
        .set('authorization', mockCredentials.user.header());
      expect(response.body.items).toHaveLength(1);
      const [run] = response.body.items;
      if (!['succeeded', 'failed'].includes(run.status)) {
        throw new Error(`run is ${run.status}`);
      }
      return run;
    }, timeoutMs);
  }

  it('register-dataset publishes a Dataset the catalog reads', async () => {
    await runTemplate('register-dataset', {
      name: 'e2e-events',
      description: 'Events for the end-to-end test.',
      owner: 'group:default/customer-ml',
      type: 'tabular',
      lifecycle: 'experimental',
      location: 'https://data.example.com/events.csv',
      format: 'csv',
      columns: [
        { name: 'amount', type: 'numerical' },
        { name: 'label', type: 'boolean' },
      ],
      target: 'label',
      publishTo: 'local',
    });
    const dataset = await catalogEntity('dataset:default/e2e-events');
    expect(dataset.spec.schema.target).toBe('label');
    expect(
      fs.existsSync(
        path.join(scaffolder.publishDir, 'e2e-events', 'README.md'),
      ),
    ).toBe(true);
  });

  it('ml-lambda-service publishes a model, the catalog reads it and its first training run succeeds', async () => {
    await runTemplate('ml-lambda-service', {
      name: 'e2e-churn',
      description: 'Churn model of the end-to-end test.',
      owner: 'group:default/customer-ml',
      task: 'classification',
      dataset: 'dataset:default/churn-training-snapshots',
      pythonVersion: '3.12',
      memory: 1024,
      timeout: 30,
      packaging: 'zip',
      trainNow: true,
      publishTo: 'local',
    });
    const model = await catalogEntity('mlmodel:default/e2e-churn');
    expect(model.spec.serving).toMatchObject({
      target: 'lambda',
      functionName: 'e2e-churn',
    });
    await catalogEntity('api:default/e2e-churn');

    // The template's last step started exactly one run of the model.
    const run = await firstRun('e2e-churn', 4 * 60_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      createdBy: 'user:default/mock',
      metrics: { accuracy: expect.any(Number), roc_auc: expect.any(Number) },
    });
  });

  it('register-features publishes one Feature per row', async () => {
    await runTemplate('register-features', {
      name: 'e2e-usage',
      source: 'dataset:default/churn-training-snapshots',
      owner: 'group:default/customer-ml',
      lifecycle: 'experimental',
      entityName: 'customer',
      joinKey: 'customer_id',
      features: [
        { name: 'e2e-logins', type: 'numerical' },
        { name: 'e2e-plan', type: 'categorical' },
      ],
      publishTo: 'local',
    });
    const feature = await catalogEntity('feature:default/e2e-plan');
    expect(feature.spec.source).toBe(
      'dataset:default/churn-training-snapshots',
    );
    await catalogEntity('feature:default/e2e-logins');
  });

  it('ml-ray-project publishes a model and its first training run succeeds on Ray', async () => {
    await runTemplate('ml-ray-project', {
      name: 'e2e-churn-ray',
      description: 'Ray churn model of the end-to-end test.',
      owner: 'group:default/customer-ml',
      task: 'classification',
      namespace: 'ml',
      imageRepository: 'ghcr.io/acme/e2e-churn-ray',
      workers: 1,
      workerCpu: '2',
      workerMemory: '4Gi',
      replicas: 1,
      trainNow: true,
      publishTo: 'local',
    });
    const model = await catalogEntity('mlmodel:default/e2e-churn-ray');
    expect(model.spec.serving).toMatchObject({
      target: 'ray-serve',
      application: 'e2e-churn-ray',
    });
    const run = await firstRun('e2e-churn-ray', 8 * 60_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      metrics: { accuracy: expect.any(Number), roc_auc: expect.any(Number) },
    });
  });
});
