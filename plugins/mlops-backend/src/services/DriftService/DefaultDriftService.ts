import {
  DriftColumnResult,
  DriftReport,
  DriftReportList,
  DriftReportSummary,
} from '@synth/plugin-mlops-common';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DriftReportRecord, DriftStore } from '../../database/DriftStore';
import { ModelContext } from '../ModelAccess';
import { DriftRunner } from './DriftRunner';
import { DriftRequestOptions, resolveDriftSpec } from './resolveDriftSpec';
import { DriftService } from './types';

/** The API form of a stored report. */
export function toApiDriftReport(
  record: DriftReportRecord,
  columns?: DriftColumnResult[],
): DriftReport {
  const { spec, result } = record;
  const report: DriftReport = {
    id: record.id,
    entityRef: record.modelRef,
    status: record.status,
    triggeredBy: record.triggeredBy,
    createdAt: record.createdAt.toISOString(),
    reference: {
      source: spec.reference.url,
      datasetRef: spec.reference.datasetRef,
      format: spec.reference.format,
      rows: result?.referenceRows,
    },
    current: {
      source: spec.current.url,
      format: spec.current.format,
      rows: result?.currentRows,
    },
  };
  if (record.error !== undefined) {
    report.error = record.error;
  }
  if (record.startedAt) {
    report.startedAt = record.startedAt.toISOString();
  }
  if (record.finishedAt) {
    report.finishedAt = record.finishedAt.toISOString();
  }
  if (spec.method) {
    report.method = spec.method;
  }
  if (result) {
    report.dataset = {
      driftShare: result.driftShare,
      drifted: result.drifted,
      threshold: result.threshold,
      columnCount: result.columnCount,
      driftedColumns: result.driftedColumns,
    };
    report.skippedColumns = result.skippedColumns;
  }
  if (columns) {
    report.columns = columns;
  }
  return report;
}

/** {@link DriftService} on the drift store, the catalog and the runner. */
export class DefaultDriftService implements DriftService {
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly options: {
      store: DriftStore;
      catalog: CatalogService;
      runner: DriftRunner;
      histogramCategories: number;
    },
  ) {}

  async createReport(request: {
    model: ModelContext;
    options: DriftRequestOptions;
    credentials: BackstageCredentials;
    triggeredBy: string;
  }): Promise<{ id: string }> {
    const { model } = request;
    const spec = await resolveDriftSpec({
      model: model.entity,
      modelRef: model.ref,
      ownerRef: model.ownerRef,
      request: request.options,
      catalog: this.options.catalog,
      credentials: request.credentials,
      histogramCategories: this.options.histogramCategories,
    });
    const { record } = await this.options.store.createDriftReport({
      modelRef: model.ref,
      triggeredBy: request.triggeredBy,
      spec,
    });
    // Computed right away by this instance; the scheduler's pass picks it up
    // on any instance if this one stops first.
    const work = this.options.runner
      .process(record.id)
      .finally(() => this.background.delete(work));
    this.background.add(work);
    return { id: record.id };
  }

  async listReports(
    modelRef: string,
    page: { limit: number; cursor?: string },
  ): Promise<DriftReportList> {
    const result = await this.options.store.listDriftReports(modelRef, page);
    return {
      items: result.items.map(r => toApiDriftReport(r) as DriftReportSummary),
      ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
    };
  }

  async getReport(id: string): Promise<DriftReport | undefined> {
    const record = await this.options.store.getDriftReport(id);
    if (!record) {
      return undefined;
    }
    const columns =
      record.status === 'succeeded'
        ? await this.options.store.getDriftReportColumns(id)
        : undefined;
    return toApiDriftReport(record, columns);
  }

  /** Resolves when the reports started by this instance are done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) {
      await Promise.all([...this.background]);
    }
  }
}
