import { InputError } from '@backstage/errors';
import { ColumnData, ColumnType } from '../engine/types';
import { builderFor, ColumnBuilder } from './builders';
import { ColumnSelection, LoadedDataset } from './types';

/** Column types that are checked for presence but never read. */
export const UNREAD_TYPES: ReadonlySet<ColumnType | 'auto'> = new Set([
  'text',
  'datetime',
]);

function listColumns(columns: string[]): string {
  if (columns.length === 0) {
    return 'it has no columns';
  }
  const shown = columns.slice(0, 20).join(', ');
  return `it has ${columns.length > 20 ? `${shown}, …` : shown}`;
}

/** Error for a requested column the source does not have. */
export function missingColumnError(
  column: string,
  source: string,
  available: string[],
): InputError {
  return new InputError(
    `Column '${column}' is missing from ${source}; ${listColumns(available)}`,
  );
}

/**
 * Holds one builder per column being read and turns them into a
 * {@link LoadedDataset}.
 */
export class ColumnCollector {
  readonly builders = new Map<string, ColumnBuilder>();
  private available: string[] = [];
  private readonly availableSet = new Set<string>();

  constructor(
    private readonly sourceName: string,
    private readonly selection: ColumnSelection | undefined,
    private readonly numericStrings?: (s: string) => number | undefined,
  ) {}

  /**
   * For sources whose column names are known up front (CSV header, Parquet
   * schema): creates the builders and fails on missing or duplicate columns.
   */
  plan(available: string[]): Array<{ column: string; builder: ColumnBuilder }> {
    this.available = available;
    available.forEach(name => this.availableSet.add(name));
    const seen = new Set<string>();
    for (const name of available) {
      if (seen.has(name) && (!this.selection || name in this.selection)) {
        throw new InputError(
          `Column '${name}' appears more than once in ${this.sourceName}`,
        );
      }
      seen.add(name);
    }
    const wanted: Array<[string, ColumnType | 'auto']> = this.selection
      ? Object.entries(this.selection)
      : available.map(name => [name, 'auto']);
    const planned: Array<{ column: string; builder: ColumnBuilder }> = [];
    for (const [column, type] of wanted) {
      if (!seen.has(column)) {
        throw missingColumnError(column, this.sourceName, available);
      }
      if (UNREAD_TYPES.has(type)) {
        continue;
      }
      const builder = builderFor(type, this.numericStrings);
      this.builders.set(column, builder);
      planned.push({ column, builder });
    }
    return planned;
  }

  /**
   * For schemaless sources (JSON Lines): the builder for a column, created on
   * first sight with `backfill` missing values in front.
   */
  discover(column: string, backfill: number): ColumnBuilder | undefined {
    let builder = this.builders.get(column);
    if (builder) {
      return builder;
    }
    this.sawColumn(column);
    const type: ColumnType | 'auto' | undefined = this.selection
      ? this.selection[column]
      : 'auto';
    if (type === undefined || UNREAD_TYPES.has(type)) {
      return undefined;
    }
    builder = builderFor(type, this.numericStrings);
    for (let i = 0; i < backfill; i++) {
      builder.add(
        { kind: 'missing' },
        {
          source: this.sourceName,
          column,
          line: i + 1,
          unit: 'line',
        },
      );
    }
    this.builders.set(column, builder);
    return builder;
  }

  /** Notes a column name seen in a schemaless source. */
  sawColumn(column: string) {
    if (!this.availableSet.has(column)) {
      this.availableSet.add(column);
      this.available.push(column);
    }
  }

  finish(rows: number): LoadedDataset {
    if (this.selection) {
      for (const column of Object.keys(this.selection)) {
        if (!this.availableSet.has(column)) {
          throw missingColumnError(column, this.sourceName, this.available);
        }
      }
    }
    const columns: Record<string, ColumnData> = {};
    const types: Record<string, ColumnType> = {};
    for (const [column, builder] of this.builders) {
      const { data, type } = builder.finish();
      columns[column] = data;
      types[column] = type;
    }
    if (this.selection) {
      for (const [column, type] of Object.entries(this.selection)) {
        if (type !== 'auto' && UNREAD_TYPES.has(type)) {
          types[column] = type;
        }
      }
    }
    return {
      name: this.sourceName,
      rows,
      availableColumns: this.available.slice(),
      columns,
      types,
    };
  }
}
