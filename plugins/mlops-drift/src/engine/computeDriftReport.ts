import { InputError } from '@backstage/errors';
import { Transferable } from 'node:worker_threads';
import { InMemoryDataset, loadInMemoryDataset } from '../io/inMemory';
import { readDatasetInWorkers } from '../io/workerRead';
import { ColumnSelection, DataSource, LoadedDataset } from '../io/types';
import { DriftWorkerPool, getDefaultDriftWorkerPool } from '../worker/pool';
import { ColumnTask } from './columnDrift';
import {
  DEFAULT_DRIFT_SHARE,
  DEFAULT_MAX_HISTOGRAM_CATEGORIES,
  DriftOptions,
  parseColumnTypes,
  parseDriftOptions,
  resolveColumnMethod,
  resolveColumnThreshold,
} from './options';
import {
  ColumnData,
  ColumnDriftResult,
  ColumnType,
  DriftReport,
  FeatureType,
  SkippedColumn,
} from './types';

/**
 * Input of {@link computeDriftReport}.
 *
 * @public
 */
export interface ComputeDriftReportInput {
  /** A file, bytes or stream (plus format), or columns in memory. */
  reference: DataSource | InMemoryDataset;
  current: DataSource | InMemoryDataset;
  /**
   * Column types, e.g. from the Dataset entity's schema. Only these columns
   * are compared. Without them every reference column is compared and its
   * type inferred from the reference values.
   */
  columnTypes?: Record<string, ColumnType>;
  options?: DriftOptions;
  /** Worker pool to use; the process-wide default pool (2 workers) otherwise. */
  pool?: DriftWorkerPool;
  /**
   * Move in-memory column buffers to the workers instead of copying them.
   * The caller's arrays are unusable afterwards. Data read from files is
   * always moved.
   */
  transferInMemoryBuffers?: boolean;
}

/** Why text and datetime columns are not tested. */
export const SKIP_REASONS: Record<'text' | 'datetime', string> = {
  text: 'text columns are not tested: Evidently tests text with a domain classifier (perc/abs_text_content_drift), which this engine does not implement',
  datetime:
    'datetime columns are not tested (Evidently leaves them out of data drift)',
};

function isInMemory(
  input: DataSource | InMemoryDataset,
): input is InMemoryDataset {
  return (
    typeof (input as InMemoryDataset).columns === 'object' &&
    !('path' in input) &&
    !('data' in input)
  );
}

async function load(
  input: DataSource | InMemoryDataset,
  selection: ColumnSelection | undefined,
  defaultName: string,
  pool: DriftWorkerPool,
): Promise<LoadedDataset> {
  if (isInMemory(input)) {
    return loadInMemoryDataset(input, selection, defaultName);
  }
  return readDatasetInWorkers(input, selection, pool);
}

function featureTypeOf(type: ColumnType): FeatureType {
  return type === 'numerical' ? 'numerical' : 'categorical';
}

function buffersOf(
  data: ColumnData,
  seen: Set<ArrayBufferLike>,
): Transferable[] {
  const view = data.kind === 'numeric' ? data.values : data.codes;
  const buffer = view.buffer;
  // only whole, unshared, not yet listed buffers can be moved (tag check,
  // not instanceof: the array may come from another realm, e.g. a vm context)
  if (
    Object.prototype.toString.call(buffer) === '[object ArrayBuffer]' &&
    view.byteOffset === 0 &&
    view.byteLength === buffer.byteLength &&
    !seen.has(buffer)
  ) {
    seen.add(buffer);
    return [buffer as ArrayBuffer];
  }
  return [];
}

function checkOverrideColumns(
  options: DriftOptions,
  columns: ReadonlySet<string>,
) {
  for (const [key, map] of [
    ['perColumnMethod', options.perColumnMethod],
    ['perColumnThreshold', options.perColumnThreshold],
  ] as const) {
    for (const column of Object.keys(map ?? {})) {
      if (!columns.has(column)) {
        throw new InputError(
          `${key} refers to column '${column}', which is not among the compared columns`,
        );
      }
    }
  }
}

/**
 * Computes a drift report: per-column tests chosen and judged as Evidently
 * does (or as overridden), numbers equal to scipy's, and the dataset-level
 * verdict share ≥ driftShare. Sources are parsed on the pool's worker
 * threads with streaming parsers (the calling thread only forwards stream
 * chunks and moves column buffers); every column test runs on a worker
 * thread.
 *
 * Errors caused by the input (unknown or missing columns, empty columns,
 * type mismatches, unreadable or malformed sources, invalid options) are
 * InputErrors whose message names the column or the source.
 *
 * @public
 */
export async function computeDriftReport(
  input: ComputeDriftReportInput,
): Promise<DriftReport> {
  const options = parseDriftOptions(input.options);
  const declared =
    input.columnTypes === undefined
      ? undefined
      : parseColumnTypes(input.columnTypes);
  if (declared && Object.keys(declared).length === 0) {
    throw new InputError('No columns to compare: the column types are empty');
  }

  const pool = input.pool ?? getDefaultDriftWorkerPool();
  // one source after the other keeps at most one source's parse buffers alive;
  // without declared types the current data is read with the reference's
  const reference = await load(input.reference, declared, 'reference', pool);
  const current = await load(
    input.current,
    declared ?? reference.types,
    'current',
    pool,
  );
  const types: Record<string, ColumnType> = declared ?? reference.types;

  const compared = Object.keys(types);
  checkOverrideColumns(options, new Set(compared));

  const skipped: SkippedColumn[] = [];
  const tasks: Array<{ task: ColumnTask; transfer: Transferable[] }> = [];
  const transferred = new Set<ArrayBufferLike>();
  const maxHistogramCategories =
    options.maxHistogramCategories ?? DEFAULT_MAX_HISTOGRAM_CATEGORIES;
  for (const column of compared) {
    const type = types[column];
    if (type === 'text' || type === 'datetime') {
      skipped.push({ column, type, reason: SKIP_REASONS[type] });
      continue;
    }
    const featureType = featureTypeOf(type);
    const referenceData = reference.columns[column];
    const currentData = current.columns[column];
    const task: ColumnTask = {
      column,
      type,
      reference: referenceData,
      current: currentData,
      referenceName: reference.name,
      currentName: current.name,
      method: resolveColumnMethod(options, column, featureType),
      threshold: resolveColumnThreshold(options, column, featureType),
      maxHistogramCategories,
    };
    const transfer: Transferable[] = [];
    if (!isInMemory(input.reference) || input.transferInMemoryBuffers) {
      transfer.push(...buffersOf(referenceData, transferred));
    }
    if (!isInMemory(input.current) || input.transferInMemoryBuffers) {
      transfer.push(...buffersOf(currentData, transferred));
    }
    tasks.push({ task, transfer });
  }
  if (tasks.length === 0) {
    throw new InputError(
      'No columns to compare: every column is text or datetime, which are not tested',
    );
  }

  const settled = await Promise.allSettled(
    tasks.map(({ task, transfer }) => pool.run(task, transfer)),
  );
  const columns: ColumnDriftResult[] = [];
  for (const outcome of settled) {
    if (outcome.status === 'rejected') {
      throw outcome.reason;
    }
    columns.push(outcome.value);
  }

  const driftShareThreshold = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  const numberOfDriftedColumns = columns.filter(c => c.drifted).length;
  const driftShare = numberOfDriftedColumns / columns.length;
  return {
    dataset: {
      driftShare,
      drifted: driftShare >= driftShareThreshold,
      driftShareThreshold,
      numberOfColumns: columns.length,
      numberOfDriftedColumns,
    },
    columns,
    skipped,
    reference: { name: reference.name, rows: reference.rows },
    current: { name: current.name, rows: current.rows },
  };
}
