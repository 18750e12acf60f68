import { ColumnTask } from '../engine/columnDrift';
import { ColumnDriftResult } from '../engine/types';

/** Message from the main thread to a drift worker. */
export interface WorkerRequest {
  id: number;
  task: ColumnTask;
}

/** Message from a drift worker back to the main thread. */
export type WorkerResponse =
  | { id: number; ok: true; result: ColumnDriftResult; threadId: number }
  | {
      id: number;
      ok: false;
      error: { name: string; message: string; stack?: string };
      threadId: number;
    };

/** Marks the worker data of drift workers. */
export const DRIFT_WORKER_MARKER = 'synth-mlops-drift-worker';
