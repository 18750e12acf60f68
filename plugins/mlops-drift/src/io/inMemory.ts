import { InputError } from '@backstage/errors';
import { ColumnData, ColumnType } from '../engine/types';
import { builderFor, CellLocation, CellValue } from './builders';
import { missingColumnError, UNREAD_TYPES } from './collector';
import { ColumnSelection, LoadedDataset } from './types';

/**
 * One in-memory column: numbers (a Float64Array or an array; NaN, null and
 * undefined are missing), an array of categories or booleans, or data
 * already in the engine's encoding.
 *
 * @public
 */
export type InMemoryColumn =
  | Float64Array
  | ReadonlyArray<number | string | boolean | null | undefined>
  | ColumnData;

/**
 * A dataset held in memory, column by column.
 *
 * @public
 */
export interface InMemoryDataset {
  name?: string;
  columns: Record<string, InMemoryColumn>;
}

function isColumnData(column: InMemoryColumn): column is ColumnData {
  return (
    !ArrayBuffer.isView(column) &&
    !Array.isArray(column) &&
    typeof (column as ColumnData).kind === 'string'
  );
}

function columnLength(column: InMemoryColumn): number {
  if (isColumnData(column)) {
    return column.kind === 'numeric'
      ? column.values.length
      : column.codes.length;
  }
  return (column as ArrayLike<unknown>).length;
}

function cellOf(value: unknown): CellValue {
  if (value === null || value === undefined) {
    return { kind: 'missing' };
  }
  switch (typeof value) {
    case 'number':
      return { kind: 'number', value, integerLiteral: Number.isInteger(value) };
    case 'boolean':
      return { kind: 'boolean', value };
    case 'string':
      return { kind: 'string', value };
    default:
      return { kind: 'other', description: typeof value };
  }
}

function isIntegerColumn(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) {
      return false;
    }
  }
  return values.length > 0;
}

function convertColumn(
  column: InMemoryColumn,
  type: ColumnType | 'auto',
  name: string,
  source: string,
): { data: ColumnData; type: ColumnType } {
  if (isColumnData(column)) {
    if (type === 'auto') {
      return {
        data: column,
        type: column.kind === 'numeric' ? 'numerical' : 'categorical',
      };
    }
    const wanted = type === 'numerical' ? 'numeric' : 'categorical';
    if (column.kind !== wanted) {
      throw new InputError(
        `Type mismatch in column '${name}' of ${source}: declared ${type}, but the data is ${column.kind}`,
      );
    }
    return { data: column, type };
  }
  if (
    column instanceof Float64Array &&
    (type === 'numerical' || type === 'auto')
  ) {
    // NaN marks missing values; they also make pandas use a float dtype
    return {
      data: {
        kind: 'numeric',
        values: column,
        integer: isIntegerColumn(column),
      },
      type: 'numerical',
    };
  }
  const builder = builderFor(type);
  const location: CellLocation = { source, column: name, line: 0, unit: 'row' };
  const values = column as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    location.line = i + 1;
    const v = values[i];
    builder.add(
      typeof v === 'number' && Number.isNaN(v)
        ? { kind: 'missing' }
        : cellOf(v),
      location,
    );
  }
  return builder.finish();
}

/**
 * Brings an in-memory dataset into the engine's encoding, checking that the
 * selected columns exist, have matching types and equal lengths.
 */
export function loadInMemoryDataset(
  dataset: InMemoryDataset,
  selection: ColumnSelection | undefined,
  defaultName: string,
): LoadedDataset {
  const name = dataset.name ?? defaultName;
  const available = Object.keys(dataset.columns);
  const wanted: Array<[string, ColumnType | 'auto']> = selection
    ? Object.entries(selection)
    : available.map(c => [c, 'auto']);
  const columns: Record<string, ColumnData> = {};
  const types: Record<string, ColumnType> = {};
  let rows: number | undefined;
  for (const [column, type] of wanted) {
    const data = dataset.columns[column];
    if (data === undefined) {
      throw missingColumnError(column, name, available);
    }
    const length = columnLength(data);
    if (rows === undefined) {
      rows = length;
    } else if (length !== rows) {
      throw new InputError(
        `Column '${column}' of ${name} has ${length} rows, other columns have ${rows}`,
      );
    }
    if (type !== 'auto' && UNREAD_TYPES.has(type)) {
      types[column] = type;
      continue;
    }
    const converted = convertColumn(data, type, column, name);
    columns[column] = converted.data;
    types[column] = converted.type;
  }
  return {
    name,
    rows: rows ?? 0,
    availableColumns: available,
    columns,
    types,
  };
}
