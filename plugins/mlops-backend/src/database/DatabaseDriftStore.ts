import {
  DriftColumnResult,
  ModelDriftSummary,
  TERMINAL_DRIFT_REPORT_STATUSES,
} from '@synth/plugin-mlops-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  DriftCompletion,
  DriftReportRecord,
  DriftResultSummary,
  DriftStore,
  NewDriftReport,
  NewDriftReportRequest,
} from './DriftStore';
import { listPage, fromJson, iso, opt, toDate, toJson } from './util';

const REPORTS = 'drift_reports';
const COLUMNS = 'drift_report_columns';
/** Rows per statement when deleting by id (SQLite's variable limit). */
const CHUNK = 400;

function num(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function toReport(row: any): DriftReportRecord {
  const result: DriftResultSummary | undefined =
    row.status === 'succeeded' && row.drift_share !== null
      ? {
          driftShare: Number(row.drift_share),
          drifted: Boolean(row.dataset_drift),
          threshold: Number(row.drift_share_threshold),
          columnCount: Number(row.column_count),
          driftedColumns: fromJson<string[]>(row.drifted_columns) ?? [],
          skippedColumns: fromJson(row.skipped_columns) ?? [],
          referenceRows: num(row.reference_rows) ?? 0,
          currentRows: num(row.current_rows) ?? 0,
        }
      : undefined;
  return {
    id: row.id,
    modelRef: row.model_ref,
    status: row.status,
    error: opt(row.error),
    triggeredBy: row.triggered_by,
    scheduleSlot: opt(row.schedule_slot),
    spec: fromJson(row.spec)!,
    result,
    notification: opt(row.notification),
    attempts: Number(row.attempts),
    leaseOwner: opt(row.lease_owner),
    leaseExpiresAt: toDate(row.lease_expires_at),
    createdAt: toDate(row.created_at)!,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
  };
}

function finite(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

function toColumn(row: any): DriftColumnResult {
  return {
    column: row.column_name,
    type: row.type,
    method: row.method,
    statistic: num(row.statistic) ?? null,
    pValue: num(row.p_value) ?? null,
    threshold: Number(row.threshold),
    comparison: row.comparison,
    drifted: Boolean(row.drifted),
    referenceCount: Number(row.reference_count),
    currentCount: Number(row.current_count),
    histogram: fromJson(row.histogram)!,
  };
}

/** The columns of a report that make its {@link ModelDriftSummary}. */
const SUMMARY_COLUMNS = [
  'id',
  'model_ref',
  'finished_at',
  'dataset_drift',
  'drift_share',
  'column_count',
  'drifted_columns',
];

function toDriftSummary(row: any): ModelDriftSummary {
  return {
    reportId: row.id,
    computedAt: iso(toDate(row.finished_at)!),
    datasetDrift: Boolean(row.dataset_drift),
    driftShare: Number(row.drift_share),
    columnCount: Number(row.column_count),
    driftedColumns: fromJson<string[]>(row.drifted_columns) ?? [],
  };
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    out.push(items.slice(i, i + CHUNK));
  }
  return out;
}

/** The knex implementation of {@link DriftStore}, for SQLite and PostgreSQL. */
export class DatabaseDriftStore implements DriftStore {
  constructor(protected readonly db: Knex) {}

  async createDriftReport(
    report: NewDriftReportRequest,
  ): Promise<{ record: DriftReportRecord; created: boolean }> {
    const id = randomUUID();
    const now = iso(new Date());
    const failed = report.error !== undefined;
    const insert = this.db(REPORTS).insert({
      id,
      model_ref: report.modelRef,
      status: failed ? 'failed' : 'pending',
      error: report.error ?? null,
      triggered_by: report.triggeredBy,
      schedule_slot: report.scheduleSlot ?? null,
      spec: toJson(report.spec),
      created_at: now,
      finished_at: failed ? now : null,
    });
    if (report.scheduleSlot === undefined) {
      await insert;
      return { record: (await this.getDriftReport(id))!, created: true };
    }
    await insert.onConflict(['model_ref', 'schedule_slot']).ignore();
    const row = await this.db(REPORTS)
      .where({
        model_ref: report.modelRef,
        schedule_slot: report.scheduleSlot,
      })
      .first();
    return { record: toReport(row), created: row.id === id };
  }

  async getDriftReport(id: string): Promise<DriftReportRecord | undefined> {
    const row = await this.db(REPORTS).where({ id }).first();
    return row ? toReport(row) : undefined;
  }

  async getDriftReportColumns(id: string): Promise<DriftColumnResult[]> {
    const rows = await this.db(COLUMNS)
      .where({ report_id: id })
      .orderBy('position');
    return rows.map(toColumn);
  }

  async listDriftReports(
    modelRef: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: DriftReportRecord[]; nextCursor?: string }> {
    return listPage(
      this.db(REPORTS).where({ model_ref: modelRef }),
      page,
      toReport,
    );
  }

  async getLatestScheduleSlots(
    modelRefs: string[],
  ): Promise<Map<string, string>> {
    const slots = new Map<string, string>();
    for (const refs of chunks(modelRefs)) {
      const rows = await this.db(REPORTS)
        .whereIn('model_ref', refs)
        .whereNotNull('schedule_slot')
        .groupBy('model_ref')
        .select('model_ref')
        .max({ slot: 'schedule_slot' });
      for (const row of rows as Array<{ model_ref: string; slot: unknown }>) {
        slots.set(row.model_ref, String(row.slot));
      }
    }
    return slots;
  }

  async listClaimableDriftReports(query: {
    now: Date;
    limit: number;
  }): Promise<string[]> {
    const now = iso(query.now);
    const rows = await this.db(REPORTS)
      .where({ status: 'pending' })
      .orWhere(q =>
        q.where({ status: 'running' }).andWhere('lease_expires_at', '<', now),
      )
      .orderBy('created_at')
      .limit(query.limit)
      .select('id');
    return rows.map(r => r.id);
  }

  async claimDriftReport(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean> {
    const now = new Date();
    // One conditional UPDATE: the database serialises competing claims on
    // the row, and only the one that still sees it claimable changes it.
    const count = await this.db(REPORTS)
      .where({ id })
      .andWhere(q =>
        q
          .where({ status: 'pending' })
          .orWhere(q2 =>
            q2
              .where({ status: 'running' })
              .andWhere('lease_expires_at', '<', iso(now)),
          ),
      )
      .update({
        status: 'running',
        lease_owner: owner,
        lease_expires_at: iso(new Date(now.getTime() + leaseMs)),
        started_at: iso(now),
        attempts: this.db.raw('attempts + 1'),
      });
    return count === 1;
  }

  async renewDriftReportLease(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean> {
    const count = await this.db(REPORTS)
      .where({ id, lease_owner: owner, status: 'running' })
      .update({ lease_expires_at: iso(new Date(Date.now() + leaseMs)) });
    return count === 1;
  }

  async completeDriftReport(
    id: string,
    owner: string,
    result: DriftResultSummary,
    columns: DriftColumnResult[],
  ): Promise<DriftCompletion> {
    return this.db.transaction(async trx => {
      const row = await trx(REPORTS)
        .where({ id, lease_owner: owner, status: 'running' })
        .first();
      if (!row) {
        return { completed: false, turnedDrifted: false };
      }
      const previous = await trx(REPORTS)
        .where({ model_ref: row.model_ref, status: 'succeeded' })
        .orderBy([
          { column: 'finished_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .select('dataset_drift')
        .first();
      const turnedDrifted =
        result.drifted && (!previous || !Boolean(previous.dataset_drift));
      const now = iso(new Date());
      await trx(COLUMNS).where({ report_id: id }).delete();
      for (const part of chunks(
        columns.map((c, position) => ({ c, position })),
      )) {
        await trx(COLUMNS).insert(
          part.map(({ c, position }) => ({
            report_id: id,
            column_name: c.column,
            position,
            type: c.type,
            method: c.method,
            statistic: finite(c.statistic),
            p_value: finite(c.pValue),
            threshold: c.threshold,
            comparison: c.comparison,
            drifted: c.drifted,
            reference_count: c.referenceCount,
            current_count: c.currentCount,
            histogram: toJson(c.histogram),
          })),
        );
      }
      const count = await trx(REPORTS)
        .where({ id, lease_owner: owner, status: 'running' })
        .update({
          status: 'succeeded',
          error: null,
          drift_share: result.driftShare,
          dataset_drift: result.drifted,
          drift_share_threshold: result.threshold,
          column_count: result.columnCount,
          drifted_columns: toJson(result.driftedColumns),
          skipped_columns: toJson(result.skippedColumns),
          reference_rows: result.referenceRows,
          current_rows: result.currentRows,
          notification: turnedDrifted ? 'pending' : null,
          lease_owner: null,
          lease_expires_at: null,
          finished_at: now,
        });
      return {
        completed: count === 1,
        turnedDrifted: count === 1 && turnedDrifted,
      };
    });
  }

  async failDriftReport(
    id: string,
    owner: string | undefined,
    error: string,
  ): Promise<boolean> {
    const query = this.db(REPORTS)
      .where({ id })
      .whereNotIn('status', [...TERMINAL_DRIFT_REPORT_STATUSES]);
    if (owner !== undefined) {
      query.andWhere({ lease_owner: owner });
    }
    const count = await query.update({
      status: 'failed',
      error,
      lease_owner: null,
      lease_expires_at: null,
      finished_at: iso(new Date()),
    });
    return count === 1;
  }

  async listPendingDriftNotifications(limit: number): Promise<string[]> {
    const rows = await this.db(REPORTS)
      .where({ notification: 'pending' })
      .orderBy('finished_at')
      .limit(limit)
      .select('id');
    return rows.map(r => r.id);
  }

  async claimDriftNotification(id: string): Promise<boolean> {
    const count = await this.db(REPORTS)
      .where({ id, notification: 'pending' })
      .update({ notification: 'sent' });
    return count === 1;
  }

  async pruneDriftReports(options: {
    finishedBefore: Date;
    keepPerModel: number;
  }): Promise<number> {
    const terminal = [...TERMINAL_DRIFT_REPORT_STATUSES];
    // Each model's latest succeeded report feeds the health endpoint: keep it.
    const latest = await this.db(REPORTS)
      .where({ status: 'succeeded' })
      .groupBy('model_ref')
      .select('model_ref')
      .max({ finished: 'finished_at' });
    const keep = new Set<string>();
    for (const row of latest as Array<{
      model_ref: string;
      finished: unknown;
    }>) {
      const kept = await this.db(REPORTS)
        .where({
          model_ref: row.model_ref,
          status: 'succeeded',
          finished_at: row.finished,
        })
        .select('id');
      kept.forEach(k => keep.add(k.id));
    }

    const doomed = new Set<string>();
    const old = await this.db(REPORTS)
      .whereIn('status', terminal)
      .andWhere('finished_at', '<', iso(options.finishedBefore))
      .select('id');
    old.forEach(r => doomed.add(r.id));

    const crowded = await this.db(REPORTS)
      .whereIn('status', terminal)
      .groupBy('model_ref')
      .having(this.db.raw('count(*) > ?', [options.keepPerModel]))
      .select('model_ref');
    for (const { model_ref } of crowded) {
      const extra = await this.db(REPORTS)
        .where({ model_ref })
        .whereIn('status', terminal)
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .offset(options.keepPerModel)
        .limit(1_000_000)
        .select('id');
      extra.forEach(r => doomed.add(r.id));
    }

    const ids = [...doomed].filter(id => !keep.has(id));
    let deleted = 0;
    for (const part of chunks(ids)) {
      deleted += await this.db.transaction(async (trx): Promise<number> => {
        await trx(COLUMNS).whereIn('report_id', part).delete();
        return await trx(REPORTS).whereIn('id', part).delete();
      });
    }
    return deleted;
  }

  async getLatestDriftReport(
    modelRef: string,
  ): Promise<ModelDriftSummary | undefined> {
    const row = await this.db(REPORTS)
      .where({ model_ref: modelRef, status: 'succeeded' })
      .orderBy([
        { column: 'finished_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .select(SUMMARY_COLUMNS)
      .first();
    return row ? toDriftSummary(row) : undefined;
  }

  async getLatestDriftReports(
    modelRefs: string[],
  ): Promise<Map<string, ModelDriftSummary>> {
    const rows = await this.latestRows({
      table: REPORTS,
      keys: modelRefs.map(ref => [ref]),
      keyColumns: ['model_ref'],
      where: { status: 'succeeded' },
      orderBy: ['finished_at', 'id'],
      select: SUMMARY_COLUMNS,
    });
    return new Map(rows.map(row => [row.model_ref, toDriftSummary(row)]));
  }

  async addDriftReport(report: NewDriftReport): Promise<string> {
    const id = randomUUID();
    const at = iso(report.computedAt);
    await this.db(REPORTS).insert({
      id,
      model_ref: report.modelRef,
      status: 'succeeded',
      triggered_by: 'import',
      spec: toJson({
        reference: { url: 'unknown', format: 'csv' },
        current: { url: 'unknown', format: 'csv' },
        options: {},
      }),
      drift_share: report.driftShare,
      dataset_drift: report.datasetDrift,
      drift_share_threshold: 0.5,
      column_count: report.columnCount,
      drifted_columns: toJson(report.driftedColumns),
      skipped_columns: toJson([]),
      created_at: at,
      started_at: at,
      finished_at: at,
    });
    return id;
  }

  /**
   * The newest row of `table` per key (by `orderBy`, descending), in one
   * statement per {@link CHUNK} keys. Each key's row id comes from a
   * correlated `ORDER BY … LIMIT 1` over the keys as a `VALUES` list, so
   * both SQLite and PostgreSQL probe the index once per key instead of
   * reading every row of the keys (a window function read all 100 drift
   * reports of each model); the rows are then read by id with `whereIn`.
   */
  protected async latestRows(options: {
    table: string;
    /** Values of `keyColumns`, one array per key. */
    keys: string[][];
    keyColumns: string[];
    where?: Record<string, string>;
    orderBy: string[];
    select?: string[];
  }): Promise<any[]> {
    const { table, keyColumns } = options;
    const rows: any[] = [];
    for (const part of chunks(options.keys)) {
      const row = `(${keyColumns.map(() => '?').join(', ')})`;
      // VALUES columns are column1, column2, … on both SQLite and PostgreSQL.
      const keys = this.db.raw(
        `(values ${part.map(() => row).join(', ')}) as latest_keys`,
        part.flat(),
      );
      const latest = this.db(`${table} as l`).select('l.id');
      keyColumns.forEach((column, i) =>
        latest.whereRaw('?? = ??', [
          `l.${column}`,
          `latest_keys.column${i + 1}`,
        ]),
      );
      for (const [column, value] of Object.entries(options.where ?? {})) {
        latest.where(`l.${column}`, value);
      }
      latest
        .orderBy(
          options.orderBy.map(column => ({
            column: `l.${column}`,
            order: 'desc' as const,
          })),
        )
        .limit(1);
      rows.push(
        ...(await this.db(table)
          .whereIn('id', this.db.from(keys).select(latest.as('id')))
          .select(options.select ?? '*')),
      );
    }
    return rows;
  }
}
