import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { MLOPS_API_VERSION_V1ALPHA1 } from '@synth/plugin-mlops-common';
import { Knex } from 'knex';
import { DatabaseMlopsStore } from '../../database/DatabaseMlopsStore';
import { ModelVisibility } from '../ModelVisibility';
import { HealthService } from './HealthService';

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

jest.setTimeout(60_000);

function mlModel(
  name: string,
  apiVersion: string = MLOPS_API_VERSION_V1ALPHA1,
): Entity {
  return {
    apiVersion,
    kind: 'MLModel',
    metadata: { name, namespace: 'default' },
    spec: { type: 'classification', lifecycle: 'production', owner: 'team-a' },
  };
}

describe.each(databases.eachSupportedId())(
  'HealthService on %p',
  databaseId => {
    let knex: Knex;
    let store: DatabaseMlopsStore;
    let health: HealthService;
    let n = 0;
    const model = () => `mlmodel:default/m${++n}`;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseMlopsStore.create({
        database: mockServices.database({ knex }),
      });
      health = new HealthService({
        store,
        visibility: new ModelVisibility({
          catalog: catalogServiceMock(),
          permissions: mockServices.permissions(),
        }),
      });
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

    it('reads the health of many models with one query per table, as one model at a time would', async () => {
      const [unknown, healthy, broken] = [model(), model(), model()];
      await addRun(healthy, 'succeeded');
      await addDeployment(healthy, 'succeeded');
      await addRun(broken, 'failed', 'oom');
      await addDeployment(broken, 'failed');
      await store.addDriftReport({
        modelRef: broken,
        computedAt: new Date(),
        datasetDrift: true,
        driftShare: 0.5,
        columnCount: 4,
        driftedColumns: ['a', 'b'],
      });

      let queries = 0;
      const count = () => {
        queries += 1;
      };
      knex.on('query', count);
      const many = await health
        .getHealthOf([broken, unknown, healthy, broken])
        .finally(() => knex.removeListener('query', count));
      expect(queries).toBe(3);
      expect([...many.keys()]).toEqual([broken, unknown, healthy]);
      for (const ref of [unknown, healthy, broken]) {
        expect(many.get(ref)).toEqual(await health.getHealth(ref));
      }
      expect(many.get(broken)).toMatchObject({
        status: 'unhealthy',
        reasons: [
          'the latest deployment to lambda (version 1) failed: alias gone',
          'the latest training run failed: oom',
          'data drift: 2 of 4 columns drifted (share 0.50)',
        ],
      });
      expect(many.get(healthy)?.status).toBe('healthy');
      expect(many.get(unknown)?.status).toBe('unknown');
    });

    it('answers a query in request order, NotFound for what the catalog does not show, from one catalog request', async () => {
      const visible = model();
      const other = model();
      await addRun(visible, 'failed', 'exit code 2');
      const catalog = catalogServiceMock({
        entities: [
          mlModel(visible.split('/')[1]),
          mlModel(other.split('/')[1]),
          // an MLModel kind of someone else's apiVersion is not ours
          mlModel('foreign', 'example.com/v1'),
        ],
      });
      const byRefs = jest.spyOn(catalog, 'getEntitiesByRefs');
      const service = new HealthService({
        store,
        visibility: new ModelVisibility({
          catalog,
          permissions: mockServices.permissions(),
        }),
      });
      const credentials = mockCredentials.user('user:default/alice');
      const requested = [
        'mlmodel:default/missing',
        visible.toUpperCase(),
        other.split(':')[1],
        'mlmodel:default/foreign',
        visible,
      ];

      const items = await service.queryHealth(requested, credentials);

      expect(items).toEqual([
        { entityRef: requested[0], error: 'NotFound' },
        { entityRef: requested[1], health: await health.getHealth(visible) },
        { entityRef: requested[2], health: await health.getHealth(other) },
        { entityRef: requested[3], error: 'NotFound' },
        { entityRef: requested[4], health: await health.getHealth(visible) },
      ]);
      expect(items[1]).toMatchObject({
        health: { modelRef: visible, status: 'degraded' },
      });
      expect(byRefs).toHaveBeenCalledTimes(1);
      expect(byRefs).toHaveBeenCalledWith(
        {
          entityRefs: [
            'mlmodel:default/missing',
            visible,
            other,
            'mlmodel:default/foreign',
          ],
          fields: ['kind', 'apiVersion', 'metadata.namespace', 'metadata.name'],
        },
        { credentials },
      );
      expect(await service.queryHealth([], credentials)).toEqual([]);
      expect(byRefs).toHaveBeenCalledTimes(1);
    });

    it('answers the health of one model only if the caller can see it', async () => {
      const visible = model();
      const hidden = model();
      await addRun(visible, 'failed', 'exit code 3');
      await addRun(hidden, 'failed', 'exit code 4');
      const index = { has: (ref: string) => ref === visible || ref === hidden };
      const permissions = mockServices.permissions.mock({
        authorize: (async (requests: any[]) =>
          requests.map(r => ({
            result: r.resourceRef === hidden ? 'DENY' : 'ALLOW',
          }))) as any,
      });
      const service = new HealthService({
        store,
        visibility: new ModelVisibility({
          catalog: catalogServiceMock(),
          permissions,
          index,
        }),
      });
      const credentials = mockCredentials.user('user:default/bob');

      await expect(
        service.getVisibleHealth(visible, credentials),
      ).resolves.toEqual(await health.getHealth(visible));
      await expect(
        service.getVisibleHealth(hidden, credentials),
      ).rejects.toThrow(`No MLModel ${hidden}`);
      await expect(
        service.getVisibleHealth('mlmodel:default/missing', credentials),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });
  },
);
