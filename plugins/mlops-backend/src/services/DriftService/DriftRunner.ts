import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
import { DriftColumnResult } from '@synth/plugin-mlops-common';
import {
  ColumnDriftResult,
  DriftReport as EngineReport,
} from '@synth/plugin-mlops-drift';
import {
  DriftResultSummary,
  DriftSpec,
  DriftStore,
} from '../../database/DriftStore';
import { Notifier } from '../Notifier';
import {
  DriftExecutor,
  DriftExecutorName,
  requestedExecutor,
} from './DriftExecutor';

/** The API form of one engine column result. */
export function toApiColumn(c: ColumnDriftResult): DriftColumnResult {
  const h = c.histogram;
  return {
    column: c.column,
    type: c.type,
    method: c.method,
    statistic: Number.isFinite(c.statistic) ? c.statistic : null,
    pValue: c.pValue,
    threshold: c.threshold,
    comparison: c.comparison,
    drifted: c.drifted,
    referenceCount: c.referenceCount,
    currentCount: c.currentCount,
    histogram:
      h.kind === 'numeric'
        ? {
            kind: 'numerical',
            edges: h.edges,
            reference: h.reference,
            current: h.current,
          }
        : {
            kind: 'categorical',
            categories: h.categories.map(String),
            reference: h.reference,
            current: h.current,
            ...(h.otherReference || h.otherCurrent
              ? {
                  other: {
                    reference: h.otherReference,
                    current: h.otherCurrent,
                  },
                }
              : {}),
          },
  };
}

/** The dataset-level summary of an engine report. */
export function toResultSummary(report: EngineReport): DriftResultSummary {
  return {
    driftShare: report.dataset.driftShare,
    drifted: report.dataset.drifted,
    threshold: report.dataset.driftShareThreshold,
    columnCount: report.dataset.numberOfColumns,
    driftedColumns: report.columns.filter(c => c.drifted).map(c => c.column),
    skippedColumns: report.skipped.map(s => ({
      column: s.column,
      reason: s.reason,
    })),
    referenceRows: report.reference.rows,
    currentRows: report.current.rows,
  };
}

/**
 * Computes drift reports. `process(id)` claims the report (a conditional
 * UPDATE, so of any number of callers on any number of backend instances
 * exactly one computes it), has the {@link DriftExecutor} compute it (the
 * local drift engine on worker threads, or a Ray job), and writes the
 * result under the lease. A bad input (unreadable source, missing or empty
 * column, type mismatch) or a failed Ray job fails the report with the
 * executor's message, which names the column or source.
 */
export class DriftRunner {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly options: {
      store: DriftStore;
      /** The executor of reports whose model does not choose one. */
      executor: DriftExecutor;
      /** Executors a model may choose with `spec.monitoring.executor`. */
      executors?: Partial<Record<DriftExecutorName, DriftExecutor>>;
      notifier: Notifier;
      logger: LoggerService;
      leaseOwner: string;
      leaseMs: number;
      maxAttempts: number;
      maxConcurrent: number;
    },
  ) {}

  /** Computes the report if it can be claimed; resolves when done (never rejects). */
  async process(id: string): Promise<'computed' | 'failed' | 'skipped'> {
    await this.acquire();
    try {
      return await this.processClaimed(id);
    } catch (error) {
      this.options.logger.error(`Drift report ${id}: ${error}`);
      return 'failed';
    } finally {
      this.release();
    }
  }

  private async processClaimed(
    id: string,
  ): Promise<'computed' | 'failed' | 'skipped'> {
    const { store, leaseOwner, leaseMs, logger } = this.options;
    if (!(await store.claimDriftReport(id, leaseOwner, leaseMs))) {
      return 'skipped';
    }
    const report = await store.getDriftReport(id);
    if (!report) {
      return 'skipped';
    }
    if (report.attempts > this.options.maxAttempts) {
      await store.failDriftReport(
        id,
        leaseOwner,
        `The computation was interrupted ${
          report.attempts - 1
        } times (a backend stopped while computing it); giving up`,
      );
      return 'failed';
    }

    const renew = setInterval(() => {
      store
        .renewDriftReportLease(id, leaseOwner, leaseMs)
        .catch(error => logger.warn(`Drift report ${id}: ${error}`));
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    renew.unref();
    let result: EngineReport;
    try {
      result = await this.executorFor(report.spec).compute({
        reportId: id,
        spec: report.spec,
      });
    } catch (error) {
      clearInterval(renew);
      const message = isError(error) ? error.message : String(error);
      logger.info(
        `Drift report ${id} of ${report.modelRef} failed: ${message}`,
      );
      await store.failDriftReport(id, leaseOwner, message);
      return 'failed';
    }
    clearInterval(renew);

    const summary = toResultSummary(result);
    const completion = await store.completeDriftReport(
      id,
      leaseOwner,
      summary,
      result.columns.map(toApiColumn),
    );
    if (!completion.completed) {
      logger.warn(
        `Drift report ${id}: the lease was lost before the result was written; another instance computes it again`,
      );
      return 'skipped';
    }
    if (completion.turnedDrifted) {
      await this.notify(id);
    }
    return 'computed';
  }

  /** The model's executor if it chose one, else the default. */
  private executorFor(spec: DriftSpec): DriftExecutor {
    const { executor, executors } = this.options;
    const name = requestedExecutor(spec);
    if (!name || name === executor.name) {
      return executor;
    }
    const chosen = executors?.[name];
    if (!chosen) {
      throw new InputError(
        `The model asks for the ${name} drift executor (spec.monitoring.executor), which this backend does not have${
          name === 'ray' ? ': configure mlops.executors.ray' : ''
        }`,
      );
    }
    return chosen;
  }

  /** Sends the pending notification of a report, once across instances. */
  async notify(id: string): Promise<void> {
    const { store, notifier } = this.options;
    if (!(await store.claimDriftNotification(id))) {
      return;
    }
    const report = await store.getDriftReport(id);
    if (!report?.result) {
      return;
    }
    await notifier.driftDetected({
      id,
      modelRef: report.modelRef,
      ownerRef: report.spec.ownerRef,
      driftShare: report.result.driftShare,
      threshold: report.result.threshold,
      driftedColumns: report.result.driftedColumns,
    });
  }

  private async acquire(): Promise<void> {
    if (this.running < this.options.maxConcurrent) {
      this.running++;
      return;
    }
    await new Promise<void>(resolve => this.waiting.push(resolve));
  }

  private release() {
    const next = this.waiting.shift();
    if (next) {
      next();
    } else {
      this.running--;
    }
  }
}
