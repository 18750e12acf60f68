import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { DatabaseMlopsStore, NEVER } from './DatabaseMlopsStore';
import { NewDeployment, NewRun } from './MlopsStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

const MODEL = 'mlmodel:default/churn-classifier';

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    modelRef: MODEL,
    idempotencyKey: 'key-1',
    requestHash: 'h1',
    executor: 'ray',
    parameters: { max_depth: 6 },
    spec: {
      entrypoint: 'python train.py',
      workingDir: './training',
      source: { type: 'file', path: '/tmp/training' },
      registeredModelName: 'churn-classifier',
    },
    ownerRef: 'group:default/customer-ml',
    createdBy: 'user:default/guest',
    ...overrides,
  };
}

function newDeployment(overrides: Partial<NewDeployment> = {}): NewDeployment {
  return {
    modelRef: MODEL,
    version: '1',
    target: 'lambda',
    strategy: 'all-at-once',
    requestHash: 'd1',
    targetConfig: { target: 'lambda', functionName: 'f', alias: 'live' },
    artifactUri: 's3://b/k.zip',
    createdBy: 'user:default/guest',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseMlopsStore on %p',
  databaseId => {
    let knex: Knex;
    let store: DatabaseMlopsStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseMlopsStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    afterEach(async () => {
      await knex('training_run_logs').delete();
      await knex('training_runs').delete();
      await knex('model_versions').delete();
      await knex('deployments').delete();
      await knex('drift_reports').delete();
    });

    describe('training runs', () => {
      it('returns the same run for the same idempotency key', async () => {
        const first = await store.createRun(newRun());
        const second = await store.createRun(newRun({ requestHash: 'other' }));
        expect(first.created).toBe(true);
        expect(second.created).toBe(false);
        expect(second.record.id).toBe(first.record.id);
        expect(second.record.requestHash).toBe('h1');
        const other = await store.createRun(
          newRun({ idempotencyKey: 'key-2' }),
        );
        expect(other.created).toBe(true);
        expect(other.record.id).not.toBe(first.record.id);
        const sameKeyOtherModel = await store.createRun(
          newRun({ modelRef: 'mlmodel:default/other' }),
        );
        expect(sameKeyOtherModel.created).toBe(true);
      });

      it('creates one row for 100 concurrent creations with one key', async () => {
        const results = await Promise.all(
          Array.from({ length: 100 }, () => store.createRun(newRun())),
        );
        expect(new Set(results.map(r => r.record.id)).size).toBe(1);
        expect(results.filter(r => r.created)).toHaveLength(1);
        const [{ count }] = await knex('training_runs').count({ count: '*' });
        expect(Number(count)).toBe(1);
      });

      it('round-trips every field', async () => {
        const { record } = await store.createRun(newRun());
        expect(record).toMatchObject({
          modelRef: MODEL,
          executor: 'ray',
          status: 'pending',
          parameters: { max_depth: 6 },
          spec: { source: { type: 'file', path: '/tmp/training' } },
          ownerRef: 'group:default/customer-ml',
          cancelRequested: false,
          attempts: 0,
          logsArchived: false,
        });
        expect(record.createdAt).toBeInstanceOf(Date);
        expect(record.nextCheckAt.getTime()).toBeLessThanOrEqual(Date.now());
        const finishedAt = new Date('2026-11-27T10:00:00.123Z');
        await store.updateRun(record.id, undefined, {
          status: 'succeeded',
          metrics: { auc: 0.9 },
          modelVersion: '3',
          finishedAt,
          pendingOutcome: { status: 'succeeded' },
        });
        const updated = await store.getRun(record.id);
        expect(updated).toMatchObject({
          status: 'succeeded',
          metrics: { auc: 0.9 },
          modelVersion: '3',
          finishedAt,
        });
        // A final status clears a pending outcome.
        expect(updated!.pendingOutcome).toBeUndefined();
      });

      it('pages runs newest first', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(
            (await store.createRun(newRun({ idempotencyKey: `k${i}` }))).record
              .id,
          );
          await new Promise(r => setTimeout(r, 5));
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listRuns(MODEL, { limit: 2, cursor });
          seen.push(...page.items.map(r => r.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual([...ids].reverse());
        await expect(
          store.listRuns(MODEL, { limit: 2, cursor: 'garbage' }),
        ).rejects.toThrow('Invalid cursor');
      });

      it('fences updates by lease and lets an expired lease be taken', async () => {
        const { record } = await store.createRun(newRun());
        expect(await store.claimRun(record.id, 'a', 60_000)).toBe(true);
        expect(await store.claimRun(record.id, 'b', 60_000)).toBe(false);
        expect(await store.updateRun(record.id, 'b', { attempts: 5 })).toBe(
          false,
        );
        expect(await store.updateRun(record.id, 'a', { attempts: 1 })).toBe(
          true,
        );
        expect(await store.listDueRuns({ now: new Date(), limit: 10 })).toEqual(
          [],
        );
        await store.releaseRun(record.id, 'a');
        expect(await store.listDueRuns({ now: new Date(), limit: 10 })).toEqual(
          [record.id],
        );

        expect(await store.claimRun(record.id, 'a', 1)).toBe(true);
        await new Promise(r => setTimeout(r, 20));
        expect(await store.claimRun(record.id, 'b', 60_000)).toBe(true);
        expect(await store.updateRun(record.id, 'a', { attempts: 9 })).toBe(
          false,
        );
        expect(await store.renewRunLease(record.id, 'a', 60_000)).toBe(false);
        expect(await store.renewRunLease(record.id, 'b', 60_000)).toBe(true);
        expect((await store.getRun(record.id))!.attempts).toBe(1);
      });

      it('lists only due rows', async () => {
        const a = (await store.createRun(newRun({ idempotencyKey: 'a' })))
          .record;
        const b = (await store.createRun(newRun({ idempotencyKey: 'b' })))
          .record;
        await store.updateRun(b.id, undefined, {
          nextCheckAt: new Date(Date.now() + 60_000),
        });
        const c = (await store.createRun(newRun({ idempotencyKey: 'c' })))
          .record;
        await store.updateRun(c.id, undefined, {
          status: 'succeeded',
          nextCheckAt: NEVER,
        });
        expect(await store.listDueRuns({ now: new Date(), limit: 10 })).toEqual(
          [a.id],
        );
      });

      it('lists the pending runs of an executor, oldest first', async () => {
        const a = (
          await store.createRun(
            newRun({ idempotencyKey: 'a', executor: 'local' }),
          )
        ).record;
        await new Promise(r => setTimeout(r, 5));
        const b = (
          await store.createRun(
            newRun({ idempotencyKey: 'b', executor: 'local' }),
          )
        ).record;
        await store.createRun(newRun({ idempotencyKey: 'c', executor: 'ray' }));
        const d = (
          await store.createRun(
            newRun({ idempotencyKey: 'd', executor: 'local' }),
          )
        ).record;
        await store.updateRun(d.id, undefined, { status: 'running' });
        expect(await store.listPendingRuns('local', 10)).toEqual([a.id, b.id]);
        expect(await store.listPendingRuns('local', 1)).toEqual([a.id]);
      });

      it('only changes active runs with onlyIfActive, and records cancel requests', async () => {
        const { record } = await store.createRun(newRun());
        await store.requestCancel(record.id);
        expect((await store.getRun(record.id))!.cancelRequested).toBe(true);
        await store.updateRun(record.id, undefined, { status: 'cancelled' });
        expect(
          await store.updateRun(
            record.id,
            undefined,
            { status: 'failed' },
            { onlyIfActive: true },
          ),
        ).toBe(false);
        expect((await store.getRun(record.id))!.status).toBe('cancelled');
      });
    });

    describe('logs', () => {
      it('appends chunks and reads slices by offset', async () => {
        const { record } = await store.createRun(newRun());
        await store.appendLogs(record.id, [{ startOffset: 0, text: 'hello ' }]);
        await store.appendLogs(record.id, [
          { startOffset: 6, text: 'world\n' },
          { startOffset: 12, text: 'bye\n' },
        ]);
        expect(await store.readLogs(record.id, 0, 1000)).toEqual({
          offset: 0,
          text: 'hello world\nbye\n',
          start: 0,
          end: 16,
        });
        expect((await store.readLogs(record.id, 8, 1000)).text).toBe(
          'rld\nbye\n',
        );
        expect((await store.readLogs(record.id, 8, 3)).text).toBe('rld');
        expect(await store.readLogs(record.id, 16, 1000)).toMatchObject({
          offset: 16,
          text: '',
        });
        expect(await store.readLogs('missing', 0, 10)).toMatchObject({
          text: '',
          end: 0,
        });
      });

      it('replaces logs, keeping the absolute offsets of a trimmed head', async () => {
        const { record } = await store.createRun(newRun());
        await store.appendLogs(record.id, [{ startOffset: 0, text: 'old' }]);
        const text = 'x'.repeat(200_000);
        await store.replaceLogs(record.id, text, 1000);
        const slice = await store.readLogs(record.id, 0, 10);
        expect(slice).toMatchObject({
          offset: 1000,
          start: 1000,
          end: 201_000,
        });
        expect(slice.text).toBe('x'.repeat(10));
        const all = await store.readLogs(record.id, 1000, 1_000_000);
        expect(all.text.length).toBe(200_000);
      });
    });

    describe('model versions', () => {
      it('numbers versions per model and is idempotent per run', async () => {
        const v1 = await store.addModelVersion({
          modelRef: MODEL,
          runId: 'r1',
          metrics: { auc: 0.8 },
          registry: 'internal',
          artifactUri: 's3://b/1.zip',
        });
        const again = await store.addModelVersion({
          modelRef: MODEL,
          runId: 'r1',
          metrics: {},
          registry: 'internal',
        });
        expect(v1.version).toBe('1');
        expect(again).toEqual(v1);
        const concurrent = await Promise.all(
          ['r2', 'r3', 'r4', 'r5'].map(runId =>
            store.addModelVersion({
              modelRef: MODEL,
              runId,
              metrics: {},
              registry: 'internal',
            }),
          ),
        );
        expect(concurrent.map(v => v.version).sort()).toEqual([
          '2',
          '3',
          '4',
          '5',
        ]);
        const mlflow = await store.addModelVersion({
          modelRef: 'mlmodel:default/other',
          runId: 'r9',
          metrics: {},
          registry: 'mlflow',
          version: '17',
          registeredModelName: 'other',
        });
        expect(mlflow).toMatchObject({
          version: '17',
          seq: 1,
          registry: 'mlflow',
        });
        expect(await store.getModelVersion(MODEL, '1')).toEqual(v1);
        const page1 = await store.listModelVersions(MODEL, { limit: 3 });
        expect(page1.items.map(v => v.version)).toEqual(['5', '4', '3']);
        const page2 = await store.listModelVersions(MODEL, {
          limit: 3,
          cursor: page1.nextCursor,
        });
        expect(page2.items.map(v => v.version)).toEqual(['2', '1']);
        expect(page2.nextCursor).toBeUndefined();
      });
    });

    describe('deployments', () => {
      it('allows one active deployment per model and frees the slot when final', async () => {
        const first = await store.createDeployment(
          newDeployment({ idempotencyKey: 'x' }),
        );
        expect(first.created).toBe(true);
        const replay = await store.createDeployment(
          newDeployment({ idempotencyKey: 'x' }),
        );
        expect(replay).toEqual({ record: first.record, created: false });
        await expect(store.createDeployment(newDeployment())).rejects.toThrow(
          ConflictError,
        );
        await expect(store.createDeployment(newDeployment())).rejects.toThrow(
          /is pending; wait for it/,
        );
        await store.updateDeployment(first.record.id, undefined, {
          status: 'succeeded',
        });
        const second = await store.createDeployment(newDeployment());
        expect(second.created).toBe(true);
        // Going back to a working status takes the slot again, and fails while it is taken.
        await expect(
          store.updateDeployment(first.record.id, undefined, {
            status: 'rolling-back',
          }),
        ).rejects.toThrow(ConflictError);
        await store.updateDeployment(second.record.id, undefined, {
          status: 'failed',
        });
        expect(
          await store.updateDeployment(first.record.id, undefined, {
            status: 'rolling-back',
          }),
        ).toBe(true);
        const other = await store.createDeployment(
          newDeployment({ modelRef: 'mlmodel:default/other' }),
        );
        expect(other.created).toBe(true);
      });

      it('gives one deployment to concurrent creations', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.createDeployment(
              newDeployment({ idempotencyKey: i % 2 ? 'k' : undefined }),
            ),
          ),
        );
        const [{ count }] = await knex('deployments').count({ count: '*' });
        expect(Number(count)).toBe(1);
        expect(
          results.filter(r => r.status === 'fulfilled' && r.value.created),
        ).toHaveLength(1);
      });

      it('keeps state and lists the latest per target', async () => {
        const { record } = await store.createDeployment(newDeployment());
        await store.updateDeployment(record.id, undefined, {
          status: 'canary',
          state: { publishedVersion: '4', previousVersion: '3', phase: 'done' },
          statusMessage: 'canary',
        });
        const latest = await store.getLatestDeployments(MODEL);
        expect(latest).toHaveLength(1);
        expect(latest[0]).toMatchObject({
          status: 'canary',
          state: { publishedVersion: '4', previousVersion: '3' },
        });
        expect(
          await store.updateDeployment(
            record.id,
            undefined,
            { status: 'succeeded' },
            { expectStatus: ['pending'] },
          ),
        ).toBe(false);
      });
    });

    describe('latest rows of many models', () => {
      const OTHER = 'mlmodel:default/other';
      const NONE = 'mlmodel:default/no-history';

      /** Counts the statements `fn` sends. */
      async function queriesOf<T>(fn: () => Promise<T>) {
        let count = 0;
        const listener = () => {
          count += 1;
        };
        knex.on('query', listener);
        try {
          return { result: await fn(), count };
        } finally {
          knex.removeListener('query', listener);
        }
      }

      async function at<T extends { record: { id: string } }>(
        table: string,
        created: Promise<T>,
        time: string,
      ) {
        const { record } = await created;
        await knex(table)
          .where({ id: record.id })
          .update({ created_at: new Date(time).toISOString() });
        return record.id;
      }

      it('reads the latest run of each model in one query', async () => {
        await at(
          'training_runs',
          store.createRun(newRun({ idempotencyKey: 'a' })),
          '2026-11-01T00:00:00Z',
        );
        const latest = await at(
          'training_runs',
          store.createRun(newRun({ idempotencyKey: 'b' })),
          '2026-11-03T00:00:00Z',
        );
        await at(
          'training_runs',
          store.createRun(newRun({ idempotencyKey: 'c' })),
          '2026-11-02T00:00:00Z',
        );
        const other = await at(
          'training_runs',
          store.createRun(newRun({ modelRef: OTHER, idempotencyKey: 'a' })),
          '2026-10-01T00:00:00Z',
        );

        const { result, count } = await queriesOf(() =>
          store.getLatestRunsByModel([MODEL, NONE, OTHER]),
        );
        expect(count).toBe(1);
        expect([...result.keys()].sort()).toEqual([MODEL, OTHER]);
        expect(result.get(MODEL)).toEqual(await store.getRun(latest));
        expect(result.get(MODEL)).toEqual(await store.getLatestRun(MODEL));
        expect(result.get(OTHER)?.id).toBe(other);
        expect(await store.getLatestRunsByModel([])).toEqual(new Map());
      });

      it('reads the newest deployment per target of each model in one query, newest first', async () => {
        const finish = async (id: string) =>
          store.updateDeployment(id, undefined, { status: 'succeeded' });
        const deploy = async (
          overrides: Partial<NewDeployment>,
          time: string,
        ) => {
          const id = await at(
            'deployments',
            store.createDeployment(newDeployment(overrides)),
            time,
          );
          await finish(id);
          return id;
        };
        const rayServe = {
          target: 'ray-serve' as const,
          targetConfig: { target: 'ray-serve' as const, application: 'churn' },
        };
        await deploy({ version: '1' }, '2026-11-01T00:00:00Z');
        const lambda = await deploy({ version: '2' }, '2026-11-02T00:00:00Z');
        await deploy({ version: '1', ...rayServe }, '2026-11-03T00:00:00Z');
        const serve = await deploy(
          { version: '2', ...rayServe },
          '2026-11-04T00:00:00Z',
        );
        const other = await deploy(
          { modelRef: OTHER, version: '7' },
          '2026-11-05T00:00:00Z',
        );

        const { result, count } = await queriesOf(() =>
          store.getLatestDeploymentsByModel([MODEL, OTHER, NONE]),
        );
        expect(count).toBe(1);
        expect([...result.keys()].sort()).toEqual([MODEL, OTHER]);
        expect(result.get(MODEL)!.map(d => d.id)).toEqual([serve, lambda]);
        expect(result.get(MODEL)).toEqual(
          await store.getLatestDeployments(MODEL),
        );
        expect(result.get(OTHER)!.map(d => d.id)).toEqual([other]);
      });
    });

    describe('drift reports', () => {
      it('returns the latest report', async () => {
        expect(await store.getLatestDriftReport(MODEL)).toBeUndefined();
        await store.addDriftReport({
          modelRef: MODEL,
          computedAt: new Date('2026-11-01T00:00:00Z'),
          datasetDrift: false,
          driftShare: 0.1,
          columnCount: 10,
          driftedColumns: ['a'],
        });
        await store.addDriftReport({
          modelRef: MODEL,
          computedAt: new Date('2026-11-02T00:00:00Z'),
          datasetDrift: true,
          driftShare: 0.6,
          columnCount: 5,
          driftedColumns: ['a', 'b', 'c'],
        });
        expect(await store.getLatestDriftReport(MODEL)).toEqual({
          reportId: expect.any(String),
          computedAt: '2026-11-02T00:00:00.000Z',
          datasetDrift: true,
          driftShare: 0.6,
          columnCount: 5,
          driftedColumns: ['a', 'b', 'c'],
        });
      });
    });

    it('migrates down and up again', async () => {
      const migrationsDir = require('node:path').resolve(
        __dirname,
        '../../migrations',
      );
      await knex.migrate.rollback({ directory: migrationsDir }, true);
      expect(await knex.schema.hasTable('training_runs')).toBe(false);
      await knex.migrate.latest({ directory: migrationsDir });
      expect(await knex.schema.hasTable('training_runs')).toBe(true);
    });
  },
);
