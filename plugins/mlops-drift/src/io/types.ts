import { Readable } from 'node:stream';
import { ColumnData, ColumnType } from '../engine/types';

/** Supported file formats. @public */
export type DataFormat = 'csv' | 'parquet' | 'jsonl';

/** All supported formats. @public */
export const DATA_FORMATS: readonly DataFormat[] = ['csv', 'parquet', 'jsonl'];

/**
 * Where a dataset comes from: a file path (format from the extension unless
 * given), or bytes / a stream plus a format, e.g. what Backstage's UrlReader
 * returns. `name` labels the source in errors and reports.
 *
 * @public
 */
export type DataSource =
  | { path: string; format?: DataFormat; name?: string }
  | { data: Buffer | Uint8Array | Readable; format: DataFormat; name?: string };

/**
 * The columns to read: declared types, or 'auto' to infer a column's type
 * from its values. Text and datetime columns are checked for presence but
 * not read.
 *
 * @public
 */
export type ColumnSelection = Record<string, ColumnType | 'auto'>;

/**
 * A dataset read into columnar memory.
 *
 * @public
 */
export interface LoadedDataset {
  name: string;
  rows: number;
  /** Every column name the source has, in source order. */
  availableColumns: string[];
  /** Data of the columns that were read. */
  columns: Record<string, ColumnData>;
  /** Declared or inferred types of the columns that were read. */
  types: Record<string, ColumnType>;
}

/** Options for a format reader. */
export interface ReaderRequest {
  name: string;
  /** Columns to read; undefined reads every column with type inference. */
  columns?: ColumnSelection;
}
