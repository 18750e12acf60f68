import {
  DriftColumnResult,
  DriftMethodName,
  DriftReportStatus,
  ModelDriftSummary,
} from '@synth/plugin-mlops-common';
import type { DriftOptions } from '@synth/plugin-mlops-drift';

/** One side of a report: where its data is read from. */
export type DriftSourceSpec = {
  /** The URL read through the UrlReader (absolute paths become `file:` URLs). */
  url: string;
  format: 'csv' | 'parquet' | 'jsonl';
  /** The Dataset entity the data belongs to (reference side). */
  datasetRef?: string;
};

/**
 * Everything a report needs, resolved from the MLModel and Dataset entities
 * when the report is created, so the computation does not depend on the
 * catalog and a report shows what it compared even when it failed.
 */
export type DriftSpec = {
  reference: DriftSourceSpec;
  current: DriftSourceSpec;
  /** Column types from the Dataset's `spec.schema`; inferred when unset. */
  columnTypes?: Record<string, string>;
  /** Drift options in the engine's terms (method, per-column overrides, driftShare). */
  options: DriftOptions;
  /** The method the request asked for, if any. */
  method?: DriftMethodName;
  /** The model's owner when the report was created: notified when the data drifts. */
  ownerRef?: string;
};

/** The dataset-level result of a succeeded report. */
export type DriftResultSummary = {
  driftShare: number;
  drifted: boolean;
  threshold: number;
  columnCount: number;
  driftedColumns: string[];
  skippedColumns: Array<{ column: string; reason: string }>;
  referenceRows: number;
  currentRows: number;
};

export type DriftReportRecord = {
  id: string;
  modelRef: string;
  status: DriftReportStatus;
  error?: string;
  triggeredBy: string;
  scheduleSlot?: string;
  spec: DriftSpec;
  result?: DriftResultSummary;
  notification?: 'pending' | 'sent';
  attempts: number;
  leaseOwner?: string;
  leaseExpiresAt?: Date;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
};

export type NewDriftReportRequest = {
  modelRef: string;
  triggeredBy: string;
  spec: DriftSpec;
  /** For scheduled reports: at most one report per model and slot is created. */
  scheduleSlot?: string;
  /** A report whose inputs could not be resolved is created failed. */
  error?: string;
};

/** A finished report imported from elsewhere (summary only, no columns). */
export type NewDriftReport = {
  modelRef: string;
  computedAt: Date;
  datasetDrift: boolean;
  driftShare: number;
  columnCount: number;
  driftedColumns: string[];
};

/** What completing a report did. */
export type DriftCompletion = {
  /** False when the caller no longer held the lease; nothing was written. */
  completed: boolean;
  /** The verdict turned to drifted: the previous succeeded report was not drifted, or there was none. */
  turnedDrifted: boolean;
};

/**
 * Persistence of drift reports. Reports are computed by whichever backend
 * instance claims them: a claim is one conditional UPDATE (pending, or
 * running with an expired lease → running under the caller's lease), so two
 * instances never compute one report at once; results are written only
 * under the lease.
 */
export interface DriftStore {
  createDriftReport(
    report: NewDriftReportRequest,
  ): Promise<{ record: DriftReportRecord; created: boolean }>;
  getDriftReport(id: string): Promise<DriftReportRecord | undefined>;
  getDriftReportColumns(id: string): Promise<DriftColumnResult[]>;
  listDriftReports(
    modelRef: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: DriftReportRecord[]; nextCursor?: string }>;
  /** The latest schedule slot that has a report, per model. */
  getLatestScheduleSlots(modelRefs: string[]): Promise<Map<string, string>>;

  /** Reports a worker may claim: pending, or running under an expired lease. */
  listClaimableDriftReports(query: {
    now: Date;
    limit: number;
  }): Promise<string[]>;
  claimDriftReport(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean>;
  renewDriftReportLease(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean>;
  completeDriftReport(
    id: string,
    owner: string,
    result: DriftResultSummary,
    columns: DriftColumnResult[],
  ): Promise<DriftCompletion>;
  /** Fails a report; with an owner only under that owner's lease. */
  failDriftReport(
    id: string,
    owner: string | undefined,
    error: string,
  ): Promise<boolean>;

  listPendingDriftNotifications(limit: number): Promise<string[]>;
  /** pending → sent; true for exactly one caller. */
  claimDriftNotification(id: string): Promise<boolean>;

  /**
   * Deletes finished reports older than `finishedBefore` or beyond the
   * newest `keepPerModel` of their model, always keeping each model's
   * latest succeeded report. Returns the number deleted.
   */
  pruneDriftReports(options: {
    finishedBefore: Date;
    keepPerModel: number;
  }): Promise<number>;

  /** Digest of the model's latest succeeded report, for the health endpoint. */
  getLatestDriftReport(
    modelRef: string,
  ): Promise<ModelDriftSummary | undefined>;
  /**
   * {@link DriftStore.getLatestDriftReport} of many models in one query,
   * keyed by model ref; models without a succeeded report are absent.
   */
  getLatestDriftReports(
    modelRefs: string[],
  ): Promise<Map<string, ModelDriftSummary>>;
  /** Records a finished report computed elsewhere (summary only). */
  addDriftReport(report: NewDriftReport): Promise<string>;
}
