import { InputError } from '@backstage/errors';
import {
  CategoricalColumnData,
  CategoryValue,
  ColumnData,
  ColumnType,
  NumericColumnData,
} from '../engine/types';

/** What a reader found for one value of a column. */
export type CellValue =
  | { kind: 'missing' }
  | { kind: 'number'; value: number; integerLiteral: boolean }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'other'; description: string };

/** Where a value came from, for error messages. */
export interface CellLocation {
  source: string;
  column: string;
  /** 1-based line (CSV, JSONL) or row (Parquet) number. */
  line: number;
  unit: 'line' | 'row';
}

/** Appends the values of one column and produces its {@link ColumnData}. */
export interface ColumnBuilder {
  add(cell: CellValue, location: CellLocation): void;
  /** Column type this builder ended up with ('auto' builders decide at the end). */
  finish(): { data: ColumnData; type: ColumnType };
  readonly length: number;
}

function describeCell(cell: CellValue): string {
  switch (cell.kind) {
    case 'string':
      return `'${
        cell.value.length > 40 ? `${cell.value.slice(0, 40)}…` : cell.value
      }'`;
    case 'boolean':
      return String(cell.value);
    case 'number':
      return String(cell.value);
    case 'other':
      return cell.description;
    default:
      return 'a missing value';
  }
}

function mismatch(expected: string, cell: CellValue, at: CellLocation) {
  return new InputError(
    `Type mismatch in column '${at.column}' of ${
      at.source
    }: declared ${expected}, but ${at.unit} ${at.line} has ${describeCell(
      cell,
    )}`,
  );
}

class GrowableFloat64 {
  private buffer = new Float64Array(1024);
  length = 0;

  push(value: number) {
    if (this.length === this.buffer.length) {
      const next = new Float64Array(this.buffer.length * 2);
      next.set(this.buffer);
      this.buffer = next;
    }
    this.buffer[this.length++] = value;
  }

  toArray(): Float64Array {
    return this.buffer.slice(0, this.length);
  }
}

class GrowableInt32 {
  private buffer = new Int32Array(1024);
  length = 0;

  push(value: number) {
    if (this.length === this.buffer.length) {
      const next = new Int32Array(this.buffer.length * 2);
      next.set(this.buffer);
      this.buffer = next;
    }
    this.buffer[this.length++] = value;
  }

  toArray(): Int32Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Numbers into a Float64Array; missing values become NaN. */
export class NumericBuilder implements ColumnBuilder {
  private readonly values = new GrowableFloat64();
  private integer = true;

  get length() {
    return this.values.length;
  }

  add(cell: CellValue, at: CellLocation) {
    if (cell.kind === 'number') {
      this.values.push(cell.value);
      if (!cell.integerLiteral) {
        this.integer = false;
      }
    } else if (cell.kind === 'missing') {
      this.values.push(NaN);
      this.integer = false;
    } else {
      throw mismatch('numerical', cell, at);
    }
  }

  finish(): { data: NumericColumnData; type: ColumnType } {
    return {
      data: {
        kind: 'numeric',
        values: this.values.toArray(),
        integer: this.integer && this.values.length > 0,
      },
      type: 'numerical',
    };
  }
}

class Dictionary {
  readonly index = new Map<CategoryValue, number>();
  readonly values: CategoryValue[] = [];
  readonly codes = new GrowableInt32();

  push(value: CategoryValue) {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.index.set(value, code);
      this.values.push(value);
    }
    this.codes.push(code);
  }

  pushMissing() {
    this.codes.push(-1);
  }

  toColumn(): CategoricalColumnData {
    return {
      kind: 'categorical',
      codes: this.codes.toArray(),
      categories: this.values.slice(),
    };
  }
}

/**
 * Categories into a dictionary encoding. Strings that all look like numbers
 * become numeric categories at the end (pandas reads such a CSV column as
 * numbers), so '01' and '1' are the same category, as in pandas.
 */
export class CategoricalBuilder implements ColumnBuilder {
  private readonly dictionary = new Dictionary();

  constructor(
    private readonly numericStrings?: (s: string) => number | undefined,
  ) {}

  get length() {
    return this.dictionary.codes.length;
  }

  add(cell: CellValue, at: CellLocation) {
    switch (cell.kind) {
      case 'missing':
        this.dictionary.pushMissing();
        return;
      case 'number':
      case 'boolean':
      case 'string':
        this.dictionary.push(cell.value);
        return;
      default:
        throw mismatch('categorical', cell, at);
    }
  }

  finish(): { data: CategoricalColumnData; type: ColumnType } {
    const column = this.dictionary.toColumn();
    const parse = this.numericStrings;
    if (parse && column.categories.length > 0) {
      const parsed = column.categories.map(c =>
        typeof c === 'string' ? parse(c) : undefined,
      );
      if (parsed.every(v => v !== undefined)) {
        return {
          data: recode(column, parsed as number[]),
          type: 'categorical',
        };
      }
    }
    return { data: column, type: 'categorical' };
  }
}

function recode(
  column: CategoricalColumnData,
  newValues: CategoryValue[],
): CategoricalColumnData {
  const index = new Map<CategoryValue, number>();
  const categories: CategoryValue[] = [];
  const mapping = newValues.map(value => {
    let code = index.get(value);
    if (code === undefined) {
      code = categories.length;
      index.set(value, code);
      categories.push(value);
    }
    return code;
  });
  const codes = new Int32Array(column.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = column.codes[i];
    codes[i] = c < 0 ? -1 : mapping[c];
  }
  return { kind: 'categorical', codes, categories };
}

/** Booleans (true/false, 1/0) as a categorical column of true/false. */
export class BooleanBuilder implements ColumnBuilder {
  private readonly dictionary = new Dictionary();

  get length() {
    return this.dictionary.codes.length;
  }

  add(cell: CellValue, at: CellLocation) {
    if (cell.kind === 'missing') {
      this.dictionary.pushMissing();
      return;
    }
    if (cell.kind === 'boolean') {
      this.dictionary.push(cell.value);
      return;
    }
    if (cell.kind === 'number' && (cell.value === 0 || cell.value === 1)) {
      this.dictionary.push(cell.value === 1);
      return;
    }
    if (cell.kind === 'string') {
      const lower = cell.value.trim().toLowerCase();
      if (lower === 'true' || lower === '1') {
        this.dictionary.push(true);
        return;
      }
      if (lower === 'false' || lower === '0') {
        this.dictionary.push(false);
        return;
      }
    }
    throw mismatch('boolean', cell, at);
  }

  finish(): { data: CategoricalColumnData; type: ColumnType } {
    return { data: this.dictionary.toColumn(), type: 'boolean' };
  }
}

function isBooleanToken(value: string): boolean {
  const lower = value.trim().toLowerCase();
  return lower === 'true' || lower === 'false';
}

/**
 * Infers the type of an undeclared column from its values: numbers only →
 * numerical; booleans only → boolean; anything else → categorical. Values
 * are dictionary-encoded while reading, then converted.
 */
export class AutoBuilder implements ColumnBuilder {
  private readonly dictionary = new Dictionary();
  private allNumbers = true;
  private allBooleans = true;
  private integer = true;
  private sawValue = false;

  constructor(
    private readonly numericStrings?: (s: string) => number | undefined,
  ) {}

  get length() {
    return this.dictionary.codes.length;
  }

  add(cell: CellValue, at: CellLocation) {
    switch (cell.kind) {
      case 'missing':
        this.dictionary.pushMissing();
        this.integer = false;
        return;
      case 'number':
        this.sawValue = true;
        this.allBooleans = false;
        if (!cell.integerLiteral) {
          this.integer = false;
        }
        this.dictionary.push(cell.value);
        return;
      case 'boolean':
        this.sawValue = true;
        this.allNumbers = false;
        this.dictionary.push(cell.value);
        return;
      case 'string': {
        this.sawValue = true;
        if (!isBooleanToken(cell.value)) {
          this.allBooleans = false;
        }
        const parsed = this.numericStrings?.(cell.value);
        if (parsed === undefined) {
          this.allNumbers = false;
        } else if (!/^\s*[+-]?\d+\s*$/.test(cell.value)) {
          this.integer = false;
        }
        this.dictionary.push(cell.value);
        return;
      }
      default:
        throw new InputError(
          `Column '${at.column}' of ${at.source} holds ${cell.description} at ${at.unit} ${at.line}; declare its type or drop the column`,
        );
    }
  }

  finish(): { data: ColumnData; type: ColumnType } {
    const column = this.dictionary.toColumn();
    if (this.sawValue && this.allNumbers) {
      const numbers = column.categories.map(c =>
        typeof c === 'number' ? c : this.numericStrings?.(c as string) ?? NaN,
      );
      const values = new Float64Array(column.codes.length);
      for (let i = 0; i < values.length; i++) {
        const code = column.codes[i];
        values[i] = code < 0 ? NaN : numbers[code];
      }
      return {
        data: { kind: 'numeric', values, integer: this.integer },
        type: 'numerical',
      };
    }
    if (this.sawValue && this.allBooleans) {
      const booleans = column.categories.map(c =>
        typeof c === 'boolean' ? c : String(c).trim().toLowerCase() === 'true',
      );
      return { data: recode(column, booleans), type: 'boolean' };
    }
    const stringsOnly = column.categories.map(c => String(c));
    return { data: recode(column, stringsOnly), type: 'categorical' };
  }
}

/** A builder for a declared column type (text and datetime are never read). */
export function builderFor(
  type: ColumnType | 'auto',
  numericStrings?: (s: string) => number | undefined,
): ColumnBuilder {
  switch (type) {
    case 'numerical':
      return new NumericBuilder();
    case 'categorical':
      return new CategoricalBuilder(numericStrings);
    case 'boolean':
      return new BooleanBuilder();
    case 'auto':
      return new AutoBuilder(numericStrings);
    default:
      throw new Error(`Columns of type ${type} are not read`);
  }
}
