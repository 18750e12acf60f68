import { parentPort, threadId, workerData } from 'node:worker_threads';
import { computeColumnDrift } from '../engine/columnDrift';
import { DRIFT_WORKER_MARKER, WorkerRequest, WorkerResponse } from './protocol';

/**
 * Path of this module, resolved at runtime: the `.ts` source under jest and
 * `backstage-cli package start`, the compiled `.cjs.js` file in `dist/` once
 * built. The pool loads it as the worker's entry point.
 *
 * @public
 */
export const DRIFT_WORKER_FILENAME: string = __filename;

/**
 * Runs the worker loop: one column task at a time, posting back either the
 * result or a serialised error. Called by the pool's worker bootstrap; it
 * refuses to run anywhere else.
 *
 * @public
 */
export function startDriftWorker(): void {
  const port = parentPort;
  if (!port || workerData?.marker !== DRIFT_WORKER_MARKER) {
    throw new Error('startDriftWorker must run inside a drift worker thread');
  }
  port.on('message', (request: WorkerRequest) => {
    let response: WorkerResponse;
    try {
      const result = computeColumnDrift(request.task);
      response = { id: request.id, ok: true, result, threadId };
    } catch (error) {
      const e =
        error instanceof Error ? error : new Error(String(error ?? 'unknown'));
      response = {
        id: request.id,
        ok: false,
        error: { name: e.name, message: e.message, stack: e.stack },
        threadId,
      };
    }
    port.postMessage(response);
  });
}
