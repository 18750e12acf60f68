import { InputError } from '@backstage/errors';
import {
  AsyncBuffer,
  DecodedArray,
  FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  SchemaTree,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { CategoryValue, ColumnData, ColumnType } from '../engine/types';
import { missingColumnError, UNREAD_TYPES } from './collector';
import { LoadedDataset, ReaderRequest } from './types';

/** Type a Parquet column maps to when no type is declared. */
export function inferParquetColumnType(node: SchemaTree): ColumnType {
  const {
    type,
    logical_type: logical,
    converted_type: converted,
  } = node.element;
  if (node.children.length > 0) {
    return 'text';
  }
  const logicalType = logical?.type;
  if (
    logicalType === 'DATE' ||
    logicalType === 'TIME' ||
    logicalType === 'TIMESTAMP' ||
    converted === 'DATE' ||
    converted === 'TIMESTAMP_MILLIS' ||
    converted === 'TIMESTAMP_MICROS' ||
    converted === 'TIME_MILLIS' ||
    converted === 'TIME_MICROS' ||
    type === 'INT96'
  ) {
    return 'datetime';
  }
  switch (type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
    case 'FLOAT':
    case 'DOUBLE':
      return 'numerical';
    default:
      if (logicalType === 'DECIMAL' || logicalType === 'FLOAT16') {
        return 'numerical';
      }
      return 'categorical';
  }
}

function isIntegerPhysical(node: SchemaTree): boolean {
  const logicalType = node.element.logical_type?.type;
  return (
    (node.element.type === 'INT32' || node.element.type === 'INT64') &&
    logicalType !== 'DECIMAL'
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  }
  if (value instanceof Date) {
    return `a date (${value.toISOString()})`;
  }
  return typeof value === 'object' ? 'an object' : String(value);
}

interface Sink {
  write(values: DecodedArray, rowStart: number): void;
  finish(): ColumnData;
}

class NumericSink implements Sink {
  private readonly values: Float64Array;
  private integer: boolean;
  error?: InputError;
  private errorRow = 0;

  constructor(
    rows: number,
    integerPhysical: boolean,
    private readonly column: string,
    private readonly source: string,
  ) {
    this.values = new Float64Array(rows);
    this.integer = integerPhysical;
  }

  write(values: DecodedArray, rowStart: number) {
    if (
      values instanceof Float64Array ||
      values instanceof Float32Array ||
      values instanceof Int32Array ||
      values instanceof Uint32Array
    ) {
      this.values.set(values, rowStart);
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const v: unknown = values[i];
      let x: number;
      if (typeof v === 'number') {
        x = v;
      } else if (typeof v === 'bigint') {
        x = Number(v);
      } else if (v === null || v === undefined) {
        x = NaN;
        this.integer = false;
      } else {
        // row groups may arrive out of order: keep the first row's error
        if (!this.error || rowStart + i < this.errorRow) {
          this.errorRow = rowStart + i;
          this.error = new InputError(
            `Type mismatch in column '${this.column}' of ${
              this.source
            }: declared numerical, but row ${rowStart + i + 1} has ${describe(
              v,
            )}`,
          );
        }
        return;
      }
      this.values[rowStart + i] = x;
    }
  }

  finish(): ColumnData {
    return { kind: 'numeric', values: this.values, integer: this.integer };
  }
}

class CategorySink implements Sink {
  private readonly codes: Int32Array;
  private readonly index = new Map<CategoryValue, number>();
  private readonly categories: CategoryValue[] = [];
  error?: InputError;
  private errorRow = 0;

  constructor(
    rows: number,
    private readonly type: 'categorical' | 'boolean',
    private readonly column: string,
    private readonly source: string,
  ) {
    this.codes = new Int32Array(rows).fill(-1);
  }

  private toCategory(v: unknown): CategoryValue | null | undefined {
    if (v === null || v === undefined) {
      return null;
    }
    if (this.type === 'boolean') {
      if (typeof v === 'boolean') {
        return v;
      }
      if (v === 0 || v === 1 || v === 0n || v === 1n) {
        return v === 1 || v === 1n;
      }
      if (typeof v === 'string') {
        const lower = v.trim().toLowerCase();
        if (lower === 'true' || lower === 'false') {
          return lower === 'true';
        }
      }
      return undefined;
    }
    switch (typeof v) {
      case 'string':
      case 'number':
      case 'boolean':
        return v;
      case 'bigint':
        return Number(v);
      default:
        return v instanceof Date ? v.toISOString() : undefined;
    }
  }

  write(values: DecodedArray, rowStart: number) {
    for (let i = 0; i < values.length; i++) {
      const v: unknown = values[i];
      const category = this.toCategory(v);
      if (category === undefined) {
        // row groups may arrive out of order: keep the first row's error
        if (!this.error || rowStart + i < this.errorRow) {
          this.errorRow = rowStart + i;
          this.error = new InputError(
            `Type mismatch in column '${this.column}' of ${
              this.source
            }: declared ${this.type}, but row ${
              rowStart + i + 1
            } has ${describe(v)}`,
          );
        }
        return;
      }
      if (category === null) {
        continue;
      }
      let code = this.index.get(category);
      if (code === undefined) {
        code = this.categories.length;
        this.index.set(category, code);
        this.categories.push(category);
      }
      this.codes[rowStart + i] = code;
    }
  }

  finish(): ColumnData {
    return {
      kind: 'categorical',
      codes: this.codes,
      categories: this.categories,
    };
  }
}

/**
 * Reads the requested columns of a Parquet file with hyparquet, one column
 * at a time. Only that column's chunks are fetched from the AsyncBuffer (a
 * file is read by byte range); each chunk is decoded straight into the
 * column's preallocated typed array. Compression: snappy, gzip, zstd, brotli, lz4
 * (hyparquet-compressors).
 */
export async function readParquet(
  file: AsyncBuffer,
  request: ReaderRequest,
): Promise<LoadedDataset> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new InputError(
      `Cannot read ${request.name} as Parquet: ${(error as Error).message}`,
    );
  }
  const schema = parquetSchema(metadata);
  const nodes = new Map(schema.children.map(c => [c.element.name, c]));
  const available = schema.children.map(c => c.element.name);
  const rows = Number(metadata.num_rows);

  const selection: Record<string, ColumnType> = {};
  if (request.columns) {
    for (const [column, type] of Object.entries(request.columns)) {
      const node = nodes.get(column);
      if (!node) {
        throw missingColumnError(column, request.name, available);
      }
      selection[column] = type === 'auto' ? inferParquetColumnType(node) : type;
    }
  } else {
    for (const [column, node] of nodes) {
      selection[column] = inferParquetColumnType(node);
    }
  }

  const sinks = new Map<string, NumericSink | CategorySink>();
  for (const [column, type] of Object.entries(selection)) {
    if (UNREAD_TYPES.has(type)) {
      continue;
    }
    const node = nodes.get(column)!;
    if (type === 'numerical') {
      sinks.set(
        column,
        new NumericSink(rows, isIntegerPhysical(node), column, request.name),
      );
    } else {
      sinks.set(
        column,
        new CategorySink(
          rows,
          type === 'boolean' ? 'boolean' : 'categorical',
          column,
          request.name,
        ),
      );
    }
  }

  // one column at a time: only that column's chunks are fetched and decoded,
  // so memory holds the output arrays plus one column chunk, not the file
  for (const [column, sink] of sinks) {
    try {
      await parquetRead({
        file,
        metadata,
        columns: [column],
        compressors,
        onChunk: chunk => sink.write(chunk.columnData, chunk.rowStart),
      });
    } catch (error) {
      throw new InputError(
        `Cannot read ${request.name} as Parquet: ${(error as Error).message}`,
      );
    }
    if (sink.error) {
      throw sink.error;
    }
  }

  const columns: Record<string, ColumnData> = {};
  for (const [column, sink] of sinks) {
    columns[column] = sink.finish();
  }
  return {
    name: request.name,
    rows,
    availableColumns: available,
    columns,
    types: selection,
  };
}
