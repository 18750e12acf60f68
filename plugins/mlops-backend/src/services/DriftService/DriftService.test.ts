import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  MLOPS_API_VERSION_V1ALPHA1,
  RELATION_MLOPS_TRAINED_ON,
} from '@synth/plugin-mlops-common';
import { computeDriftReport, DriftWorkerPool } from '@synth/plugin-mlops-drift';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { DatabaseMlopsStore } from '../../database/DatabaseMlopsStore';
import { ModelAccess } from '../ModelAccess';
import { Notifier } from '../Notifier';
import { readDriftConfig } from './config';
import { DefaultDriftService } from './DefaultDriftService';
import { DriftDataReader, locationToUrl } from './DriftDataReader';
import { LocalDriftExecutor } from './DriftExecutor';
import { DriftRunner } from './DriftRunner';
import { DriftScheduler } from './DriftScheduler';
import { LocalDataUrlReader } from './LocalDataUrlReader';
import { currentScheduleSlot } from './schedule';

jest.setTimeout(60_000);

const FIXTURES = path.join(__dirname, '__fixtures__');
const DATA = 'https://data.example.com/customers';
const REFERENCE_URL = `${DATA}/reference.csv`;
const CURRENT_URL = `${DATA}/current.csv`;
const OWNER = 'group:default/team-a';

const COLUMNS = [
  { name: 'customer_id', type: 'text' },
  { name: 'age', type: 'numerical' },
  { name: 'income', type: 'numerical' },
  { name: 'plan', type: 'categorical' },
  { name: 'active', type: 'boolean' },
  { name: 'signup_date', type: 'datetime' },
];

function dataset(
  name: string,
  location: string,
  columns: Array<{ name: string; type: string }> = COLUMNS,
  target?: string,
): Entity {
  return {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: 'Dataset',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'tabular',
      lifecycle: 'production',
      owner: 'team-a',
      location,
      format: 'csv',
      schema: { columns, ...(target ? { target } : {}) },
    },
  };
}

function model(
  name: string,
  datasetName: string,
  monitoring: JsonObject | null = {
    current: CURRENT_URL,
    format: 'csv',
    schedule: { frequency: 'P1D' },
    thresholds: {
      driftShare: 0.5,
      columns: { income: { method: 'wasserstein', threshold: 0.1 } },
    },
  },
): Entity {
  return {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: 'MLModel',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'classification',
      lifecycle: 'production',
      owner: 'team-a',
      trainedOn: [datasetName],
      ...(monitoring ? { monitoring } : {}),
    },
    relations: [
      { type: 'ownedBy', targetRef: OWNER },
      {
        type: RELATION_MLOPS_TRAINED_ON,
        targetRef: `dataset:default/${datasetName}`,
      },
    ],
  };
}

/** The files behind the URLs the mock UrlReader serves. */
const FILES: Record<string, string> = {
  [REFERENCE_URL]: path.join(FIXTURES, 'reference.csv'),
  [CURRENT_URL]: path.join(FIXTURES, 'current.csv'),
  [`${DATA}/bad-types.csv`]: 'inline:customer_id,age\nC1,old\nC2,young\n',
  [`${DATA}/malformed.csv`]: 'inline:age,income\n1,2,3\n"4,5\n',
  // Training data carries the label; production data does not.
  [`${DATA}/labelled.csv`]:
    'inline:age,plan,churned\n30,basic,true\n41,pro,false\n52,basic,true\n28,pro,false\n',
  [`${DATA}/unlabelled.csv`]:
    'inline:age,plan\n31,basic\n44,pro\n57,basic\n26,pro\n',
};

const urlReader = mockServices.urlReader.mock({
  readUrl: async (url: string) => {
    if (url.startsWith('https://forbidden.example.com/')) {
      // what Backstage's UrlReader answers for a URL no reader accepts
      throw new Error(
        `Reading from '${url}' is not allowed. You may need to configure an integration for the target host, or add it to the configured list of allowed hosts at 'backend.reading.allow'`,
      );
    }
    const file = FILES[url];
    if (!file) {
      throw new NotFoundError(`could not read ${url}, 404 Not Found`);
    }
    const content = file.startsWith('inline:')
      ? Buffer.from(file.slice('inline:'.length))
      : fs.readFileSync(file);
    return {
      buffer: async () => content,
      stream: () => Readable.from([content]),
    };
  },
});

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('drift reports', () => {
  const pools: DriftWorkerPool[] = [];
  let store: DatabaseMlopsStore;
  let entities: Entity[];
  const notifications = { send: jest.fn(async () => {}) };

  beforeAll(async () => {
    store = await DatabaseMlopsStore.create({
      database: mockServices.database({
        knex: await databases.init('SQLITE_3'),
      }),
    });
  });

  afterAll(async () => {
    await Promise.all(pools.map(p => p.close()));
  });

  beforeEach(() => {
    notifications.send.mockClear();
    entities = [
      dataset('customers', REFERENCE_URL),
      model('churn', 'customers'),
    ];
  });

  /** One backend instance's drift services on the shared store. */
  function instance(owner: string, overrides: { maxAttempts?: number } = {}) {
    const pool = new DriftWorkerPool({ size: 2 });
    pools.push(pool);
    const logger = mockServices.logger.mock();
    const catalog = catalogServiceMock({ entities });
    const runner = new DriftRunner({
      store,
      executor: new LocalDriftExecutor({
        reader: new DriftDataReader({ urlReader, localDataRoots: [] }),
        pool,
      }),
      notifier: new Notifier({ notifications: notifications as any, logger }),
      logger,
      leaseOwner: owner,
      leaseMs: 60_000,
      maxAttempts: overrides.maxAttempts ?? 3,
      maxConcurrent: 2,
    });
    const service = new DefaultDriftService({
      store,
      catalog,
      runner,
      histogramCategories: 50,
    });
    const scheduler = new DriftScheduler({
      store,
      catalog,
      auth: mockServices.auth(),
      runner,
      logger,
      config: readDriftConfig(undefined),
    });
    const access = new ModelAccess({
      catalog,
      permissions: mockServices.permissions(),
    });
    return { pool, runner, service, scheduler, access };
  }

  async function runReport(
    name = 'churn',
    options: { method?: any; currentLocation?: string } = {},
  ) {
    const { service, access } = instance('backend-a');
    const credentials = await mockServices.auth().getOwnServiceCredentials();
    const modelContext = await access.getModel(
      { namespace: 'default', name },
      credentials,
    );
    const { id } = await service.createReport({
      model: modelContext,
      options,
      credentials,
      triggeredBy: 'user:default/alice',
    });
    await service.idle();
    return (await service.getReport(id))!;
  }

  it('computes every column as the drift engine does on the same files', async () => {
    const report = await runReport();
    expect(report.status).toBe('succeeded');
    expect(report.error).toBeUndefined();

    const enginePool = new DriftWorkerPool({ size: 1 });
    pools.push(enginePool);
    const expected = await computeDriftReport({
      pool: enginePool,
      reference: { path: FILES[REFERENCE_URL] },
      current: { path: FILES[CURRENT_URL] },
      columnTypes: Object.fromEntries(
        COLUMNS.map(c => [c.name, c.type as any]),
      ),
      options: {
        driftShare: 0.5,
        perColumnMethod: { income: 'wasserstein' },
        perColumnThreshold: { income: 0.1 },
      },
    });

    expect(report.reference).toEqual({
      source: REFERENCE_URL,
      datasetRef: 'dataset:default/customers',
      format: 'csv',
      rows: 300,
    });
    expect(report.current).toEqual({
      source: CURRENT_URL,
      format: 'csv',
      rows: 200,
    });
    expect(report.dataset).toEqual({
      driftShare: expected.dataset.driftShare,
      drifted: expected.dataset.drifted,
      threshold: 0.5,
      columnCount: 4,
      driftedColumns: expected.columns
        .filter(c => c.drifted)
        .map(c => c.column),
    });
    expect(report.skippedColumns!.map(s => s.column)).toEqual([
      'customer_id',
      'signup_date',
    ]);
    expect(report.columns!.map(c => c.column)).toEqual([
      'age',
      'income',
      'plan',
      'active',
    ]);
    for (const want of expected.columns) {
      const got = report.columns!.find(c => c.column === want.column)!;
      expect(got.method).toBe(want.method);
      expect(got.statistic).toBe(want.statistic);
      expect(got.pValue).toBe(want.pValue);
      expect(got.threshold).toBe(want.threshold);
      expect(got.drifted).toBe(want.drifted);
      expect(got.referenceCount).toBe(want.referenceCount);
      expect(got.currentCount).toBe(want.currentCount);
      // histograms for the health tab: counts add up to the compared rows
      const h = got.histogram;
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const other =
        h.kind === 'categorical'
          ? h.other ?? { reference: 0, current: 0 }
          : { reference: 0, current: 0 };
      expect(sum(h.reference) + other.reference).toBe(want.referenceCount);
      expect(sum(h.current) + other.current).toBe(want.currentCount);
      // `other` (categories beyond the top N) is checked by the sums above
      const { other: _other, ...shape } = h as typeof h & { other?: unknown };
      expect(shape).toEqual(
        want.histogram.kind === 'numeric'
          ? {
              kind: 'numerical',
              edges: want.histogram.edges,
              reference: want.histogram.reference,
              current: want.histogram.current,
            }
          : {
              kind: 'categorical',
              categories: want.histogram.categories.map(String),
              reference: want.histogram.reference,
              current: want.histogram.current,
            },
      );
    }
    // the methods Evidently picks for ≤ 1000 reference rows, and the override
    const methods = Object.fromEntries(
      report.columns!.map(c => [c.column, c.method]),
    );
    expect(methods).toEqual({
      age: 'ks',
      income: 'wasserstein',
      plan: 'chisquare',
      active: 'z',
    });
    // the fixtures shift income by two thirds of a standard deviation
    const income = report.columns!.find(c => c.column === 'income')!;
    expect(income.drifted).toBe(true);
    expect(income.pValue).toBeNull();
    expect(income.statistic).toBeGreaterThan(0.5);
    const bins = (income.histogram as { edges: number[] }).edges.length - 1;
    expect(bins).toBe(Math.ceil(Math.log2(500)) + 1);
  });

  it("leaves out the reference Dataset's label column, which production data lacks", async () => {
    entities = [
      dataset(
        'labelled',
        `${DATA}/labelled.csv`,
        [
          { name: 'age', type: 'numerical' },
          { name: 'plan', type: 'categorical' },
          { name: 'churned', type: 'boolean' },
        ],
        'churned',
      ),
      model('churn', 'labelled', {
        current: `${DATA}/unlabelled.csv`,
        format: 'csv',
      }),
    ];
    const report = await runReport();
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('succeeded');
    expect(report.columns!.map(c => c.column).sort()).toEqual(['age', 'plan']);
  });

  it('applies the requested method to the columns without their own', async () => {
    const report = await runReport('churn', { method: 'psi' });
    expect(report.method).toBe('psi');
    expect(
      Object.fromEntries(report.columns!.map(c => [c.column, c.method])),
    ).toEqual({
      age: 'psi',
      income: 'wasserstein',
      plan: 'psi',
      active: 'psi',
    });
  });

  describe('bad input fails the report with a reason naming the column or source', () => {
    it.each([
      [
        'a column of the schema missing from the data',
        () =>
          (entities[0] = dataset('customers', REFERENCE_URL, [
            ...COLUMNS,
            { name: 'tenure', type: 'numerical' },
          ])),
        {},
        [`Column 'tenure' is missing`, REFERENCE_URL],
      ],
      [
        'an unreadable current source',
        () => {},
        { currentLocation: `${DATA}/gone.csv` },
        [`Cannot read the current data (${DATA}/gone.csv)`, '404'],
      ],
      [
        'a URL outside backend.reading.allow',
        () => {},
        { currentLocation: 'https://forbidden.example.com/x.csv' },
        ['https://forbidden.example.com/x.csv', 'not allowed'],
      ],
      [
        'a malformed file',
        () => {},
        { currentLocation: `${DATA}/malformed.csv` },
        [`the current data (${DATA}/malformed.csv)`],
      ],
      [
        'a type mismatch',
        () =>
          (entities[0] = dataset('customers', REFERENCE_URL, [
            { name: 'age', type: 'numerical' },
          ])),
        { currentLocation: `${DATA}/bad-types.csv` },
        [`'age'`, `${DATA}/bad-types.csv`],
      ],
    ])('%s', async (_what, arrange, options, reasons) => {
      arrange();
      const report = await runReport('churn', options);
      expect(report.status).toBe('failed');
      for (const reason of reasons) {
        expect(report.error).toContain(reason);
      }
      expect(report.columns).toBeUndefined();
      expect(report.finishedAt).toBeDefined();
    });

    it('refuses a model without monitoring or reference dataset up front', async () => {
      entities.push(model('unmonitored', 'customers', null));
      entities.push(model('orphan', 'no-such-dataset'));
      const before = (
        await store.listDriftReports('mlmodel:default/unmonitored', {
          limit: 10,
        })
      ).items.length;
      await expect(runReport('unmonitored')).rejects.toThrow(
        'mlmodel:default/unmonitored has no spec.monitoring.current',
      );
      await expect(runReport('orphan')).rejects.toThrow(
        'The reference Dataset dataset:default/no-such-dataset of mlmodel:default/orphan is not in the catalog',
      );
      expect(
        (
          await store.listDriftReports('mlmodel:default/unmonitored', {
            limit: 10,
          })
        ).items,
      ).toHaveLength(before);
    });
  });

  it('notifies the owners when the verdict turns to drifted, not while it stays', async () => {
    entities.push(dataset('fresh', REFERENCE_URL), model('notified', 'fresh'));
    const drifted = await runReport('notified');
    expect(drifted.dataset!.drifted).toBe(true);
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: OWNER },
      payload: expect.objectContaining({
        title: 'Data drift detected for notified',
        severity: 'high',
        topic: 'mlops-drift',
        scope: `mlops:drift:${drifted.id}`,
      }),
    });
    expect(
      (notifications.send.mock.calls[0] as any)[0].payload.description,
    ).toContain(drifted.dataset!.driftedColumns.join(', '));

    await runReport('notified');
    expect(notifications.send).toHaveBeenCalledTimes(1);

    // the reference against itself: no drift, no notification
    const calm = await runReport('notified', {
      currentLocation: REFERENCE_URL,
    });
    expect(calm.dataset!.drifted).toBe(false);
    expect(notifications.send).toHaveBeenCalledTimes(1);

    const again = await runReport('notified');
    expect(notifications.send).toHaveBeenCalledTimes(2);
    expect(notifications.send).toHaveBeenLastCalledWith(
      expect.objectContaining({
        payload: expect.objectContaining({ scope: `mlops:drift:${again.id}` }),
      }),
    );
  });

  it('lets one of two runners compute a report', async () => {
    const a = instance('backend-a');
    const b = instance('backend-b');
    const { record } = await store.createDriftReport({
      modelRef: 'mlmodel:default/churn',
      triggeredBy: 'schedule',
      spec: {
        reference: { url: REFERENCE_URL, format: 'csv' },
        current: { url: CURRENT_URL, format: 'csv' },
        columnTypes: { age: 'numerical', plan: 'categorical' },
        options: {},
      },
    });
    const outcomes = await Promise.all([
      a.runner.process(record.id),
      b.runner.process(record.id),
    ]);
    expect(outcomes.sort()).toEqual(['computed', 'skipped']);
    // two columns, computed once in total
    expect(a.pool.stats().tasksCompleted + b.pool.stats().tasksCompleted).toBe(
      2,
    );
    expect(await store.getDriftReport(record.id)).toMatchObject({
      status: 'succeeded',
      attempts: 1,
    });
  });

  it('gives up on a report whose computation was interrupted too often', async () => {
    const { runner } = instance('backend-a', { maxAttempts: 1 });
    const { record } = await store.createDriftReport({
      modelRef: 'mlmodel:default/churn',
      triggeredBy: 'schedule',
      spec: {
        reference: { url: REFERENCE_URL, format: 'csv' },
        current: { url: CURRENT_URL, format: 'csv' },
        options: {},
      },
    });
    // a backend claimed it and died
    await store.claimDriftReport(record.id, 'crashed', -1);
    expect(await runner.process(record.id)).toBe('failed');
    expect((await store.getDriftReport(record.id))!.error).toContain(
      'interrupted 1 times',
    );
  });

  describe('scheduler', () => {
    it('creates one report per model and slot on two instances, computes each once and goes on past a bad model', async () => {
      entities = [
        dataset('customers', REFERENCE_URL),
        model('scheduled-a', 'customers'),
        model('scheduled-b', 'customers', {
          current: CURRENT_URL,
          format: 'csv',
          schedule: { frequency: '0 */6 * * *' },
        }),
        model('scheduled-broken', 'missing-dataset'),
        model('unscheduled', 'customers', null),
      ];
      const a = instance('backend-a');
      const b = instance('backend-b');
      const now = new Date('2030-01-01T10:00:00.000Z');
      const [ra, rb] = await Promise.all([
        a.scheduler.runOnce(undefined, now),
        b.scheduler.runOnce(undefined, now),
      ]);
      expect(ra.created + rb.created).toBe(3);

      const reports = async (name: string) =>
        (await store.listDriftReports(`mlmodel:default/${name}`, { limit: 10 }))
          .items;
      const [reportA] = await reports('scheduled-a');
      const [reportB] = await reports('scheduled-b');
      const [broken] = await reports('scheduled-broken');
      expect(await reports('unscheduled')).toEqual([]);
      expect(reportA).toMatchObject({
        status: 'succeeded',
        triggeredBy: 'schedule',
        scheduleSlot: '2030-01-01T00:00:00.000Z',
        attempts: 1,
      });
      expect(reportB).toMatchObject({
        status: 'succeeded',
        scheduleSlot: '2030-01-01T06:00:00.000Z',
        attempts: 1,
      });
      expect(broken).toMatchObject({
        status: 'failed',
        error:
          'The reference Dataset dataset:default/missing-dataset of mlmodel:default/scheduled-broken is not in the catalog',
      });
      // 4 tested columns per report, each report computed once
      expect(
        a.pool.stats().tasksCompleted + b.pool.stats().tasksCompleted,
      ).toBe(8);

      // same slot: nothing new; the next slot of the 6-hourly model: one more
      expect((await a.scheduler.runOnce(undefined, now)).created).toBe(0);
      expect(
        (
          await a.scheduler.runOnce(
            undefined,
            new Date('2030-01-01T12:30:00.000Z'),
          )
        ).created,
      ).toBe(1);
      expect(await reports('scheduled-b')).toHaveLength(2);
    });
  });
});

describe('currentScheduleSlot', () => {
  const now = new Date('2026-11-27T17:45:12.000Z');
  it.each([
    ['PT6H', '2026-11-27T12:00:00.000Z'],
    ['P1D', '2026-11-27T00:00:00.000Z'],
    ['PT15M', '2026-11-27T17:45:00.000Z'],
    ['0 */6 * * *', '2026-11-27T12:00:00.000Z'],
    ['0 6 * * *', '2026-11-27T06:00:00.000Z'],
    ['30 17 * * *', '2026-11-27T17:30:00.000Z'],
    ['0 0 1 * *', '2026-11-01T00:00:00.000Z'],
  ])('%s → %s', (frequency, slot) => {
    expect(currentScheduleSlot(frequency, now).toISOString()).toBe(slot);
  });

  it.each(['PT10S', 'every day', 'P'])('rejects %s', frequency => {
    expect(() => currentScheduleSlot(frequency, now)).toThrow(`'${frequency}'`);
  });
});

describe('local data', () => {
  let root: string;
  let outside: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-drift-root-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-drift-out-'));
    fs.writeFileSync(path.join(root, 'ok.csv'), 'a\n1\n');
    fs.writeFileSync(path.join(outside, 'secret.csv'), 'a\n2\n');
    fs.symlinkSync(
      path.join(outside, 'secret.csv'),
      path.join(root, 'link.csv'),
    );
  });

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('reads files inside the roots only, links resolved', async () => {
    const reader = new LocalDataUrlReader([root]);
    const url = (p: string) => pathToFileURL(p).toString();
    expect(
      (
        await (await reader.readUrl(url(path.join(root, 'ok.csv')))).buffer()
      ).toString(),
    ).toBe('a\n1\n');
    await expect(
      reader.readUrl(url(path.join(outside, 'secret.csv'))),
    ).rejects.toThrow('not a file inside mlops.drift.localDataRoots');
    await expect(
      reader.readUrl(url(path.join(root, 'link.csv'))),
    ).rejects.toThrow('is not allowed');
    await expect(
      reader.readUrl(url(path.join(root, '../x.csv'))),
    ).rejects.toThrow('not allowed');
    await expect(reader.readUrl('https://example.com/ok.csv')).rejects.toThrow(
      'not allowed',
    );
  });

  it('sends absolute paths inside a root to the local reader and everything else to the UrlReader', async () => {
    const fallback = mockServices.urlReader.mock({
      readUrl: async (u: string) => {
        throw new Error(`Reading from '${u}' is not allowed`);
      },
    });
    const reader = new DriftDataReader({
      urlReader: fallback,
      localDataRoots: [root],
    });
    const ok = await reader.open(
      { url: locationToUrl(path.join(root, 'ok.csv'), 'x'), format: 'csv' },
      'reference',
    );
    expect(ok.name).toContain('ok.csv');
    const chunks: Buffer[] = [];
    for await (const chunk of (ok as { data: Readable }).data) {
      chunks.push(chunk);
    }
    expect(Buffer.concat(chunks).toString()).toBe('a\n1\n');
    await expect(
      reader.open(
        {
          url: locationToUrl(path.join(outside, 'secret.csv'), 'x'),
          format: 'csv',
        },
        'current',
      ),
    ).rejects.toThrow(
      /Cannot read the current data \(file:.*secret\.csv\): Reading from .* is not allowed/,
    );
    expect(() => locationToUrl('./data/x.csv', 'spec.location')).toThrow(
      "spec.location './data/x.csv' is a relative path",
    );
  });
});
