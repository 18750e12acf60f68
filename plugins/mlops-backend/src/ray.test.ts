import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import fs from 'node:fs';
import request from 'supertest';
import { TrainingRun } from '@synth/plugin-mlops-common';
import { startEngine } from './__testUtils__/engines';
import { FakeRay } from './__testUtils__/fakeRay';
import {
  createTrainingRepo,
  OWNER_USER,
  trainableModel,
} from './__testUtils__/fixtures';
import { eventually, startMlopsTestBackend } from './__testUtils__/testBackend';
import { RayJobsClient } from './engines/RayJobsClient';

jest.setTimeout(15 * 60_000);

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

const RUNS = '/api/mlops/models/default/trainable/runs';
const alice = mockCredentials.user.header(OWNER_USER);

type Backend = Awaited<ReturnType<typeof startMlopsTestBackend>>;

async function post(backend: Backend, key: string, parameters: object = {}) {
  return request(backend.server)
    .post(RUNS)
    .set('authorization', alice)
    .set('idempotency-key', key)
    .send({ parameters });
}

async function getRun(backend: Backend, id: string): Promise<TrainingRun> {
  const res = await request(backend.server)
    .get(`/api/mlops/runs/${id}`)
    .set('authorization', alice);
  return res.body;
}

/** Reconciles until the run reaches one of the statuses. */
async function driveUntil(
  backend: Backend,
  id: string,
  statuses: string[],
  timeoutMs = 180_000,
): Promise<TrainingRun> {
  return eventually(
    async () => {
      await backend.reconcile();
      const run = await getRun(backend, id);
      return statuses.includes(run.status) && run;
    },
    { timeoutMs, intervalMs: 500, what: `run ${id} to be ${statuses}` },
  );
}

describe.each(databases.eachSupportedId())(
  'training on Ray, %p',
  databaseId => {
    let knex: Knex;
    let backend: Backend;
    let repo: ReturnType<typeof createTrainingRepo>;
    let ray: RayJobsClient;

    beforeAll(async () => {
      const rayUrl = await startEngine('ray');
      ray = new RayJobsClient({ baseUrl: rayUrl, timeoutMs: 30_000 });
      knex = await databases.init(databaseId);
      repo = createTrainingRepo();
      backend = await startMlopsTestBackend({
        knex,
        entities: [trainableModel(repo.catalogFile)],
        config: {
          mlops: {
            executors: { ray: { url: rayUrl } },
            reconciler: { leaseTimeout: '20s' },
          },
        },
      });
    });

    afterAll(() => {
      fs.rmSync(repo.root, { recursive: true, force: true });
    });

    async function rayJobsOf(runId: string) {
      return (await ray.listJobs()).filter(
        j => j.metadata?.['mlops.synth.dev/run-id'] === runId,
      );
    }

    it('submits with a submission id derived from the run, archives logs and registers a version', async () => {
      const res = await post(backend, `ray-ok-${databaseId}`, { epochs: 5 });
      expect(res.status).toBe(202);
      const { id } = res.body;
      const submitted = await driveUntil(backend, id, [
        'submitted',
        'running',
        'succeeded',
        'failed',
      ]);
      expect(submitted.externalId).toBe(`mlops-${id}`);
      const run = await driveUntil(backend, id, [
        'succeeded',
        'failed',
        'cancelled',
      ]);
      expect(run).toMatchObject({
        status: 'succeeded',
        executor: 'ray',
        modelVersion: '1',
        metrics: { auc: 0.91, epochs: 5 },
      });
      const jobs = await rayJobsOf(id);
      expect(jobs).toHaveLength(1);
      expect(jobs[0].entrypoint).toContain('--epochs 5');
      const logs = await request(backend.server)
        .get(`/api/mlops/runs/${id}/logs`)
        .set('authorization', alice);
      expect(logs.body.complete).toBe(true);
      expect(logs.body.text).toContain('"epochs": 5');
      expect(logs.body.text).toContain(
        `run ${id} model mlmodel:default/trainable`,
      );
    });

    it('creates one run and one Ray job for 100 concurrent POSTs with one key', async () => {
      const key = `ray-100-${databaseId}`;
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => post(backend, key, { sleep: 1 })),
      );
      expect(responses.map(r => r.status)).toEqual(Array(100).fill(202));
      const ids = new Set(responses.map(r => r.body.id));
      expect(ids.size).toBe(1);
      const [id] = ids;
      expect(
        Number(
          (
            await knex('training_runs')
              .where({ idempotency_key: key })
              .count({ c: '*' })
          )[0].c,
        ),
      ).toBe(1);
      await driveUntil(backend, id, ['succeeded', 'failed']);
      expect(await rayJobsOf(id)).toHaveLength(1);
    });

    it('stops a running job on cancel', async () => {
      const { body } = await post(backend, `ray-cancel-${databaseId}`, {
        sleep: 300,
      });
      await driveUntil(backend, body.id, ['running']);
      await request(backend.server)
        .post(`/api/mlops/runs/${body.id}/cancel`)
        .set('authorization', alice)
        .expect(202);
      const run = await driveUntil(backend, body.id, [
        'cancelled',
        'failed',
        'succeeded',
      ]);
      expect(run.status).toBe('cancelled');
      const [job] = await rayJobsOf(body.id);
      expect(job.status).toBe('STOPPED');
    });

    it("fails a run whose entrypoint fails, with Ray's reason", async () => {
      const { body } = await post(backend, `ray-fail-${databaseId}`, {
        mode: 'fail',
      });
      const run = await driveUntil(backend, body.id, ['succeeded', 'failed']);
      expect(run.status).toBe('failed');
      expect(run.statusMessage).toMatch(/exit code 3/);
      const logs = await request(backend.server)
        .get(`/api/mlops/runs/${body.id}/logs`)
        .set('authorization', alice);
      expect(logs.body.text).toContain('something went wrong');
    });
  },
);

describe.each(databases.eachSupportedId())(
  'Ray outages (contract fake), %p',
  databaseId => {
    let backend: Backend;
    let repo: ReturnType<typeof createTrainingRepo>;
    let fake: FakeRay;

    beforeAll(async () => {
      fake = await new FakeRay().start();
      repo = createTrainingRepo();
      backend = await startMlopsTestBackend({
        knex: await databases.init(databaseId),
        entities: [trainableModel(repo.catalogFile)],
        config: {
          mlops: {
            executors: { ray: { url: fake.url, requestTimeout: '1s' } },
            training: { engineRetryTimeout: '3s' },
          },
        },
      });
    });

    afterAll(async () => {
      await fake.stop();
      fs.rmSync(repo.root, { recursive: true, force: true });
    });

    it('retries an agent outage and submits once', async () => {
      fake.agentOutages = 1;
      const before = fake.submissions;
      const { body } = await post(backend, `agent-${databaseId}`);
      const run = await driveUntil(backend, body.id, ['submitted'], 20_000);
      expect(run.externalId).toBe(`mlops-${body.id}`);
      expect(fake.submissions).toBe(before + 1);
      fake.setStatus(
        `mlops-${body.id}`,
        'SUCCEEDED',
        'done\nmlops-result: {"metrics": {"f1": 0.5}}\n',
      );
      const done = await driveUntil(backend, body.id, ['succeeded'], 20_000);
      expect(done.metrics).toEqual({ f1: 0.5 });
    });

    it('answers 503 for live logs while Ray is down, and fails the run with the reason after the retry timeout', async () => {
      const { body } = await post(backend, `down-${databaseId}`);
      await driveUntil(backend, body.id, ['submitted'], 20_000);
      await fake.stop();
      try {
        const logs = await request(backend.server)
          .get(`/api/mlops/runs/${body.id}/logs`)
          .set('authorization', alice);
        expect(logs.status).toBe(503);
        expect(logs.body.error.message).toMatch(/ECONNREFUSED/);
        // The portal stays up: reads keep working.
        const retrying = await eventually(
          async () => {
            await backend.reconcile();
            const run = await getRun(backend, body.id);
            return run.statusMessage?.startsWith('retrying') && run;
          },
          { what: 'a retry' },
        );
        expect(retrying.status).toBe('submitted');
        const failed = await driveUntil(backend, body.id, ['failed'], 30_000);
        expect(failed.statusMessage).toMatch(
          /gave up after \d+ s of failures: .*ECONNREFUSED/,
        );
      } finally {
        await fake.start();
      }
    });

    it('fails a run whose job Ray no longer knows', async () => {
      const { body } = await post(backend, `lost-${databaseId}`);
      await driveUntil(backend, body.id, ['submitted'], 20_000);
      fake.jobs.delete(`mlops-${body.id}`);
      const run = await driveUntil(backend, body.id, ['failed'], 20_000);
      expect(run.statusMessage).toContain(`Ray has no job mlops-${body.id}`);
    });
  },
);
