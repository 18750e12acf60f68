import { InputError } from '@backstage/errors';
import { availableParallelism } from 'node:os';
import { Transferable, Worker } from 'node:worker_threads';
import { ColumnTask } from '../engine/columnDrift';
import { ColumnDriftResult } from '../engine/types';
import { LoadedDataset } from '../io/types';
import { DRIFT_WORKER_FILENAME } from './driftWorker';
import {
  DRIFT_WORKER_MARKER,
  ReadTask,
  WorkerError,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

/** Worker threads used when no size is given. @public */
export const DEFAULT_DRIFT_WORKERS = 2;

/**
 * Options for {@link DriftWorkerPool}.
 *
 * @public
 */
export interface DriftWorkerPoolOptions {
  /** Number of worker threads (default 2, capped at 4 × available cores). */
  size?: number;
}

/** Counters describing the work a pool has done. @public */
export interface DriftWorkerPoolStats {
  size: number;
  liveWorkers: number;
  /** Completed column tests. */
  tasksCompleted: number;
  /** Completed column tests per worker thread id (never the main thread's id 0). */
  tasksByThread: Record<number, number>;
  /** Completed source reads (a file split across workers counts each part). */
  readsCompleted: number;
  /** Completed source reads per worker thread id. */
  readsByThread: Record<number, number>;
}

interface PendingTask {
  request: WorkerRequest;
  transfer: Transferable[];
  resolve: (result: any) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  current?: PendingTask;
}

// The bootstrap runs as an eval'd CommonJS script inside the worker: it
// registers Backstage's SWC require hook when the engine runs from
// TypeScript sources (jest, `backstage-cli package start`) and then loads the
// worker module, compiled or not.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.transform) { require(workerData.transform); }
require(workerData.entry).startDriftWorker();
`;

function resolveTransform(): string | undefined {
  if (!DRIFT_WORKER_FILENAME.endsWith('.ts')) {
    return undefined;
  }
  try {
    return require.resolve('@backstage/cli/config/nodeTransform.cjs');
  } catch (error) {
    throw new Error(
      `The drift engine runs from TypeScript sources (${DRIFT_WORKER_FILENAME}) and its worker threads need @backstage/cli's node transform, which could not be resolved: ${error}`,
    );
  }
}

function reviveError(error: WorkerError) {
  if (error.name === 'InputError') {
    return new InputError(error.message);
  }
  const revived = new Error(error.message);
  revived.name = error.name;
  if (error.stack) {
    revived.stack = error.stack;
  }
  return revived;
}

/**
 * A fixed-size pool of worker threads that read sources and test columns,
 * so that neither parsing nor drift computations run on the caller's event
 * loop. Workers start lazily,
 * are unref'd while idle (an idle pool does not keep a process alive) and are
 * replaced if one dies.
 *
 * @public
 */
export class DriftWorkerPool {
  readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private readonly queue: PendingTask[] = [];
  private readonly tasksByThread = new Map<number, number>();
  private readonly readsByThread = new Map<number, number>();
  private nextId = 1;
  private completed = 0;
  private readsCompleted = 0;
  private closed = false;
  private transform: string | undefined;
  private transformResolved = false;

  constructor(options: DriftWorkerPoolOptions = {}) {
    const size = options.size ?? DEFAULT_DRIFT_WORKERS;
    const max = Math.max(1, availableParallelism() * 4);
    if (!Number.isInteger(size) || size < 1 || size > max) {
      throw new InputError(
        `Drift worker pool size must be an integer between 1 and ${max}, got ${size}`,
      );
    }
    this.size = size;
  }

  /** Runs one column task on a worker thread. */
  run(
    task: ColumnTask,
    transfer: Transferable[] = [],
  ): Promise<ColumnDriftResult> {
    return this.submit({ id: this.nextId++, kind: 'column', task }, transfer);
  }

  /**
   * Reads (part of) a source into columns on a worker thread; the column
   * buffers come back transferred. Used by `computeDriftReport`.
   *
   * @internal
   */
  read(task: ReadTask, transfer: Transferable[] = []): Promise<LoadedDataset> {
    return this.submit({ id: this.nextId++, kind: 'read', task }, transfer);
  }

  private submit<T>(
    request: WorkerRequest,
    transfer: Transferable[],
  ): Promise<T> {
    if (this.closed) {
      return Promise.reject(new Error('The drift worker pool is closed'));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ request, transfer, resolve, reject });
      this.dispatch();
    });
  }

  stats(): DriftWorkerPoolStats {
    return {
      size: this.size,
      liveWorkers: this.workers.length,
      tasksCompleted: this.completed,
      tasksByThread: Object.fromEntries(this.tasksByThread),
      readsCompleted: this.readsCompleted,
      readsByThread: Object.fromEntries(this.readsByThread),
    };
  }

  /** Terminates the workers; queued tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      pending.reject(new Error('The drift worker pool was closed'));
    }
    const workers = this.workers.splice(0);
    await Promise.all(
      workers.map(async w => {
        w.current?.reject(new Error('The drift worker pool was closed'));
        w.current = undefined;
        await w.worker.terminate();
      }),
    );
  }

  private spawn(): PoolWorker {
    if (!this.transformResolved) {
      this.transform = resolveTransform();
      this.transformResolved = true;
    }
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: {
        marker: DRIFT_WORKER_MARKER,
        entry: DRIFT_WORKER_FILENAME,
        transform: this.transform,
      },
    });
    const entry: PoolWorker = { worker };
    worker.on('message', (response: WorkerResponse) =>
      this.onMessage(entry, response),
    );
    worker.on('error', (error: unknown) =>
      this.onFailure(
        entry,
        error instanceof Error ? error : new Error(String(error)),
      ),
    );
    worker.on('exit', code => {
      if (!this.closed && this.workers.includes(entry)) {
        this.onFailure(
          entry,
          new Error(`A drift worker thread exited unexpectedly (code ${code})`),
        );
      }
    });
    this.workers.push(entry);
    return entry;
  }

  private onMessage(entry: PoolWorker, response: WorkerResponse) {
    const pending = entry.current;
    entry.current = undefined;
    entry.worker.unref();
    if (pending && pending.request.id === response.id) {
      const byThread =
        pending.request.kind === 'read'
          ? this.readsByThread
          : this.tasksByThread;
      if (pending.request.kind === 'read') {
        this.readsCompleted++;
      } else {
        this.completed++;
      }
      byThread.set(
        response.threadId,
        (byThread.get(response.threadId) ?? 0) + 1,
      );
      if (response.ok) {
        pending.resolve(response.result);
      } else {
        pending.reject(reviveError(response.error));
      }
    }
    this.dispatch();
  }

  private onFailure(entry: PoolWorker, error: Error) {
    const index = this.workers.indexOf(entry);
    if (index >= 0) {
      this.workers.splice(index, 1);
    }
    const pending = entry.current;
    entry.current = undefined;
    entry.worker.terminate().catch(() => undefined);
    if (pending) {
      pending.reject(error);
    } else if (this.workers.length === 0) {
      // the worker could not even start: fail what is waiting
      for (const queued of this.queue.splice(0)) {
        queued.reject(error);
      }
    }
    this.dispatch();
  }

  private dispatch() {
    while (this.queue.length > 0 && !this.closed) {
      let idle = this.workers.find(w => !w.current);
      if (!idle) {
        if (this.workers.length >= this.size) {
          return;
        }
        idle = this.spawn();
      }
      const pending = this.queue.shift()!;
      idle.current = pending;
      idle.worker.ref();
      idle.worker.postMessage(pending.request, pending.transfer);
    }
  }
}

let defaultPool: DriftWorkerPool | undefined;

/**
 * The process-wide pool used when a caller passes none (2 workers). Idle
 * workers do not keep the process alive.
 *
 * @public
 */
export function getDefaultDriftWorkerPool(): DriftWorkerPool {
  if (!defaultPool) {
    defaultPool = new DriftWorkerPool();
  }
  return defaultPool;
}
