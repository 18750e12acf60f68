import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import JSZip from 'jszip';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import request from 'supertest';
import { Deployment } from '@synth/plugin-mlops-common';
import { startEngine } from './__testUtils__/engines';
import {
  createTrainingRepo,
  OWNER_USER,
  trainableModel,
} from './__testUtils__/fixtures';
import { eventually, startMlopsTestBackend } from './__testUtils__/testBackend';
import { DatabaseMlopsStore } from './database/DatabaseMlopsStore';
import { RayJobsClient } from './engines/RayJobsClient';
import { RayServeClient } from './engines/RayServeClient';

jest.setTimeout(20 * 60_000);

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

const alice = mockCredentials.user.header(OWNER_USER);

/** A Serve application package that answers with the deployed model version. */
async function servePackage(label: string): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    'serve_app.py',
    [
      'import os',
      'from ray import serve',
      '',
      '@serve.deployment(num_replicas=1, ray_actor_options={"num_cpus": 0})',
      'class Model:',
      '    async def __call__(self, request):',
      `        return {"label": ${JSON.stringify(
        label,
      )}, "version": os.environ.get("MLOPS_MODEL_VERSION")}`,
      '',
      'app = Model.bind()',
      '',
    ].join('\n'),
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe.each(databases.eachSupportedId())(
  'Ray Serve deployments, %p',
  databaseId => {
    let backend: Awaited<ReturnType<typeof startMlopsTestBackend>>;
    let serve: RayServeClient;
    let repo: ReturnType<typeof createTrainingRepo>;
    const application = `mlops-test-${randomBytes(3).toString('hex')}`;
    const routePrefix = `/${application}`;
    let othersBefore: string[];

    beforeAll(async () => {
      const rayUrl = await startEngine('ray');
      serve = new RayServeClient({ baseUrl: rayUrl, timeoutMs: 60_000 });
      const jobs = new RayJobsClient({ baseUrl: rayUrl, timeoutMs: 60_000 });
      repo = createTrainingRepo();
      const knex = await databases.init(databaseId);
      backend = await startMlopsTestBackend({
        knex,
        entities: [
          trainableModel(repo.catalogFile, {
            name: 'ranker',
            serving: { target: 'ray-serve', application, routePrefix },
          }),
        ],
        config: {
          mlops: {
            executors: { ray: { url: rayUrl, requestTimeout: '60s' } },
            targets: { rayServe: { deployTimeout: '8m' } },
          },
        },
      });
      const store = await DatabaseMlopsStore.create({
        database: mockServices.database({ knex }),
      });
      for (const [run, label] of [
        ['run-1', 'one'],
        ['run-2', 'two'],
      ]) {
        const name = `_ray_pkg_${randomBytes(12).toString('hex')}.zip`;
        const uri = await jobs.uploadPackage(name, await servePackage(label));
        await store.addModelVersion({
          modelRef: 'mlmodel:default/ranker',
          runId: `${run}-${application}`,
          artifactUri: uri,
          metrics: {},
          registry: 'internal',
        });
      }
      othersBefore = Object.values((await serve.getApplications()).applications)
        .filter(app => app.status !== 'DELETING')
        .map(app => app.name);
    });

    afterAll(async () => {
      fs.rmSync(repo.root, { recursive: true, force: true });
      // Leave the shared Ray cluster as it was: drop this test's application.
      const apps = (await serve.getApplications()).applications;
      if (apps[application]) {
        await serve.putApplications({
          applications: Object.values(apps)
            .filter(a => a.name !== application && a.deployed_app_config)
            .map(a => a.deployed_app_config!),
        });
      }
    });

    async function drive(id: string, statuses: string[]): Promise<Deployment> {
      return eventually(
        async () => {
          await backend.reconcile();
          const res = await request(backend.server)
            .get(`/api/mlops/deployments/${id}`)
            .set('authorization', alice);
          return statuses.includes(res.body.status) && res.body;
        },
        {
          timeoutMs: 10 * 60_000,
          intervalMs: 1000,
          what: `deployment ${id} to be ${statuses}`,
        },
      );
    }

    async function deployed() {
      const apps = (await serve.getApplications()).applications;
      for (const name of othersBefore) {
        // Applications of others survive the declarative PUT.
        expect(Object.keys(apps)).toContain(name);
      }
      return apps[application];
    }

    it('refuses a canary: Ray Serve has no weighted routing', async () => {
      const res = await request(backend.server)
        .post('/api/mlops/models/default/ranker/deployments')
        .set('authorization', alice)
        .send({ version: '1', strategy: 'canary', weight: 0.1 });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('no weighted routing');
    });

    it('deploys, redeploys and rolls back an application', async () => {
      const first = await request(backend.server)
        .post('/api/mlops/models/default/ranker/deployments')
        .set('authorization', alice)
        .send({ version: '1', strategy: 'all-at-once' });
      expect(first.status).toBe(202);
      const one = await drive(first.body.id, ['succeeded', 'failed']);
      expect([one.status, one.statusMessage]).toEqual([
        'succeeded',
        `application ${application} is RUNNING version 1`,
      ]);
      let app = await deployed();
      expect(app.status).toBe('RUNNING');
      expect(app.route_prefix).toBe(routePrefix);
      expect(app.deployed_app_config?.runtime_env?.env_vars).toMatchObject({
        MLOPS_MODEL_VERSION: '1',
        MLOPS_MODEL_REF: 'mlmodel:default/ranker',
      });
      expect(one.details).toMatchObject({
        target: 'ray-serve',
        hadPreviousApplication: false,
      });

      const second = await request(backend.server)
        .post('/api/mlops/models/default/ranker/deployments')
        .set('authorization', alice)
        .send({ version: '2', strategy: 'all-at-once' });
      const two = await drive(second.body.id, ['succeeded', 'failed']);
      expect(two.status).toBe('succeeded');
      expect(two.details).toMatchObject({ hadPreviousApplication: true });
      app = await deployed();
      expect(
        (
          app.deployed_app_config?.runtime_env?.env_vars as Record<
            string,
            string
          >
        )?.MLOPS_MODEL_VERSION,
      ).toBe('2');

      const rollback = await request(backend.server)
        .post(`/api/mlops/deployments/${second.body.id}/rollback`)
        .set('authorization', alice);
      expect(rollback.status).toBe(200);
      expect(rollback.body.status).toBe('rolling-back');
      const rolled = await drive(second.body.id, ['rolled-back', 'failed']);
      expect(rolled.status).toBe('rolled-back');
      app = await deployed();
      expect(
        (
          app.deployed_app_config?.runtime_env?.env_vars as Record<
            string,
            string
          >
        )?.MLOPS_MODEL_VERSION,
      ).toBe('1');

      // Only the latest deployment can be rolled back.
      const remove = await request(backend.server)
        .post(`/api/mlops/deployments/${first.body.id}/rollback`)
        .set('authorization', alice);
      expect(remove.status).toBe(409); // not the latest deployment
    });
  },
);

describe('Ray Serve unreachable', () => {
  it('reports a retryable error with the reason', async () => {
    const client = new RayServeClient({
      baseUrl: 'http://127.0.0.1:9',
      timeoutMs: 2_000,
    });
    await expect(client.getApplications()).rejects.toMatchObject({
      name: 'EngineError',
      retryable: true,
      message: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});
