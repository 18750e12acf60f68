import {
  ModelVersionList,
  TrainingRun,
  TrainingRunList,
  TrainingRunLogs,
} from '@synth/plugin-mlops-common';
import { Page, RunRecord } from '../../database/MlopsStore';
import { ModelContext } from '../ModelAccess';

/** What an engine says about a run it has accepted. */
export type EngineObservation =
  | { state: 'submitted' | 'running'; startedAt?: Date; message?: string }
  | {
      state: 'succeeded' | 'failed' | 'cancelled';
      message?: string;
      startedAt?: Date;
      finishedAt?: Date;
    }
  | { state: 'lost'; message: string };

/**
 * Training runs of MLModels: creation under an idempotency key, reads,
 * cancellation and logs. The caller has already checked that the user may
 * see the model and hold the needed permission.
 */
export interface TrainingService {
  createRun(options: {
    model: ModelContext;
    parameters: Record<string, unknown>;
    idempotencyKey: string;
    createdBy: string;
  }): Promise<{ run: TrainingRun; created: boolean }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(modelRef: string, page: Page): Promise<TrainingRunList>;
  listVersions(modelRef: string, page: Page): Promise<ModelVersionList>;
  cancelRun(run: RunRecord): Promise<TrainingRun>;
  readLogs(
    run: RunRecord,
    options: { after: number; waitMs: number; signal?: AbortSignal },
  ): Promise<TrainingRunLogs>;
}
