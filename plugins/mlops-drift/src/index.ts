/**
 * Drift engine of the mlops plugin: Evidently's default per-column drift
 * tests and operators, with numbers equal to scipy's, computed on worker
 * threads from CSV, Parquet, JSON Lines or in-memory columns.
 *
 * @packageDocumentation
 */

export { computeDriftReport, SKIP_REASONS } from './engine/computeDriftReport';
export type { ComputeDriftReportInput } from './engine/computeDriftReport';
export {
  columnTypesSchema,
  DEFAULT_DRIFT_SHARE,
  DEFAULT_MAX_HISTOGRAM_CATEGORIES,
  driftOptionsSchema,
  parseColumnTypes,
  parseDriftOptions,
} from './engine/options';
export type { DriftOptions } from './engine/options';
export {
  DRIFT_METHOD_INFO,
  isDrifted,
  selectDefaultMethod,
  SMALL_REFERENCE_MAX_ROWS,
} from './engine/methods';
export type { DriftMethodInfo } from './engine/methods';
export { COLUMN_TYPES, DRIFT_METHODS } from './engine/types';
export type {
  CategoricalColumnData,
  CategoryValue,
  ColumnData,
  ColumnDriftDetails,
  ColumnDriftResult,
  ColumnHistogram,
  ColumnType,
  Comparison,
  DriftMethod,
  DriftReport,
  FeatureType,
  NumericColumnData,
  SkippedColumn,
} from './engine/types';
export { readDataset, formatFromPath, describeSource } from './io/readDataset';
export { columnTypesFromDatasetEntity } from './io/datasetEntity';
export type { InMemoryColumn, InMemoryDataset } from './io/inMemory';
export { DATA_FORMATS } from './io/types';
export type {
  ColumnSelection,
  DataFormat,
  DataSource,
  LoadedDataset,
} from './io/types';
export {
  DEFAULT_DRIFT_WORKERS,
  DriftWorkerPool,
  getDefaultDriftWorkerPool,
} from './worker/pool';
export type {
  DriftWorkerPoolOptions,
  DriftWorkerPoolStats,
} from './worker/pool';
// the worker entry point; exported so that bundlers keep it next to the pool
export { DRIFT_WORKER_FILENAME, startDriftWorker } from './worker/driftWorker';
export * as driftStats from './stats';
export { runDriftCli } from './cli/main';
