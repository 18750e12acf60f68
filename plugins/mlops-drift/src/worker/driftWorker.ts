import { parentPort, threadId, workerData } from 'node:worker_threads';
import { computeColumnDrift } from '../engine/columnDrift';
import { datasetTransferList, runReadTask } from '../io/readTask';
import { serializeError } from '../io/streamChannel';
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
 * Runs the worker loop: one task at a time, either reading a source into
 * columns (sent back with their buffers transferred) or testing a column,
 * posting back the result or a serialised error. Called by the pool's worker
 * bootstrap; it refuses to run anywhere else.
 *
 * @public
 */
export function startDriftWorker(): void {
  const port = parentPort;
  if (!port || workerData?.marker !== DRIFT_WORKER_MARKER) {
    throw new Error('startDriftWorker must run inside a drift worker thread');
  }
  const fail = (id: number, error: unknown): WorkerResponse => ({
    id,
    ok: false,
    error: serializeError(error),
    threadId,
  });
  port.on('message', (request: WorkerRequest) => {
    if (request.kind === 'read') {
      runReadTask(request.task).then(
        result =>
          port.postMessage(
            { id: request.id, ok: true, kind: 'read', result, threadId },
            datasetTransferList(result),
          ),
        error => port.postMessage(fail(request.id, error)),
      );
      return;
    }
    let response: WorkerResponse;
    try {
      const result = computeColumnDrift(request.task);
      response = { id: request.id, ok: true, kind: 'column', result, threadId };
    } catch (error) {
      response = fail(request.id, error);
    }
    port.postMessage(response);
  });
}
