import type { MessagePort } from 'node:worker_threads';
import type { ColumnTask } from '../engine/columnDrift';
import type { ColumnDriftResult } from '../engine/types';
import type { ColumnSelection, DataFormat, LoadedDataset } from '../io/types';

/**
 * Where a read task gets its bytes: a file the worker opens itself, bytes
 * copied to the worker, or a MessagePort on which the calling thread
 * forwards the chunks of a stream (see `io/streamChannel`).
 */
export type ReadTaskSource =
  | { kind: 'path'; path: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'port'; port: MessagePort };

/**
 * One part of a CSV file split at line boundaries: byte offsets
 * `splitAt[part]` to `splitAt[part + 1]` (each moved to the next line
 * start), the header read from the start of the file.
 */
export interface CsvPart {
  part: number;
  splitAt: number[];
}

/** Reads (part of) a source into columns, on a worker thread. */
export interface ReadTask {
  source: ReadTaskSource;
  format: DataFormat;
  name: string;
  columns?: ColumnSelection;
  csvPart?: CsvPart;
}

/** Message from the main thread to a drift worker. */
export type WorkerRequest =
  | { id: number; kind: 'column'; task: ColumnTask }
  | { id: number; kind: 'read'; task: ReadTask };

/** A serialised error. */
export interface WorkerError {
  name: string;
  message: string;
  stack?: string;
}

/** Message from a drift worker back to the main thread. */
export type WorkerResponse =
  | {
      id: number;
      ok: true;
      kind: 'column';
      result: ColumnDriftResult;
      threadId: number;
    }
  | {
      id: number;
      ok: true;
      kind: 'read';
      result: LoadedDataset;
      threadId: number;
    }
  | { id: number; ok: false; error: WorkerError; threadId: number };

/** Marks the worker data of drift workers. */
export const DRIFT_WORKER_MARKER = 'synth-mlops-drift-worker';

/**
 * Name of the error a CSV part raises when its byte range holds a quote
 * character: a quoted field may span lines, so the split is not safe and
 * the file is read by one worker instead.
 */
export const CSV_SPLIT_UNSAFE = 'CsvSplitUnsafeError';
