import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { DriftReport, DriftReportList } from '@synth/plugin-mlops-common';
import { ModelContext } from '../ModelAccess';
import { DriftRequestOptions } from './resolveDriftSpec';

/** Drift reports of MLModels: on demand, listed and read. */
export interface DriftService {
  /**
   * Records a pending report and starts computing it in the background.
   * Throws an InputError when the model's monitoring cannot be resolved
   * (no current data, no reference Dataset, invalid location).
   */
  createReport(request: {
    model: ModelContext;
    options: DriftRequestOptions;
    credentials: BackstageCredentials;
    triggeredBy: string;
  }): Promise<{ id: string }>;
  /** The model's reports, newest first, without per-column results. */
  listReports(
    modelRef: string,
    page: { limit: number; cursor?: string },
  ): Promise<DriftReportList>;
  /** One report with its per-column results, or undefined. */
  getReport(id: string): Promise<DriftReport | undefined>;
}
