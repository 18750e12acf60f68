import { InputError } from '@backstage/errors';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { MessageChannel } from 'node:worker_threads';
import { ColumnData, ColumnType, NumericColumnData } from '../engine/types';
import type { DriftWorkerPool } from '../worker/pool';
import type { ReadTask } from '../worker/protocol';
import { UNREAD_TYPES } from './collector';
import { describeSource, formatFromPath } from './readDataset';
import { forwardStream, ownsWholeBuffer } from './streamChannel';
import {
  ColumnSelection,
  DATA_FORMATS,
  DataFormat,
  DataSource,
  LoadedDataset,
} from './types';

/** CSV files below this size are read by one worker. */
export const CSV_SPLIT_MIN_BYTES = 4 << 20;

/** Bytes of an in-memory CSV or JSON Lines source sent to the worker at a time. */
const BYTES_CHUNK = 1 << 20;

function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += BYTES_CHUNK) {
    // a copy per slice, transferred: the caller's buffer is neither moved
    // nor held twice
    yield new Uint8Array(bytes.subarray(offset, offset + BYTES_CHUNK));
  }
}

function readColumns(selection: ColumnSelection): string[] {
  return Object.entries(selection)
    .filter(([, type]) => !UNREAD_TYPES.has(type))
    .map(([column]) => column);
}

/**
 * Parquet: the selected columns in contiguous groups, one per worker (each
 * worker reads only its columns' chunks). Unread (text, datetime) columns go
 * with the first group, which checks that they exist.
 */
function parquetGroups(
  selection: ColumnSelection,
  workers: number,
): ColumnSelection[] | undefined {
  const read = readColumns(selection);
  const parts = Math.min(workers, read.length);
  if (parts < 2) {
    return undefined;
  }
  const groups: ColumnSelection[] = Array.from({ length: parts }, () => ({}));
  read.forEach((column, i) => {
    groups[Math.floor((i * parts) / read.length)][column] = selection[column];
  });
  for (const [column, type] of Object.entries(selection)) {
    if (UNREAD_TYPES.has(type)) {
      groups[0][column] = type;
    }
  }
  return groups;
}

/**
 * CSV: byte offsets splitting the file into one part per worker, when every
 * column read is declared numerical (parts then concatenate without
 * reconciling dictionaries or inferred types) and the file is large enough.
 */
async function csvSplit(
  path: string,
  selection: ColumnSelection,
  workers: number,
): Promise<number[] | undefined> {
  const read = readColumns(selection);
  if (
    workers < 2 ||
    read.length === 0 ||
    read.some(column => selection[column] !== 'numerical')
  ) {
    return undefined;
  }
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch {
    return undefined; // the single read reports it
  }
  if (size < CSV_SPLIT_MIN_BYTES) {
    return undefined;
  }
  return Array.from({ length: workers + 1 }, (_, i) =>
    Math.floor((i * size) / workers),
  );
}

function concatNumeric(parts: NumericColumnData[]): NumericColumnData {
  const length = parts.reduce((n, p) => n + p.values.length, 0);
  const values = new Float64Array(length);
  let offset = 0;
  for (const part of parts) {
    values.set(part.values, offset);
    offset += part.values.length;
  }
  return {
    kind: 'numeric',
    values,
    integer: length > 0 && parts.every(p => p.values.length === 0 || p.integer),
  };
}

/** Parts split by rows (CSV): numeric columns concatenated in order. */
function mergeRows(parts: LoadedDataset[]): LoadedDataset {
  const [first] = parts;
  const columns: Record<string, ColumnData> = {};
  for (const column of Object.keys(first.columns)) {
    columns[column] = concatNumeric(
      parts.map(p => p.columns[column] as NumericColumnData),
    );
  }
  return {
    ...first,
    rows: parts.reduce((n, p) => n + p.rows, 0),
    columns,
  };
}

/** Parts split by columns (Parquet): the union, in selection order. */
function mergeColumns(
  parts: LoadedDataset[],
  selection: ColumnSelection,
): LoadedDataset {
  const columns: Record<string, ColumnData> = {};
  const types: Record<string, ColumnType> = {};
  for (const column of Object.keys(selection)) {
    for (const part of parts) {
      if (column in part.types) {
        types[column] = part.types[column];
        if (part.columns[column]) {
          columns[column] = part.columns[column];
        }
        break;
      }
    }
  }
  return { ...parts[0], columns, types };
}

/**
 * Reads a source on the pool's worker threads; the calling thread only
 * orchestrates. Files are opened by the workers (a large CSV file of
 * numerical columns is split at line boundaries across the workers, a
 * Parquet file's columns are divided among them); a Readable's chunks are
 * forwarded to the worker with backpressure, transferred when they own
 * their memory; bytes are copied to the worker, in slices for CSV and JSON
 * Lines. Columns come back as transferred typed arrays. Errors are those of
 * {@link readDataset}: a split read that fails is read again in one piece,
 * so that row numbers and the first error are the file's own.
 */
export async function readDatasetInWorkers(
  source: DataSource,
  columns: ColumnSelection | undefined,
  pool: DriftWorkerPool,
): Promise<LoadedDataset> {
  const name = describeSource(source);
  if ('path' in source) {
    const format: DataFormat = source.format ?? formatFromPath(source.path);
    const task: ReadTask = {
      source: { kind: 'path', path: source.path },
      format,
      name,
      columns,
    };
    const split = columns ? await planSplit(task, columns, pool) : undefined;
    if (split) {
      try {
        return await split();
      } catch {
        // an unsafe CSV split (quoted fields) or an error: read in one piece
      }
    }
    return pool.read(task);
  }
  const { data, format } = source;
  if (!DATA_FORMATS.includes(format)) {
    throw new InputError(`Unsupported format '${format}' for ${name}`);
  }
  if (format === 'parquet' && data instanceof Uint8Array) {
    // the whole file is needed (its schema is in the footer): one copy
    const bytes = ownsWholeBuffer(data) ? data : new Uint8Array(data);
    return pool.read(
      { source: { kind: 'bytes', bytes }, format, name, columns },
      bytes === data ? [] : [bytes.buffer as ArrayBuffer],
    );
  }
  const stream =
    data instanceof Uint8Array ? Readable.from(slices(data)) : data;
  const { port1, port2 } = new MessageChannel();
  const forwarded = forwardStream(stream, port1);
  try {
    return await pool.read(
      { source: { kind: 'port', port: port2 }, format, name, columns },
      [port2],
    );
  } finally {
    forwarded.stop();
  }
}

/** All parts, settled before anything else is started; the first error. */
async function allParts(
  reads: Array<Promise<LoadedDataset>>,
): Promise<LoadedDataset[]> {
  const settled = await Promise.allSettled(reads);
  return settled.map(outcome => {
    if (outcome.status === 'rejected') {
      throw outcome.reason;
    }
    return outcome.value;
  });
}

async function planSplit(
  task: ReadTask,
  selection: ColumnSelection,
  pool: DriftWorkerPool,
): Promise<(() => Promise<LoadedDataset>) | undefined> {
  if (task.format === 'parquet') {
    const groups = parquetGroups(selection, pool.size);
    return (
      groups &&
      (async () =>
        mergeColumns(
          await allParts(
            groups.map(group => pool.read({ ...task, columns: group })),
          ),
          selection,
        ))
    );
  }
  if (task.format === 'csv' && task.source.kind === 'path') {
    const splitAt = await csvSplit(task.source.path, selection, pool.size);
    return (
      splitAt &&
      (async () =>
        mergeRows(
          await allParts(
            splitAt
              .slice(1)
              .map((_, part) =>
                pool.read({ ...task, csvPart: { part, splitAt } }),
              ),
          ),
        ))
    );
  }
  return undefined;
}
