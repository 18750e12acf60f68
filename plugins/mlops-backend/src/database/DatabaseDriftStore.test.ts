import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DriftColumnResult } from '@synth/plugin-mlops-common';
import { Knex } from 'knex';
import path from 'node:path';
import { DatabaseMlopsStore } from './DatabaseMlopsStore';
import { DriftResultSummary, DriftSpec } from './DriftStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: [
    (process.env.SYNTH_TEST_POSTGRES_ID ?? 'POSTGRES_15') as 'POSTGRES_15',
    'SQLITE_3',
  ],
});

const MODEL = 'mlmodel:default/churn-classifier';
const OTHER = 'mlmodel:default/other';
const REPORTS_TABLE = 'drift_reports';

const SPEC: DriftSpec = {
  reference: {
    url: 'https://data.example.com/ref.csv',
    format: 'csv',
    datasetRef: 'dataset:default/ref',
  },
  current: { url: 'https://data.example.com/cur.csv', format: 'csv' },
  columnTypes: { age: 'numerical', plan: 'categorical' },
  options: { driftShare: 0.5 },
  ownerRef: 'group:default/team-a',
};

function summary(drifted: boolean): DriftResultSummary {
  return {
    driftShare: drifted ? 0.5 : 0,
    drifted,
    threshold: 0.5,
    columnCount: 2,
    driftedColumns: drifted ? ['age'] : [],
    skippedColumns: [{ column: 'id', reason: 'text' }],
    referenceRows: 300,
    currentRows: 200,
  };
}

const COLUMNS: DriftColumnResult[] = [
  {
    column: 'age',
    type: 'numerical',
    method: 'ks',
    statistic: 0.123456789012345,
    pValue: 1.2345678901234e-7,
    threshold: 0.05,
    comparison: '<=',
    drifted: true,
    referenceCount: 300,
    currentCount: 199,
    histogram: {
      kind: 'numerical',
      edges: [0, 0.5, 1],
      reference: [100, 200],
      current: [150, 49],
    },
  },
  {
    column: 'plan',
    type: 'categorical',
    method: 'chisquare',
    statistic: null,
    pValue: 0,
    threshold: 0.05,
    comparison: '<',
    drifted: false,
    referenceCount: 300,
    currentCount: 200,
    histogram: {
      kind: 'categorical',
      categories: ['basic', 'pro'],
      reference: [200, 100],
      current: [100, 90],
      other: { reference: 0, current: 10 },
    },
  },
];

describe.each(databases.eachSupportedId())(
  'DatabaseDriftStore on %p',
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
      await knex('drift_report_columns').delete();
      await knex('drift_reports').delete();
    });

    async function succeeded(modelRef: string, drifted: boolean) {
      const { record } = await store.createDriftReport({
        modelRef,
        triggeredBy: 'schedule',
        spec: SPEC,
      });
      expect(await store.claimDriftReport(record.id, 'me', 60_000)).toBe(true);
      const completion = await store.completeDriftReport(
        record.id,
        'me',
        summary(drifted),
        COLUMNS,
      );
      expect(completion.completed).toBe(true);
      return { id: record.id, ...completion };
    }

    it('creates pending reports and lists them newest first, page by page', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { record, created } = await store.createDriftReport({
          modelRef: MODEL,
          triggeredBy: 'user:default/alice',
          spec: SPEC,
        });
        expect(created).toBe(true);
        expect(record).toMatchObject({
          modelRef: MODEL,
          status: 'pending',
          triggeredBy: 'user:default/alice',
          spec: SPEC,
          attempts: 0,
        });
        ids.push(record.id);
      }
      await store.createDriftReport({
        modelRef: OTHER,
        triggeredBy: 'schedule',
        spec: SPEC,
      });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listDriftReports(MODEL, { limit: 2, cursor });
        seen.push(...page.items.map(r => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      // Rows created in one millisecond tie on created_at and are ordered by id.
      const rows = await knex('drift_reports')
        .where({ model_ref: MODEL })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .select('id');
      expect(seen).toEqual(rows.map(r => r.id));
      expect(new Set(seen)).toEqual(new Set(ids));
    });

    it('creates one report per model and schedule slot, also when raced', async () => {
      const slot = '2026-11-27T00:00:00.000Z';
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.createDriftReport({
            modelRef: MODEL,
            triggeredBy: 'schedule',
            spec: SPEC,
            scheduleSlot: slot,
          }),
        ),
      );
      expect(results.filter(r => r.created)).toHaveLength(1);
      expect(new Set(results.map(r => r.record.id)).size).toBe(1);
      await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
        scheduleSlot: '2026-11-28T00:00:00.000Z',
      });
      await store.createDriftReport({
        modelRef: OTHER,
        triggeredBy: 'schedule',
        spec: SPEC,
        scheduleSlot: slot,
      });
      expect(
        await store.getLatestScheduleSlots([MODEL, OTHER, 'mlmodel:x/none']),
      ).toEqual(
        new Map([
          [MODEL, '2026-11-28T00:00:00.000Z'],
          [OTHER, slot],
        ]),
      );
    });

    it('lets exactly one of many concurrent claimers have a report', async () => {
      const { record } = await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
      });
      const owners = Array.from({ length: 20 }, (_, i) => `backend-${i}`);
      const claims = await Promise.all(
        owners.map(owner => store.claimDriftReport(record.id, owner, 60_000)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = owners[claims.indexOf(true)];
      const row = await store.getDriftReport(record.id);
      expect(row).toMatchObject({
        status: 'running',
        leaseOwner: winner,
        attempts: 1,
      });
      expect(
        await store.listClaimableDriftReports({ now: new Date(), limit: 10 }),
      ).toEqual([]);
      // only the lease holder writes
      const loser = owners.find(o => o !== winner)!;
      expect(
        await store.completeDriftReport(record.id, loser, summary(true), []),
      ).toEqual({ completed: false, turnedDrifted: false });
      expect(await store.failDriftReport(record.id, loser, 'x')).toBe(false);
      expect(await store.renewDriftReportLease(record.id, loser, 1000)).toBe(
        false,
      );
      expect(await store.renewDriftReportLease(record.id, winner, 1000)).toBe(
        true,
      );
    });

    it('hands a report with an expired lease to another instance and fences the first', async () => {
      const { record } = await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
      });
      expect(await store.claimDriftReport(record.id, 'crashed', -1000)).toBe(
        true,
      );
      expect(
        await store.listClaimableDriftReports({ now: new Date(), limit: 10 }),
      ).toEqual([record.id]);
      expect(await store.claimDriftReport(record.id, 'rescuer', 60_000)).toBe(
        true,
      );
      expect((await store.getDriftReport(record.id))!.attempts).toBe(2);
      expect(
        (
          await store.completeDriftReport(
            record.id,
            'crashed',
            summary(false),
            COLUMNS,
          )
        ).completed,
      ).toBe(false);
      expect(
        (
          await store.completeDriftReport(
            record.id,
            'rescuer',
            summary(false),
            COLUMNS,
          )
        ).completed,
      ).toBe(true);
    });

    it('stores the result and every column number exactly', async () => {
      const { id } = await succeeded(MODEL, true);
      const report = await store.getDriftReport(id);
      expect(report).toMatchObject({
        status: 'succeeded',
        result: summary(true),
        attempts: 1,
      });
      expect(report!.leaseOwner).toBeUndefined();
      expect(report!.finishedAt).toBeInstanceOf(Date);
      expect(await store.getDriftReportColumns(id)).toEqual(COLUMNS);
    });

    it('records a failure with its reason', async () => {
      const { record } = await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
      });
      await store.claimDriftReport(record.id, 'me', 60_000);
      expect(
        await store.failDriftReport(
          record.id,
          'me',
          "Column 'age' is missing from the current data",
        ),
      ).toBe(true);
      expect(await store.getDriftReport(record.id)).toMatchObject({
        status: 'failed',
        error: "Column 'age' is missing from the current data",
      });
      // final: neither claimed nor failed again
      expect(await store.claimDriftReport(record.id, 'me', 60_000)).toBe(false);
      expect(await store.failDriftReport(record.id, undefined, 'again')).toBe(
        false,
      );
      const created = await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
        error: 'The reference Dataset dataset:default/x is not in the catalog',
      });
      expect(created.record).toMatchObject({
        status: 'failed',
        error: 'The reference Dataset dataset:default/x is not in the catalog',
      });
      expect(created.record.finishedAt).toBeInstanceOf(Date);
    });

    it('marks a notification when the verdict turns to drifted, once', async () => {
      const first = await succeeded(MODEL, true);
      expect(first.turnedDrifted).toBe(true);
      expect((await succeeded(MODEL, true)).turnedDrifted).toBe(false);
      expect((await succeeded(MODEL, false)).turnedDrifted).toBe(false);
      const again = await succeeded(MODEL, true);
      expect(again.turnedDrifted).toBe(true);
      expect((await succeeded(OTHER, false)).turnedDrifted).toBe(false);

      expect(new Set(await store.listPendingDriftNotifications(10))).toEqual(
        new Set([first.id, again.id]),
      );
      const claims = await Promise.all([
        store.claimDriftNotification(first.id),
        store.claimDriftNotification(first.id),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.listPendingDriftNotifications(10)).toEqual([again.id]);
    });

    it('summarises the latest succeeded report for the health endpoint', async () => {
      expect(await store.getLatestDriftReport(MODEL)).toBeUndefined();
      const { id } = await succeeded(MODEL, true);
      // a newer pending and a newer failed report do not replace it
      await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
      });
      await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
        error: 'unreadable',
      });
      const latest = await store.getLatestDriftReport(MODEL);
      expect(latest).toEqual({
        reportId: id,
        computedAt: (await store.getDriftReport(id))!.finishedAt!.toISOString(),
        datasetDrift: true,
        driftShare: 0.5,
        columnCount: 2,
        driftedColumns: ['age'],
      });
    });

    it('summarises the latest succeeded report of many models in one query', async () => {
      await succeeded(MODEL, true);
      const latest = await succeeded(MODEL, false);
      await knex(REPORTS_TABLE)
        .where({ id: latest.id })
        .update({ finished_at: new Date(Date.now() + 60_000).toISOString() });
      // a newer failed report does not replace it
      await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
        error: 'unreadable',
      });
      const other = await succeeded(OTHER, true);
      // only a pending report: no summary
      await store.createDriftReport({
        modelRef: 'mlmodel:default/pending-only',
        triggeredBy: 'schedule',
        spec: SPEC,
      });

      let queries = 0;
      const count = () => {
        queries += 1;
      };
      knex.on('query', count);
      const summaries = await store
        .getLatestDriftReports([
          'mlmodel:default/pending-only',
          OTHER,
          MODEL,
          'mlmodel:default/none',
        ])
        .finally(() => knex.removeListener('query', count));
      expect(queries).toBe(1);
      expect([...summaries.keys()].sort()).toEqual([MODEL, OTHER]);
      expect(summaries.get(MODEL)).toEqual(
        await store.getLatestDriftReport(MODEL),
      );
      expect(summaries.get(MODEL)).toMatchObject({
        reportId: latest.id,
        datasetDrift: false,
      });
      expect(summaries.get(OTHER)).toMatchObject({
        reportId: other.id,
        datasetDrift: true,
        driftedColumns: ['age'],
      });
    });

    it('prunes by age and count, keeping unfinished reports and the latest succeeded one', async () => {
      const old = new Date('2020-01-01T00:00:00.000Z').toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await succeeded(MODEL, i % 2 === 0)).id);
      }
      const failed = await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
        error: 'unreadable',
      });
      const pending = await store.createDriftReport({
        modelRef: MODEL,
        triggeredBy: 'schedule',
        spec: SPEC,
      });
      // the only report of another model is old but is its latest succeeded one
      const otherOnly = (await succeeded(OTHER, false)).id;
      await knex('drift_reports')
        .where({ id: otherOnly })
        .update({ created_at: old, finished_at: old });
      // the two oldest of MODEL are beyond the retention period
      await knex('drift_reports')
        .whereIn('id', ids.slice(0, 2))
        .update({ created_at: old, finished_at: old });

      const deleted = await store.pruneDriftReports({
        finishedBefore: new Date('2025-01-01T00:00:00.000Z'),
        keepPerModel: 3,
      });
      const left = (await knex('drift_reports').select('id')).map(r => r.id);
      // kept: the 3 newest finished of MODEL (failed + ids[4] + ids[3]), the pending one, OTHER's only one
      expect(new Set(left)).toEqual(
        new Set([
          failed.record.id,
          ids[4],
          ids[3],
          pending.record.id,
          otherOnly,
        ]),
      );
      expect(deleted).toBe(3);
      const columnRows = await knex('drift_report_columns')
        .distinct('report_id')
        .pluck('report_id');
      expect(new Set(columnRows)).toEqual(new Set([ids[4], ids[3], otherOnly]));
    });

    it('carries summary-only reports of the init schema over when migrating', async () => {
      const directory = path.resolve(__dirname, '../../migrations');
      await knex.migrate.down({ directory });
      expect(await knex.schema.hasTable('drift_report_columns')).toBe(false);
      await knex('drift_reports').insert({
        model_ref: MODEL,
        computed_at: '2026-11-01T00:00:00.000Z',
        dataset_drift: true,
        drift_share: 0.75,
        column_count: 4,
        drifted_columns: JSON.stringify(['a', 'b', 'c']),
      });
      await knex.migrate.latest({ directory });
      expect(await store.getLatestDriftReport(MODEL)).toEqual({
        reportId: expect.any(String),
        computedAt: '2026-11-01T00:00:00.000Z',
        datasetDrift: true,
        driftShare: 0.75,
        columnCount: 4,
        driftedColumns: ['a', 'b', 'c'],
      });
      // and back: the succeeded summary survives a rollback
      await knex.migrate.down({ directory });
      const [row] = await knex('drift_reports').select();
      expect(row).toMatchObject({ model_ref: MODEL, column_count: 4 });
      await knex('drift_reports').delete();
      await knex.migrate.latest({ directory });
    });
  },
);
