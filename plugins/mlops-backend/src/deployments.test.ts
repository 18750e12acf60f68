import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import fs from 'node:fs';
import request from 'supertest';
import { Deployment, ModelHealth } from '@synth/plugin-mlops-common';
import { startEngine } from './__testUtils__/engines';
import {
  createTrainingRepo,
  OTHER_USER,
  OWNER,
  OWNER_USER,
  trainableModel,
  untrainableModel,
} from './__testUtils__/fixtures';
import {
  MOTO_CREDENTIALS,
  MOTO_REGION,
  MotoLambda,
} from './__testUtils__/moto';
import { eventually, startMlopsTestBackend } from './__testUtils__/testBackend';
import { DatabaseMlopsStore } from './database/DatabaseMlopsStore';
import { mockServices } from '@backstage/backend-test-utils';

jest.setTimeout(10 * 60_000);

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

const alice = mockCredentials.user.header(OWNER_USER);
const bob = mockCredentials.user.header(OTHER_USER);
type Backend = Awaited<ReturnType<typeof startMlopsTestBackend>>;

function lambdaModel(
  catalogFile: string,
  name: string,
  functionName: string,
): Entity {
  return trainableModel(catalogFile, {
    name,
    serving: {
      target: 'lambda',
      functionName,
      alias: 'live',
      region: MOTO_REGION,
    },
  });
}

async function addVersion(
  store: DatabaseMlopsStore,
  model: string,
  runId: string,
  artifactUri: string,
) {
  return store.addModelVersion({
    modelRef: `mlmodel:default/${model}`,
    runId,
    artifactUri,
    metrics: {},
    registry: 'internal',
  });
}

async function drive(
  backend: Backend,
  id: string,
  statuses: string[],
  timeoutMs = 60_000,
): Promise<Deployment> {
  return eventually(
    async () => {
      await backend.reconcile();
      const res = await request(backend.server)
        .get(`/api/mlops/deployments/${id}`)
        .set('authorization', alice);
      return statuses.includes(res.body.status) && res.body;
    },
    { timeoutMs, intervalMs: 300, what: `deployment ${id} to be ${statuses}` },
  );
}

describe.each(databases.eachSupportedId())(
  'Lambda deployments on moto, %p',
  databaseId => {
    let knex: Knex;
    let backend: Backend;
    let moto: MotoLambda;
    let store: DatabaseMlopsStore;
    let repo: ReturnType<typeof createTrainingRepo>;
    const fn: Record<string, string> = {};

    beforeAll(async () => {
      const motoUrl = await startEngine('moto');
      moto = new MotoLambda(motoUrl);
      repo = createTrainingRepo();
      fn.scorer = await moto.createFunction('scorer');
      fn.fresh = await moto.createFunction('fresh', { withAlias: false });
      knex = await databases.init(databaseId);
      backend = await startMlopsTestBackend({
        knex,
        entities: [
          lambdaModel(repo.catalogFile, 'scorer', fn.scorer),
          lambdaModel(repo.catalogFile, 'fresh', fn.fresh),
          untrainableModel(),
        ],
        config: {
          mlops: {
            targets: {
              lambda: {
                region: MOTO_REGION,
                endpoint: motoUrl,
                credentials: MOTO_CREDENTIALS,
              },
            },
          },
        },
      });
      store = await DatabaseMlopsStore.create({
        database: mockServices.database({ knex }),
      });
      await addVersion(
        store,
        'scorer',
        'run-1',
        await moto.artifact(`a-${databaseId}`),
      );
      await addVersion(
        store,
        'scorer',
        'run-2',
        await moto.artifact(`b-${databaseId}`),
      );
      await addVersion(
        store,
        'scorer',
        'run-3',
        await moto.artifact(`c-${databaseId}`),
      );
      await addVersion(store, 'scorer', 'run-4', 'file:///tmp/not-deployable');
      await addVersion(
        store,
        'fresh',
        'run-f1',
        await moto.artifact(`f-${databaseId}`),
      );
    });

    afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

    const deploy = (model: string, body: object, who = alice, key?: string) => {
      const req = request(backend.server)
        .post(`/api/mlops/models/default/${model}/deployments`)
        .set('authorization', who);
      return (key ? req.set('idempotency-key', key) : req).send(body);
    };

    const deploymentRows = async () =>
      Number((await knex('deployments').count({ c: '*' }))[0].c);

    it('rejects bad requests without writing a row', async () => {
      const before = await deploymentRows();
      const cases: Array<[string, object, number, string, string?]> = [
        [
          'scorer',
          { version: '99', strategy: 'all-at-once' },
          400,
          "Version '99'",
        ],
        [
          'scorer',
          { version: '1', strategy: 'canary', weight: 1.5 },
          400,
          'weight',
        ],
        ['scorer', { version: '1', strategy: 'blue-green' }, 400, 'strategy'],
        [
          'scorer',
          { version: '4', strategy: 'all-at-once' },
          400,
          'cannot be deployed to AWS Lambda',
        ],
        [
          'no-training',
          { version: '1', strategy: 'all-at-once' },
          400,
          'spec.serving is missing',
        ],
        [
          'nope',
          { version: '1', strategy: 'all-at-once' },
          404,
          'mlmodel:default/nope',
        ],
        [
          'scorer',
          { version: '1', strategy: 'all-at-once' },
          403,
          'mlops.model.deploy',
          bob,
        ],
      ];
      for (const [model, body, status, text, who] of cases) {
        const res = await deploy(model, body, who ?? alice);
        expect([model, res.status]).toEqual([model, status]);
        expect(res.body.error.message).toContain(text);
      }
      expect(await deploymentRows()).toBe(before);
    });

    it('deploys all at once: new code, a published version, the alias moved with its RevisionId', async () => {
      const res = await deploy(
        'scorer',
        { version: '1', strategy: 'all-at-once' },
        alice,
        'dep-1',
      );
      expect(res.status).toBe(202);
      const replay = await deploy(
        'scorer',
        { version: '1', strategy: 'all-at-once' },
        alice,
        'dep-1',
      );
      expect(replay.body.id).toBe(res.body.id);
      const done = await drive(backend, res.body.id, ['succeeded', 'failed']);
      expect(done).toMatchObject({
        status: 'succeeded',
        target: 'lambda',
        version: '1',
        details: {
          functionName: fn.scorer,
          alias: 'live',
          previousVersion: '1',
        },
      });
      const published = (done.details as { publishedVersion: string })
        .publishedVersion;
      expect(Number(published)).toBeGreaterThan(1);
      const alias = await moto.alias(fn.scorer);
      expect(alias.FunctionVersion).toBe(published);
      expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
      expect(backend.notifications.send).toHaveBeenCalledWith(
        expect.objectContaining({
          recipients: { type: 'entity', entityRef: OWNER },
          payload: expect.objectContaining({
            title: expect.stringContaining('is deployed'),
          }),
        }),
      );
    });

    it('runs a canary, refuses a second deployment meanwhile, and promotes it', async () => {
      const before = (await moto.alias(fn.scorer)).FunctionVersion;
      const res = await deploy('scorer', {
        version: '2',
        strategy: 'canary',
        weight: 0.2,
      });
      const canary = await drive(backend, res.body.id, ['canary', 'failed']);
      expect(canary.status).toBe('canary');
      const published = (canary.details as { publishedVersion: string })
        .publishedVersion;
      let alias = await moto.alias(fn.scorer);
      expect(alias.FunctionVersion).toBe(before);
      expect(alias.RoutingConfig?.AdditionalVersionWeights).toEqual({
        [published]: 0.2,
      });

      const busy = await deploy('scorer', {
        version: '3',
        strategy: 'all-at-once',
      });
      expect(busy.status).toBe(409);
      expect(busy.body.error.message).toContain('is canary');

      const health = await request(backend.server)
        .get('/api/mlops/models/default/scorer/health')
        .set('authorization', bob);
      expect(health.body as ModelHealth).toMatchObject({
        status: 'degraded',
        reasons: [expect.stringContaining('canary at 20%')],
      });

      await request(backend.server)
        .post(`/api/mlops/deployments/${res.body.id}/promote`)
        .set('authorization', bob)
        .expect(403);
      const promoted = await request(backend.server)
        .post(`/api/mlops/deployments/${res.body.id}/promote`)
        .set('authorization', alice);
      expect(promoted.status).toBe(200);
      expect(promoted.body.status).toBe('succeeded');
      alias = await moto.alias(fn.scorer);
      expect(alias.FunctionVersion).toBe(published);
      expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
      // Promoting twice is a conflict, not a second change.
      await request(backend.server)
        .post(`/api/mlops/deployments/${res.body.id}/promote`)
        .set('authorization', alice)
        .expect(409);
    });

    it('rolls a canary back to the version the alias served before', async () => {
      const before = (await moto.alias(fn.scorer)).FunctionVersion;
      const res = await deploy('scorer', {
        version: '3',
        strategy: 'canary',
        weight: 0.5,
      });
      await drive(backend, res.body.id, ['canary']);
      await request(backend.server)
        .post(`/api/mlops/deployments/${res.body.id}/rollback`)
        .set('authorization', bob)
        .expect(403);
      const rolled = await request(backend.server)
        .post(`/api/mlops/deployments/${res.body.id}/rollback`)
        .set('authorization', alice);
      expect(rolled.status).toBe(200);
      expect(rolled.body).toMatchObject({ status: 'rolled-back' });
      const alias = await moto.alias(fn.scorer);
      expect(alias.FunctionVersion).toBe(before);
      expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
      const list = await request(backend.server)
        .get('/api/mlops/models/default/scorer/deployments?limit=2')
        .set('authorization', bob);
      expect(list.body.items.map((d: Deployment) => d.status)).toEqual([
        'rolled-back',
        'succeeded',
      ]);
      expect(list.body.nextCursor).toBeDefined();
    });

    it('rolls back the latest all-at-once deployment, and only the latest', async () => {
      const first = await deploy('scorer', {
        version: '1',
        strategy: 'all-at-once',
      });
      const firstDone = await drive(backend, first.body.id, ['succeeded']);
      const second = await deploy('scorer', {
        version: '3',
        strategy: 'all-at-once',
      });
      const secondDone = await drive(backend, second.body.id, ['succeeded']);
      await request(backend.server)
        .post(`/api/mlops/deployments/${first.body.id}/rollback`)
        .set('authorization', alice)
        .expect(409);
      const rolled = await request(backend.server)
        .post(`/api/mlops/deployments/${second.body.id}/rollback`)
        .set('authorization', alice);
      expect(rolled.body.status).toBe('rolled-back');
      expect((await moto.alias(fn.scorer)).FunctionVersion).toBe(
        (firstDone.details as { publishedVersion: string }).publishedVersion,
      );
      expect(
        (secondDone.details as { previousVersion: string }).previousVersion,
      ).toBe(
        (firstDone.details as { publishedVersion: string }).publishedVersion,
      );
    });

    it('creates the alias on a first deployment and refuses a canary without one', async () => {
      const canary = await deploy('fresh', {
        version: '1',
        strategy: 'canary',
        weight: 0.1,
      });
      const failed = await drive(backend, canary.body.id, ['failed', 'canary']);
      expect(failed.status).toBe('failed');
      expect(failed.statusMessage).toContain('does not exist yet');
      const res = await deploy('fresh', {
        version: '1',
        strategy: 'all-at-once',
      });
      const done = await drive(backend, res.body.id, ['succeeded', 'failed']);
      expect(done.status).toBe('succeeded');
      expect((await moto.alias(fn.fresh)).FunctionVersion).toBe(
        (done.details as { publishedVersion: string }).publishedVersion,
      );
      await request(backend.server)
        .post(`/api/mlops/deployments/${res.body.id}/rollback`)
        .set('authorization', alice)
        .expect(409);
    });
  },
);

describe.each(databases.eachSupportedId())(
  'Lambda unreachable, %p',
  databaseId => {
    it('retries with backoff, then fails the deployment with the reason; the portal stays up', async () => {
      const repo = createTrainingRepo();
      const knex = await databases.init(databaseId);
      const backend = await startMlopsTestBackend({
        knex,
        entities: [lambdaModel(repo.catalogFile, 'scorer', 'nowhere')],
        config: {
          mlops: {
            training: { engineRetryTimeout: '3s' },
            targets: {
              lambda: {
                region: MOTO_REGION,
                endpoint: 'http://127.0.0.1:9', // discard port: connection refused
                credentials: MOTO_CREDENTIALS,
              },
            },
          },
        },
      });
      try {
        const store = await DatabaseMlopsStore.create({
          database: mockServices.database({ knex }),
        });
        await addVersion(store, 'scorer', 'r1', 's3://bucket/model.zip');
        const res = await request(backend.server)
          .post('/api/mlops/models/default/scorer/deployments')
          .set('authorization', alice)
          .send({ version: '1', strategy: 'all-at-once' });
        expect(res.status).toBe(202);
        const retrying = await eventually<Deployment>(async () => {
          await backend.reconcile();
          const d = await request(backend.server)
            .get(`/api/mlops/deployments/${res.body.id}`)
            .set('authorization', alice);
          return d.body.statusMessage?.startsWith('retrying') && d.body;
        });
        expect(retrying.statusMessage).toMatch(/ECONNREFUSED/);
        const failed = await drive(backend, res.body.id, ['failed'], 60_000);
        expect(failed.statusMessage).toMatch(
          /gave up after \d+ s of failures: .*ECONNREFUSED/,
        );
        const health = await request(backend.server)
          .get('/api/mlops/models/default/scorer/health')
          .set('authorization', alice);
        expect(health.body.status).toBe('unhealthy');

        // A synchronous promote answers 503 with the reason and changes nothing.
        const { record: canary } = await store.createDeployment({
          modelRef: 'mlmodel:default/scorer',
          version: '1',
          target: 'lambda',
          strategy: 'canary',
          weight: 0.1,
          requestHash: 'h',
          targetConfig: {
            target: 'lambda',
            functionName: 'nowhere',
            alias: 'live',
            region: MOTO_REGION,
          },
          artifactUri: 's3://bucket/model.zip',
          createdBy: OWNER_USER,
        });
        await store.updateDeployment(canary.id, undefined, {
          status: 'canary',
          state: {
            publishedVersion: '2',
            previousVersion: '1',
            aliasExisted: true,
            phase: 'done',
          },
          nextCheckAt: new Date('9999-12-31T00:00:00Z'),
        });
        const promote = await request(backend.server)
          .post(`/api/mlops/deployments/${canary.id}/promote`)
          .set('authorization', alice);
        expect(promote.status).toBe(503);
        expect(promote.body.error.message).toMatch(/ECONNREFUSED/);
        const after = await request(backend.server)
          .get(`/api/mlops/deployments/${canary.id}`)
          .set('authorization', alice);
        expect(after.body.status).toBe('canary');
        expect(after.body.statusMessage).toMatch(/^promote failed: /);
      } finally {
        fs.rmSync(repo.root, { recursive: true, force: true });
      }
    });
  },
);
