import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseMlopsStore } from '../../database/DatabaseMlopsStore';
import { HealthService } from './HealthService';

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

jest.setTimeout(60_000);

describe.each(databases.eachSupportedId())(
  'HealthService on %p',
  databaseId => {
    let store: DatabaseMlopsStore;
    let health: HealthService;
    let n = 0;
    const model = () => `mlmodel:default/m${++n}`;

    beforeAll(async () => {
      store = await DatabaseMlopsStore.create({
        database: mockServices.database({
          knex: await databases.init(databaseId),
        }),
      });
      health = new HealthService({ store });
    });

    async function addRun(
      modelRef: string,
      status: 'succeeded' | 'failed',
      message?: string,
    ) {
      const { record } = await store.createRun({
        modelRef,
        idempotencyKey: `${Math.random()}`,
        requestHash: 'h',
        executor: 'ray',
        parameters: {},
        spec: {} as any,
        createdBy: 'user:default/a',
      });
      await store.updateRun(record.id, undefined, {
        status,
        statusMessage: message,
      });
    }

    async function addDeployment(
      modelRef: string,
      status: any,
      weight?: number,
    ) {
      const { record } = await store.createDeployment({
        modelRef,
        version: '1',
        target: 'lambda',
        strategy: weight ? 'canary' : 'all-at-once',
        weight,
        requestHash: 'h',
        targetConfig: { target: 'lambda', functionName: 'f', alias: 'live' },
        createdBy: 'user:default/a',
      });
      await store.updateDeployment(record.id, undefined, {
        status,
        statusMessage: 'alias gone',
      });
    }

    it('is unknown without history', async () => {
      expect(await health.getHealth(model())).toEqual({
        modelRef: `mlmodel:default/m${n}`,
        status: 'unknown',
        reasons: ['no training runs, deployments or drift reports yet'],
        lastRun: null,
        deployments: [],
        drift: null,
      });
    });

    it('is healthy after a successful run and deployment', async () => {
      const ref = model();
      await addRun(ref, 'succeeded');
      await addDeployment(ref, 'succeeded');
      const result = await health.getHealth(ref);
      expect(result).toMatchObject({
        status: 'healthy',
        reasons: [],
        lastRun: { status: 'succeeded' },
      });
      expect(result.deployments).toHaveLength(1);
    });

    it('is degraded by a failed run, a canary or drift, and unhealthy by a failed deployment', async () => {
      const failedRun = model();
      await addRun(failedRun, 'failed', 'exit code 1');
      expect(await health.getHealth(failedRun)).toMatchObject({
        status: 'degraded',
        reasons: ['the latest training run failed: exit code 1'],
      });

      const canary = model();
      await addDeployment(canary, 'canary', 0.1);
      expect((await health.getHealth(canary)).reasons).toEqual([
        'the latest deployment to lambda (version 1) is a canary at 10% waiting for promote or rollback',
      ]);

      const drifted = model();
      await addRun(drifted, 'succeeded');
      await store.addDriftReport({
        modelRef: drifted,
        computedAt: new Date(),
        datasetDrift: true,
        driftShare: 0.5,
        columnCount: 4,
        driftedColumns: ['a', 'b'],
      });
      expect(await health.getHealth(drifted)).toMatchObject({
        status: 'degraded',
        reasons: ['data drift: 2 of 4 columns drifted (share 0.50)'],
        drift: {
          datasetDrift: true,
          driftedColumns: ['a', 'b'],
          columnCount: 4,
        },
      });

      const broken = model();
      await addRun(broken, 'failed', 'oom');
      await addDeployment(broken, 'failed');
      expect(await health.getHealth(broken)).toMatchObject({
        status: 'unhealthy',
        reasons: [
          'the latest deployment to lambda (version 1) failed: alias gone',
          'the latest training run failed: oom',
        ],
      });
    });
  },
);
