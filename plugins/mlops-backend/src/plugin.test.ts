import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { TrainingRun, TrainingRunLogs } from '@synth/plugin-mlops-common';
import {
  createTrainingRepo,
  OTHER_USER,
  OWNER,
  OWNER_USER,
  trainableModel,
  untrainableModel,
} from './__testUtils__/fixtures';
import { eventually, startMlopsTestBackend } from './__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

const RUNS = '/api/mlops/models/default/trainable/runs';
const alice = mockCredentials.user.header(OWNER_USER);
const bob = mockCredentials.user.header(OTHER_USER);

describe.each(databases.eachSupportedId())(
  'mlops plugin on %p (local executor)',
  databaseId => {
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startMlopsTestBackend>>;
    let repo: ReturnType<typeof createTrainingRepo>;
    let workspaceDir: string;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      repo = createTrainingRepo();
      workspaceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-test-ws-'));
      backend = await startMlopsTestBackend({
        knex,
        entities: [trainableModel(repo.catalogFile), untrainableModel()],
        config: {
          mlops: {
            executors: {
              local: {
                enabled: true,
                workspaceDir,
                env: { SYNTH_TEST_SECRET: 'never-in-logs' },
              },
            },
            reconciler: { leaseTimeout: '10s' },
          },
        },
      });
    });

    afterAll(async () => {
      await backend?.stop();
      fs.rmSync(repo.root, { recursive: true, force: true });
      fs.rmSync(workspaceDir, { recursive: true, force: true });
    });

    const runRows = async () =>
      Number((await knex('training_runs').count({ c: '*' }))[0].c);

    async function waitForRun(id: string, statuses: string[]) {
      return eventually<TrainingRun>(
        async () => {
          const res = await request(backend.server)
            .get(`/api/mlops/runs/${id}`)
            .set('authorization', alice);
          return statuses.includes(res.body.status) && res.body;
        },
        { what: `run ${id} to be ${statuses.join('/')}` },
      );
    }

    describe('bad input leaves no row', () => {
      /** Runs the request and checks that it wrote no row. */
      async function unchanged(fn: () => Promise<void>) {
        const before = await runRows();
        await fn();
        expect(await runRows()).toBe(before);
      }

      it('answers 401 without credentials', () =>
        unchanged(async () => {
          const res = await request(backend.server)
            .post(RUNS)
            .set('authorization', mockCredentials.none.header())
            .set('idempotency-key', 'k-401')
            .send({});
          expect(res.status).toBe(401);
        }));

      it('answers 404 for an unknown model', () =>
        unchanged(async () => {
          const res = await request(backend.server)
            .post('/api/mlops/models/default/nope/runs')
            .set('authorization', alice)
            .set('idempotency-key', 'k-404')
            .send({});
          expect(res.status).toBe(404);
          expect(res.body.error.message).toContain('mlmodel:default/nope');
        }));

      it('answers 400 naming the missing training field', () =>
        unchanged(async () => {
          const res = await request(backend.server)
            .post('/api/mlops/models/default/no-training/runs')
            .set('authorization', alice)
            .set('idempotency-key', 'k-400')
            .send({});
          expect(res.status).toBe(400);
          expect(res.body.error.message).toContain('spec.training is missing');
        }));

      it('answers 400 naming undeclared and ill-typed parameters', () =>
        unchanged(async () => {
          const res = await request(backend.server)
            .post(RUNS)
            .set('authorization', alice)
            .set('idempotency-key', 'k-params')
            .send({
              parameters: {
                epochs: 'ten',
                bogus: 1,
                mode: 'maybe',
                learning_rate: 2,
              },
            });
          expect(res.status).toBe(400);
          const message = res.body.error.message;
          expect(message).toContain("undeclared parameter 'bogus'");
          expect(message).toContain("'epochs' must be an integer");
          expect(message).toContain("'mode' must be one of");
          expect(message).toContain("'learning_rate' must be at most 1");
        }));

      it('answers 400 without an Idempotency-Key', () =>
        unchanged(async () => {
          const res = await request(backend.server)
            .post(RUNS)
            .set('authorization', alice)
            .send({});
          expect(res.status).toBe(400);
          expect(res.body.error.message).toContain('Idempotency-Key');
        }));

      it('answers 400 for fields other than parameters', () =>
        unchanged(async () => {
          const res = await request(backend.server)
            .post(RUNS)
            .set('authorization', alice)
            .set('idempotency-key', 'k-extra')
            .send({ entrypoint: 'rm -rf /' });
          expect(res.status).toBe(400);
        }));

      it('answers 403 for a user who does not own the model', () =>
        unchanged(async () => {
          const res = await request(backend.server)
            .post(RUNS)
            .set('authorization', bob)
            .set('idempotency-key', 'k-403')
            .send({});
          expect(res.status).toBe(403);
          expect(
            backend.auditEvents.some(
              e =>
                e.eventId === 'training-trigger' &&
                e.outcome === 'fail' &&
                e.error === 'NotAllowedError',
            ),
          ).toBe(true);
        }));
    });

    it('trains with the local executor, registers a version and notifies the owner', async () => {
      const res = await request(backend.server)
        .post(RUNS)
        .set('authorization', alice)
        .set('idempotency-key', 'happy-1')
        .send({ parameters: { epochs: 7 } });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
      const { id } = res.body;

      const replay = await request(backend.server)
        .post(RUNS)
        .set('authorization', alice)
        .set('idempotency-key', 'happy-1')
        .send({ parameters: { epochs: 7 } });
      expect(replay.status).toBe(202);
      expect(replay.body.id).toBe(id);
      expect(replay.headers['idempotent-replayed']).toBe('true');

      const conflict = await request(backend.server)
        .post(RUNS)
        .set('authorization', alice)
        .set('idempotency-key', 'happy-1')
        .send({ parameters: { epochs: 8 } });
      expect(conflict.status).toBe(409);

      const run = await waitForRun(id, ['succeeded', 'failed']);
      expect(run).toMatchObject({
        status: 'succeeded',
        executor: 'local',
        modelRef: 'mlmodel:default/trainable',
        parameters: { epochs: 7, learning_rate: 0.1, mode: 'ok', sleep: 0 },
        createdBy: OWNER_USER,
        modelVersion: '1',
        metrics: { auc: 0.91, epochs: 7 },
      });
      expect(run.artifactUri).toMatch(/^file:\/\//);
      expect(
        fs.readFileSync(new URL(`${run.artifactUri}/model.txt`), 'utf8'),
      ).toBe('weights');

      const logs = await request(backend.server)
        .get(`/api/mlops/runs/${id}/logs`)
        .set('authorization', alice);
      const body = logs.body as TrainingRunLogs;
      expect(body.complete).toBe(true);
      expect(body.text).toContain('"epochs": 7');
      expect(body.text).toContain(`run ${id} model mlmodel:default/trainable`);
      // The config's env reaches the child, but its value is never logged by us.
      expect(body.text).toContain('secret visible: True');
      expect(body.text).not.toContain('never-in-logs');

      const versions = await request(backend.server)
        .get('/api/mlops/models/default/trainable/versions')
        .set('authorization', alice);
      expect(versions.body.items[0]).toMatchObject({
        version: '1',
        runId: id,
        registry: 'internal',
        metrics: { auc: 0.91, epochs: 7 },
      });

      await eventually(
        async () => backend.notifications.send.mock.calls.length > 0,
        {
          what: 'a notification',
        },
      );
      expect(backend.notifications.send).toHaveBeenCalledWith({
        recipients: { type: 'entity', entityRef: OWNER },
        payload: expect.objectContaining({
          title: 'Training of trainable succeeded: version 1',
          link: '/catalog/default/mlmodel/trainable',
        }),
      });
      expect(
        backend.auditEvents.find(
          e => e.eventId === 'training-trigger' && e.outcome === 'success',
        ),
      ).toBeDefined();
    });

    it('records a failing run with the reason and its output', async () => {
      const res = await request(backend.server)
        .post(RUNS)
        .set('authorization', alice)
        .set('idempotency-key', 'fail-1')
        .send({ parameters: { mode: 'fail' } });
      const run = await waitForRun(res.body.id, ['succeeded', 'failed']);
      expect(run.status).toBe('failed');
      expect(run.statusMessage).toBe('the entrypoint exited with code 3');
      const logs = await request(backend.server)
        .get(`/api/mlops/runs/${run.id}/logs`)
        .set('authorization', alice);
      expect(logs.body.text).toContain('something went wrong');
    });

    it('follows a live log and cancels a running run', async () => {
      const res = await request(backend.server)
        .post(RUNS)
        .set('authorization', alice)
        .set('idempotency-key', 'cancel-1')
        .send({ parameters: { sleep: 120 } });
      const { id } = res.body;
      await waitForRun(id, ['running']);
      const first = await eventually<TrainingRunLogs>(async () => {
        const r = await request(backend.server)
          .get(`/api/mlops/runs/${id}/logs?after=0&wait=5`)
          .set('authorization', alice);
        return r.body.text.includes('training') && r.body;
      });
      expect(first.complete).toBe(false);

      // Non-owners may read but not cancel.
      await request(backend.server)
        .get(`/api/mlops/runs/${id}`)
        .set('authorization', bob)
        .expect(200);
      await request(backend.server)
        .post(`/api/mlops/runs/${id}/cancel`)
        .set('authorization', bob)
        .expect(403);

      // A long-poll from the current end waits for the next output (the cancel).
      const tail = request(backend.server)
        .get(`/api/mlops/runs/${id}/logs?after=${first.nextOffset}&wait=20`)
        .set('authorization', alice);
      const cancel = await request(backend.server)
        .post(`/api/mlops/runs/${id}/cancel`)
        .set('authorization', alice);
      expect(cancel.status).toBe(202);
      expect(cancel.body.cancelRequested).toBe(true);
      const run = await waitForRun(id, ['cancelled', 'failed', 'succeeded']);
      expect(run.status).toBe('cancelled');
      const tailed = await tail;
      expect(tailed.status).toBe(200);
      expect(tailed.body.offset).toBe(first.nextOffset);

      // Cancelling again is fine; the run stays cancelled.
      await request(backend.server)
        .post(`/api/mlops/runs/${id}/cancel`)
        .set('authorization', alice)
        .expect(202);
    });

    it('lists runs of a model page by page', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await request(backend.server)
          .post(RUNS)
          .set('authorization', alice)
          .set('idempotency-key', `list-${i}`)
          .send({ parameters: { epochs: 1 } });
        ids.push(r.body.id);
      }
      const page1 = await request(backend.server)
        .get(`${RUNS}?limit=2`)
        .set('authorization', bob);
      expect(page1.status).toBe(200);
      expect(page1.body.items.map((r: TrainingRun) => r.id)).toEqual([
        ids[2],
        ids[1],
      ]);
      const page2 = await request(backend.server)
        .get(`${RUNS}?limit=2&cursor=${page1.body.nextCursor}`)
        .set('authorization', bob);
      expect(page2.body.items[0].id).toBe(ids[0]);
      await request(backend.server)
        .get(`${RUNS}?limit=1000`)
        .set('authorization', bob)
        .expect(400);
      for (const id of ids) {
        await waitForRun(id, ['succeeded', 'failed']);
      }
    });

    it('answers 404 for runs of unknown ids', async () => {
      const res = await request(backend.server)
        .get('/api/mlops/runs/00000000-0000-0000-0000-000000000000')
        .set('authorization', alice);
      expect(res.status).toBe(404);
    });
  },
);

describe('mlops plugin without any executor', () => {
  it('answers 503 and writes nothing', async () => {
    const repo = createTrainingRepo();
    const backend = await startMlopsTestBackend({
      entities: [trainableModel(repo.catalogFile)],
    });
    try {
      const res = await request(backend.server)
        .post(RUNS)
        .set('authorization', alice)
        .set('idempotency-key', 'none')
        .send({});
      expect(res.status).toBe(503);
      expect(res.body.error.message).toContain(
        'No training executor is configured',
      );
      const list = await request(backend.server)
        .get(RUNS)
        .set('authorization', alice);
      expect(list.body.items).toEqual([]);
      const health = await request(backend.server)
        .get('/api/mlops/models/default/trainable/health')
        .set('authorization', alice);
      expect(health.body).toMatchObject({
        status: 'unknown',
        lastRun: null,
        drift: null,
      });
    } finally {
      await backend.stop();
      fs.rmSync(repo.root, { recursive: true, force: true });
    }
  });
});
