import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  MLModelEntityV1alpha1,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';
import { DriftReport as EngineReport } from '@synth/plugin-mlops-drift';
import { DatabaseMlopsStore } from '../../database/DatabaseMlopsStore';
import { DriftSpec } from '../../database/DriftStore';
import { Notifier } from '../Notifier';
import { readDriftConfig } from './config';
import {
  DriftExecutor,
  DriftExecutorName,
  requestedExecutor,
} from './DriftExecutor';
import { DriftRunner } from './DriftRunner';
import { resolveDriftSpec } from './resolveDriftSpec';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** An executor that records the reports it computed and returns a fixed one-column report. */
function recordingExecutor(name: DriftExecutorName) {
  const computed: string[] = [];
  const executor: DriftExecutor = {
    name,
    async compute({ reportId }) {
      computed.push(reportId);
      const report: EngineReport = {
        dataset: {
          driftShare: 0,
          drifted: false,
          driftShareThreshold: 0.5,
          numberOfColumns: 1,
          numberOfDriftedColumns: 0,
        },
        columns: [
          {
            column: 'x',
            type: 'numerical',
            featureType: 'numerical',
            method: 'ks',
            methodSource: 'default',
            statistic: 0.1,
            pValue: 0.9,
            threshold: 0.05,
            comparison: '<=',
            drifted: false,
            referenceCount: 10,
            currentCount: 10,
            referenceDropped: 0,
            currentDropped: 0,
            details: { ksPValueMethod: 'exact' },
            histogram: {
              kind: 'numeric',
              edges: [0, 1],
              reference: [10],
              current: [10],
            },
          },
        ],
        skipped: [],
        reference: { name: 'r', rows: 10 },
        current: { name: 'c', rows: 10 },
      };
      return report;
    },
  };
  return { executor, computed };
}

const baseSpec: DriftSpec = {
  reference: { url: 'https://data.example.com/r.csv', format: 'csv' },
  current: { url: 'https://data.example.com/c.csv', format: 'csv' },
  options: {},
};

describe('drift executor selection', () => {
  let store: DatabaseMlopsStore;

  beforeAll(async () => {
    store = await DatabaseMlopsStore.create({
      database: mockServices.database({
        knex: await databases.init('SQLITE_3'),
      }),
    });
  });

  function runner(
    executors: Partial<Record<DriftExecutorName, DriftExecutor>>,
    fallback: DriftExecutor,
  ) {
    const logger = mockServices.logger.mock();
    return new DriftRunner({
      store,
      executor: fallback,
      executors,
      notifier: new Notifier({ logger }),
      logger,
      leaseOwner: 'test',
      leaseMs: 60_000,
      maxAttempts: 3,
      maxConcurrent: 1,
    });
  }

  async function create(executor?: string) {
    const { record } = await store.createDriftReport({
      modelRef: 'mlmodel:default/churn',
      triggeredBy: 'user:default/alice',
      spec: { ...baseSpec, ...(executor ? { executor } : {}) } as DriftSpec,
    });
    return record.id;
  }

  it('runs a report on the executor its model chose, else on the configured one', async () => {
    const local = recordingExecutor('local');
    const ray = recordingExecutor('ray');
    const drift = runner(
      { local: local.executor, ray: ray.executor },
      local.executor,
    );
    const onRay = await create('ray');
    const onLocal = await create('local');
    const onDefault = await create();
    for (const id of [onRay, onLocal, onDefault]) {
      await expect(drift.process(id)).resolves.toBe('computed');
    }
    expect(ray.computed).toEqual([onRay]);
    expect(local.computed).toEqual([onLocal, onDefault]);
    const stored = await store.getDriftReportColumns(onRay);
    expect(stored.map(c => [c.column, c.method, c.pValue])).toEqual([
      ['x', 'ks', 0.9],
    ]);
  });

  it('fails the report of a model asking for Ray when the backend has no Ray cluster', async () => {
    const local = recordingExecutor('local');
    const drift = runner({ local: local.executor }, local.executor);
    const id = await create('ray');
    await expect(drift.process(id)).resolves.toBe('failed');
    expect(local.computed).toEqual([]);
    expect((await store.getDriftReport(id))?.error).toBe(
      'The model asks for the ray drift executor (spec.monitoring.executor), which this backend does not have: configure mlops.executors.ray',
    );
  });

  it('ignores an unknown executor in a stored spec', () => {
    expect(
      requestedExecutor({ ...baseSpec, executor: 'spark' } as any),
    ).toBeUndefined();
    expect(requestedExecutor({ ...baseSpec, executor: 'ray' } as any)).toBe(
      'ray',
    );
  });

  it('takes the executor from spec.monitoring.executor of the MLModel', async () => {
    const dataset: Entity = {
      apiVersion: MLOPS_API_VERSION_V1ALPHA1,
      kind: 'Dataset',
      metadata: { name: 'customers', namespace: 'default' },
      spec: {
        type: 'tabular',
        lifecycle: 'production',
        owner: 'team-a',
        location: 'https://data.example.com/r.csv',
        format: 'csv',
      },
    };
    const model = (executor?: 'local' | 'ray'): MLModelEntityV1alpha1 => ({
      apiVersion: MLOPS_API_VERSION_V1ALPHA1,
      kind: 'MLModel',
      metadata: { name: 'churn', namespace: 'default' },
      spec: {
        type: 'classification',
        lifecycle: 'production',
        owner: 'team-a',
        monitoring: {
          current: 'https://data.example.com/c.csv',
          format: 'csv',
          reference: 'customers',
          schedule: { frequency: 'P1D' },
          ...(executor ? { executor } : {}),
        },
      },
    });
    const credentials = await mockServices.auth().getOwnServiceCredentials();
    const resolve = (entity: MLModelEntityV1alpha1) =>
      resolveDriftSpec({
        model: entity,
        modelRef: 'mlmodel:default/churn',
        request: {},
        catalog: catalogServiceMock({ entities: [dataset] }),
        credentials,
        histogramCategories: 50,
      });
    expect((await resolve(model('ray'))).executor).toBe('ray');
    expect((await resolve(model('local'))).executor).toBe('local');
    expect(await resolve(model())).not.toHaveProperty('executor');
  });

  it('reads mlops.drift.executor and mlops.drift.ray', () => {
    expect(readDriftConfig(undefined)).toMatchObject({
      executor: 'local',
      ray: { python: 'python', pollIntervalMs: 1000, timeoutMs: 1_800_000 },
    });
    expect(
      readDriftConfig(
        new ConfigReader({
          mlops: {
            drift: {
              executor: 'ray',
              ray: {
                python: '/opt/venv/bin/python',
                pollInterval: '2s',
                timeout: { minutes: 5 },
              },
            },
          },
        }),
      ),
    ).toMatchObject({
      executor: 'ray',
      ray: {
        python: '/opt/venv/bin/python',
        pollIntervalMs: 2000,
        timeoutMs: 300_000,
      },
    });
    expect(() =>
      readDriftConfig(
        new ConfigReader({ mlops: { drift: { executor: 'spark' } } }),
      ),
    ).toThrow("mlops.drift.executor must be 'local' or 'ray', got 'spark'");
  });
});
