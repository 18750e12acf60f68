import {
  DatabaseService,
  isDatabaseConflictError,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import {
  DeploymentStatus,
  DeploymentTargetName,
  TERMINAL_DEPLOYMENT_STATUSES,
  TERMINAL_TRAINING_RUN_STATUSES,
  TrainingRunStatus,
} from '@synth/plugin-mlops-common';
import {
  DeploymentPatch,
  DeploymentRecord,
  DueQuery,
  LogChunk,
  LogSlice,
  MlopsStore,
  ModelVersionRecord,
  NewDeployment,
  NewModelVersion,
  NewRun,
  Page,
  PageResult,
  RunPatch,
  RunRecord,
  Upserted,
} from './MlopsStore';

import { DatabaseDriftStore } from './DatabaseDriftStore';
import { listPage, fromJson, iso, opt, toDate, toJson } from './util';

const migrationsDir = resolvePackagePath(
  '@synth/plugin-mlops-backend',
  'migrations',
);

/** `next_check_at` of rows that need nothing more: final and notified. */
export const NEVER = new Date('9999-12-31T00:00:00.000Z');

/** Size of the log chunks `replaceLogs` writes. */
const LOG_CHUNK_CHARS = 64 * 1024;

/** Every deployment target, for the latest deployment per target. */
const DEPLOYMENT_TARGETS = Object.keys({
  lambda: true,
  'ray-serve': true,
} satisfies Record<DeploymentTargetName, true>) as DeploymentTargetName[];

const ACTIVE_RUN_STATUSES: TrainingRunStatus[] = [
  'pending',
  'submitted',
  'running',
];

function toRun(row: any): RunRecord {
  return {
    id: row.id,
    modelRef: row.model_ref,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    executor: row.executor,
    status: row.status,
    statusMessage: opt(row.status_message),
    parameters: fromJson(row.parameters) ?? {},
    spec: fromJson(row.spec)!,
    ownerRef: opt(row.owner_ref),
    createdBy: row.created_by,
    externalId: opt(row.external_id),
    cancelRequested: Boolean(row.cancel_requested),
    attempts: Number(row.attempts),
    failureCount: Number(row.failure_count),
    firstFailureAt: toDate(row.first_failure_at),
    nextCheckAt: toDate(row.next_check_at)!,
    leaseOwner: opt(row.lease_owner),
    leaseExpiresAt: toDate(row.lease_expires_at),
    artifactUri: opt(row.artifact_uri),
    metrics: fromJson(row.metrics),
    modelVersion: opt(row.model_version),
    pendingOutcome: fromJson(row.pending_outcome),
    logsArchived: Boolean(row.logs_archived),
    notifiedStatus: opt(row.notified_status),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
  };
}

function toVersion(row: any): ModelVersionRecord {
  return {
    modelRef: row.model_ref,
    version: row.version,
    runId: opt(row.run_id),
    artifactUri: opt(row.artifact_uri),
    metrics: fromJson(row.metrics) ?? {},
    registry: row.registry,
    registeredModelName: opt(row.registered_model_name),
    seq: Number(row.seq),
    createdAt: toDate(row.created_at)!,
  };
}

function toDeployment(row: any): DeploymentRecord {
  return {
    id: row.id,
    modelRef: row.model_ref,
    version: row.version,
    target: row.target,
    strategy: row.strategy,
    weight: row.weight === null ? undefined : Number(row.weight),
    status: row.status,
    statusMessage: opt(row.status_message),
    idempotencyKey: opt(row.idempotency_key),
    requestHash: row.request_hash,
    targetConfig: fromJson(row.target_config)!,
    artifactUri: opt(row.artifact_uri),
    state: fromJson(row.state) ?? {},
    ownerRef: opt(row.owner_ref),
    createdBy: row.created_by,
    failureCount: Number(row.failure_count),
    firstFailureAt: toDate(row.first_failure_at),
    nextCheckAt: toDate(row.next_check_at)!,
    leaseOwner: opt(row.lease_owner),
    leaseExpiresAt: toDate(row.lease_expires_at),
    notifiedStatus: opt(row.notified_status),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    finishedAt: toDate(row.finished_at),
  };
}

function runPatchToRow(patch: RunPatch): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const set = (column: string, value: unknown) => {
    if (value !== undefined) {
      row[column] = value;
    }
  };
  set('status', patch.status);
  set('status_message', patch.statusMessage);
  set('external_id', patch.externalId);
  set('attempts', patch.attempts);
  set('failure_count', patch.failureCount);
  set('first_failure_at', patch.firstFailureAt && iso(patch.firstFailureAt));
  set('next_check_at', patch.nextCheckAt && iso(patch.nextCheckAt));
  set('artifact_uri', patch.artifactUri);
  set('metrics', patch.metrics && toJson(patch.metrics));
  set('model_version', patch.modelVersion);
  set('logs_archived', patch.logsArchived);
  set('notified_status', patch.notifiedStatus);
  set('started_at', patch.startedAt && iso(patch.startedAt));
  set('finished_at', patch.finishedAt && iso(patch.finishedAt));
  if (patch.pendingOutcome !== undefined) {
    row.pending_outcome =
      patch.pendingOutcome === null ? null : toJson(patch.pendingOutcome);
  }
  for (const field of patch.clear ?? []) {
    row[field === 'statusMessage' ? 'status_message' : 'first_failure_at'] =
      null;
  }
  return row;
}

/**
 * The knex implementation of {@link MlopsStore}, for SQLite and PostgreSQL.
 */
export class DatabaseMlopsStore
  extends DatabaseDriftStore
  implements MlopsStore
{
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseMlopsStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseMlopsStore(client);
  }

  // ------------------------------------------------------------------ runs

  async createRun(run: NewRun): Promise<Upserted<RunRecord>> {
    const id = randomUUID();
    const now = iso(new Date());
    await this.db('training_runs')
      .insert({
        id,
        model_ref: run.modelRef,
        idempotency_key: run.idempotencyKey,
        request_hash: run.requestHash,
        executor: run.executor,
        status: 'pending',
        parameters: toJson(run.parameters),
        spec: toJson(run.spec),
        owner_ref: run.ownerRef ?? null,
        created_by: run.createdBy,
        next_check_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['model_ref', 'idempotency_key'])
      .ignore();
    const row = await this.db('training_runs')
      .where({ model_ref: run.modelRef, idempotency_key: run.idempotencyKey })
      .first();
    return { record: toRun(row), created: row.id === id };
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = await this.db('training_runs').where({ id }).first();
    return row ? toRun(row) : undefined;
  }

  async listRuns(modelRef: string, page: Page): Promise<PageResult<RunRecord>> {
    return listPage(
      this.db('training_runs').where({ model_ref: modelRef }),
      page,
      toRun,
    );
  }

  async getLatestRun(modelRef: string): Promise<RunRecord | undefined> {
    const row = await this.db('training_runs')
      .where({ model_ref: modelRef })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? toRun(row) : undefined;
  }

  async getLatestRunsByModel(
    modelRefs: string[],
  ): Promise<Map<string, RunRecord>> {
    const rows = await this.latestRows({
      table: 'training_runs',
      keys: modelRefs.map(ref => [ref]),
      keyColumns: ['model_ref'],
      orderBy: ['created_at', 'id'],
    });
    return new Map(rows.map(row => [row.model_ref, toRun(row)]));
  }

  async listPendingRuns(
    executor: 'ray' | 'local',
    limit: number,
  ): Promise<string[]> {
    const rows = await this.db('training_runs')
      .where({ status: 'pending', executor })
      .orderBy('created_at')
      .limit(limit)
      .select('id');
    return rows.map(r => r.id);
  }

  async listDueRuns(query: DueQuery): Promise<string[]> {
    return this.listDue('training_runs', query);
  }

  async claimRun(id: string, owner: string, leaseMs: number) {
    return this.claim('training_runs', id, owner, leaseMs);
  }

  async renewRunLease(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean> {
    return this.renew('training_runs', id, owner, leaseMs);
  }

  async releaseRun(id: string, owner: string): Promise<void> {
    await this.release('training_runs', id, owner);
  }

  async updateRun(
    id: string,
    owner: string | undefined,
    patch: RunPatch,
    options?: { onlyIfActive?: boolean },
  ): Promise<boolean> {
    const row = runPatchToRow(patch);
    row.updated_at = iso(new Date());
    if (patch.status && TERMINAL_TRAINING_RUN_STATUSES.includes(patch.status)) {
      row.pending_outcome = null;
    }
    let query = this.db('training_runs').where({ id });
    if (owner !== undefined) {
      query = query.andWhere({ lease_owner: owner });
    }
    if (options?.onlyIfActive) {
      query = query.whereIn('status', ACTIVE_RUN_STATUSES);
    }
    return (await query.update(row)) === 1;
  }

  async requestCancel(id: string): Promise<void> {
    await this.db('training_runs')
      .where({ id })
      .whereIn('status', ACTIVE_RUN_STATUSES)
      .update({
        cancel_requested: true,
        next_check_at: iso(new Date()),
        updated_at: iso(new Date()),
      });
  }

  // ------------------------------------------------------------------ logs

  async appendLogs(runId: string, chunks: LogChunk[]): Promise<void> {
    if (chunks.length === 0) {
      return;
    }
    await this.db.transaction(async tx => {
      const last = await tx('training_run_logs')
        .where({ run_id: runId })
        .max({ seq: 'seq' })
        .first();
      let seq =
        last?.seq === null || last?.seq === undefined
          ? 0
          : Number(last.seq) + 1;
      await tx('training_run_logs').insert(
        chunks.map(chunk => ({
          run_id: runId,
          seq: seq++,
          start_offset: chunk.startOffset,
          end_offset: chunk.startOffset + chunk.text.length,
          text: chunk.text,
        })),
      );
    });
  }

  async replaceLogs(
    runId: string,
    text: string,
    startOffset: number,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      await tx('training_run_logs').where({ run_id: runId }).delete();
      const rows = [];
      for (let i = 0, seq = 0; i < text.length; i += LOG_CHUNK_CHARS, seq++) {
        const part = text.slice(i, i + LOG_CHUNK_CHARS);
        rows.push({
          run_id: runId,
          seq,
          start_offset: startOffset + i,
          end_offset: startOffset + i + part.length,
          text: part,
        });
      }
      // Small batches: SQLite limits the number of bound variables.
      for (let i = 0; i < rows.length; i += 50) {
        await tx('training_run_logs').insert(rows.slice(i, i + 50));
      }
    });
  }

  async readLogs(
    runId: string,
    after: number,
    maxChars: number,
  ): Promise<LogSlice> {
    const bounds = await this.db('training_run_logs')
      .where({ run_id: runId })
      .min({ start: 'start_offset' })
      .max({ end: 'end_offset' })
      .first();
    const start =
      bounds?.start === null || bounds?.start === undefined
        ? 0
        : Number(bounds.start);
    const end =
      bounds?.end === null || bounds?.end === undefined
        ? 0
        : Number(bounds.end);
    const from = Math.max(after, start);
    if (from >= end) {
      return { offset: Math.min(from, end), text: '', end, start };
    }
    const rows = await this.db('training_run_logs')
      .where({ run_id: runId })
      .andWhere('end_offset', '>', from)
      .orderBy('seq')
      .limit(Math.ceil(maxChars / 1024) + 2)
      .select('start_offset', 'text');
    let text = '';
    for (const row of rows) {
      const rowStart = Number(row.start_offset);
      text += String(row.text).slice(Math.max(0, from - rowStart));
      if (text.length >= maxChars) {
        break;
      }
    }
    return { offset: from, text: text.slice(0, maxChars), end, start };
  }

  // ------------------------------------------------------------------ versions

  async addModelVersion(input: NewModelVersion): Promise<ModelVersionRecord> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const existing = await this.db('model_versions')
        .where({ run_id: input.runId })
        .first();
      if (existing) {
        return toVersion(existing);
      }
      const last = await this.db('model_versions')
        .where({ model_ref: input.modelRef })
        .max({ seq: 'seq' })
        .first();
      const seq =
        last?.seq === null || last?.seq === undefined
          ? 1
          : Number(last.seq) + 1;
      await this.db('model_versions')
        .insert({
          model_ref: input.modelRef,
          version: input.version ?? String(seq),
          run_id: input.runId,
          artifact_uri: input.artifactUri ?? null,
          metrics: toJson(input.metrics),
          registry: input.registry,
          registered_model_name: input.registeredModelName ?? null,
          seq,
          created_at: iso(new Date()),
        })
        .onConflict()
        .ignore();
    }
    const existing = await this.db('model_versions')
      .where({ run_id: input.runId })
      .first();
    if (existing) {
      return toVersion(existing);
    }
    throw new ConflictError(
      `Could not register version ${input.version ?? '(next)'} of ${
        input.modelRef
      } for run ${input.runId}: the version exists for another run`,
    );
  }

  async getModelVersion(
    modelRef: string,
    version: string,
  ): Promise<ModelVersionRecord | undefined> {
    const row = await this.db('model_versions')
      .where({ model_ref: modelRef, version })
      .first();
    return row ? toVersion(row) : undefined;
  }

  async listModelVersions(
    modelRef: string,
    page: Page,
  ): Promise<PageResult<ModelVersionRecord>> {
    let query = this.db('model_versions').where({ model_ref: modelRef });
    if (page.cursor) {
      const seq = Number(Buffer.from(page.cursor, 'base64url').toString());
      if (!Number.isInteger(seq)) {
        throw new InputError('Invalid cursor');
      }
      query = query.andWhere('seq', '<', seq);
    }
    const rows = await query.orderBy('seq', 'desc').limit(page.limit + 1);
    const items = rows.slice(0, page.limit).map(toVersion);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > page.limit && last
          ? Buffer.from(String(last.seq)).toString('base64url')
          : undefined,
    };
  }

  // ------------------------------------------------------------------ deployments

  async createDeployment(
    input: NewDeployment,
  ): Promise<Upserted<DeploymentRecord>> {
    const byKey = async () =>
      input.idempotencyKey
        ? this.db('deployments')
            .where({
              model_ref: input.modelRef,
              idempotency_key: input.idempotencyKey,
            })
            .first()
        : undefined;
    const existing = await byKey();
    if (existing) {
      return { record: toDeployment(existing), created: false };
    }
    const id = randomUUID();
    const now = iso(new Date());
    await this.db('deployments')
      .insert({
        id,
        model_ref: input.modelRef,
        version: input.version,
        target: input.target,
        strategy: input.strategy,
        weight: input.weight ?? null,
        status: 'pending',
        idempotency_key: input.idempotencyKey ?? null,
        request_hash: input.requestHash,
        active_key: input.modelRef,
        target_config: toJson(input.targetConfig),
        artifact_uri: input.artifactUri ?? null,
        state: toJson({}),
        owner_ref: input.ownerRef ?? null,
        created_by: input.createdBy,
        next_check_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict()
      .ignore();
    const created = await this.db('deployments').where({ id }).first();
    if (created) {
      return { record: toDeployment(created), created: true };
    }
    const concurrent = await byKey();
    if (concurrent) {
      return { record: toDeployment(concurrent), created: false };
    }
    const active = await this.db('deployments')
      .where({ active_key: input.modelRef })
      .first();
    if (active) {
      throw new ConflictError(
        `Deployment ${active.id} of ${input.modelRef} (version ${active.version}) is ${active.status}; wait for it to finish, or promote or roll it back first`,
      );
    }
    throw new ConflictError(
      `Another deployment of ${input.modelRef} was created at the same time; try again`,
    );
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    const row = await this.db('deployments').where({ id }).first();
    return row ? toDeployment(row) : undefined;
  }

  async listDeployments(
    modelRef: string,
    page: Page,
  ): Promise<PageResult<DeploymentRecord>> {
    return listPage(
      this.db('deployments').where({ model_ref: modelRef }),
      page,
      toDeployment,
    );
  }

  async getLatestDeployments(modelRef: string): Promise<DeploymentRecord[]> {
    const rows = await this.db('deployments')
      .where({ model_ref: modelRef })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(10);
    const seen = new Set<string>();
    const latest: DeploymentRecord[] = [];
    for (const row of rows) {
      if (!seen.has(row.target)) {
        seen.add(row.target);
        latest.push(toDeployment(row));
      }
    }
    return latest;
  }

  async getLatestDeploymentsByModel(
    modelRefs: string[],
  ): Promise<Map<string, DeploymentRecord[]>> {
    const rows = await this.latestRows({
      table: 'deployments',
      keys: modelRefs.flatMap(ref => DEPLOYMENT_TARGETS.map(t => [ref, t])),
      keyColumns: ['model_ref', 'target'],
      orderBy: ['created_at', 'id'],
    });
    const latest = new Map<string, DeploymentRecord[]>();
    for (const deployment of rows
      .map(toDeployment)
      .sort(
        (a, b) =>
          b.createdAt.getTime() - a.createdAt.getTime() ||
          (b.id > a.id ? 1 : -1),
      )) {
      const list = latest.get(deployment.modelRef) ?? [];
      list.push(deployment);
      latest.set(deployment.modelRef, list);
    }
    return latest;
  }

  async listDueDeployments(query: DueQuery): Promise<string[]> {
    return this.listDue('deployments', query);
  }

  async claimDeployment(id: string, owner: string, leaseMs: number) {
    return this.claim('deployments', id, owner, leaseMs);
  }

  async renewDeploymentLease(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean> {
    return this.renew('deployments', id, owner, leaseMs);
  }

  async releaseDeployment(id: string, owner: string): Promise<void> {
    await this.release('deployments', id, owner);
  }

  async updateDeployment(
    id: string,
    owner: string | undefined,
    patch: DeploymentPatch,
    options?: { expectStatus?: DeploymentStatus[] },
  ): Promise<boolean> {
    const row: Record<string, unknown> = { updated_at: iso(new Date()) };
    if (patch.status !== undefined) {
      row.status = patch.status;
      // A deployment holds its model's single "active" slot while not final.
      row.active_key = TERMINAL_DEPLOYMENT_STATUSES.includes(patch.status)
        ? null
        : this.db.ref('model_ref');
    }
    if (patch.statusMessage !== undefined) {
      row.status_message = patch.statusMessage;
    }
    if (patch.state !== undefined) {
      row.state = toJson(patch.state);
    }
    if (patch.failureCount !== undefined) {
      row.failure_count = patch.failureCount;
    }
    if (patch.firstFailureAt !== undefined) {
      row.first_failure_at = iso(patch.firstFailureAt);
    }
    if (patch.nextCheckAt !== undefined) {
      row.next_check_at = iso(patch.nextCheckAt);
    }
    if (patch.notifiedStatus !== undefined) {
      row.notified_status = patch.notifiedStatus;
    }
    if (patch.finishedAt !== undefined) {
      row.finished_at = iso(patch.finishedAt);
    }
    for (const field of patch.clear ?? []) {
      row[field === 'statusMessage' ? 'status_message' : 'first_failure_at'] =
        null;
    }
    let query = this.db('deployments').where({ id });
    if (owner !== undefined) {
      query = query.andWhere({ lease_owner: owner });
    }
    if (options?.expectStatus) {
      query = query.whereIn('status', options.expectStatus);
    }
    try {
      return (await query.update(row)) === 1;
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        const current = await this.db('deployments').where({ id }).first();
        const active = current
          ? await this.db('deployments')
              .where({ active_key: current.model_ref })
              .first()
          : undefined;
        throw new ConflictError(
          active
            ? `Deployment ${active.id} of ${active.model_ref} (version ${active.version}) is ${active.status}; wait for it to finish, or promote or roll it back first`
            : `Another deployment of this model is active`,
        );
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------ leases

  private async listDue(
    table: 'training_runs' | 'deployments',
    query: DueQuery,
  ): Promise<string[]> {
    const now = iso(query.now);
    const rows = await this.db(table)
      .where('next_check_at', '<=', now)
      .andWhere(q =>
        q.whereNull('lease_owner').orWhere('lease_expires_at', '<', now),
      )
      .orderBy('next_check_at')
      .limit(query.limit)
      .select('id');
    return rows.map(r => r.id);
  }

  private async claim(
    table: 'training_runs' | 'deployments',
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean> {
    const now = new Date();
    const count = await this.db(table)
      .where({ id })
      .andWhere(q =>
        q.whereNull('lease_owner').orWhere('lease_expires_at', '<', iso(now)),
      )
      .update({
        lease_owner: owner,
        lease_expires_at: iso(new Date(now.getTime() + leaseMs)),
      });
    return count === 1;
  }

  private async renew(
    table: 'training_runs' | 'deployments',
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean> {
    const count = await this.db(table)
      .where({ id, lease_owner: owner })
      .update({ lease_expires_at: iso(new Date(Date.now() + leaseMs)) });
    return count === 1;
  }

  private async release(
    table: 'training_runs' | 'deployments',
    id: string,
    owner: string,
  ): Promise<void> {
    await this.db(table)
      .where({ id, lease_owner: owner })
      .update({ lease_owner: null, lease_expires_at: null });
  }
}
