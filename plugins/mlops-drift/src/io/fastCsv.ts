import { ColumnData } from '../engine/types';
import { ColumnCollector } from './collector';
import { isIntegerToken, MISSING_TOKENS, parseNumberToken } from './tokens';
import { LoadedDataset, ReaderRequest } from './types';

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** Name of the error that sends a file back to the general CSV reader. */
export const FAST_CSV_BAIL = 'FastCsvBail';

function bail(reason: string): Error {
  const error = new Error(`fast CSV path not applicable: ${reason}`);
  error.name = FAST_CSV_BAIL;
  return error;
}

/** True when this error means "read the file with csv-parse instead". */
export function isFastCsvBail(error: unknown): boolean {
  return (error as Error)?.name === FAST_CSV_BAIL;
}

/**
 * Whether the fast reader can take a selection: declared types, every column
 * read numerical (text and datetime columns are only checked for presence).
 */
export function fastCsvApplies(request: ReaderRequest): boolean {
  const types = Object.values(request.columns ?? {});
  return (
    types.some(t => t === 'numerical') &&
    types.every(t => t === 'numerical' || t === 'text' || t === 'datetime')
  );
}

/** Exact powers of ten (10^0 … 10^22 are exactly representable). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

class Float64Column {
  values = new Float64Array(1 << 16);
  length = 0;
  integer = true;

  push(value: number) {
    if (this.length === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = value;
  }
}

/** Header line of a CSV file: names (BOM stripped, trimmed) and line ending. */
export interface CsvHeader {
  names: string[];
  crlf: boolean;
  /** Bytes of the header line, newline included. */
  byteLength: number;
}

/**
 * Reads the header line from the first bytes of a file; bails when it
 * needs csv-parse (quotes, a bare CR as record delimiter, no newline).
 */
export function parseHeaderLine(bytes: Buffer): CsvHeader {
  const newline = bytes.indexOf(NEWLINE);
  if (newline < 0) {
    throw bail('no complete header line');
  }
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    start = 3;
  }
  const line = bytes.subarray(start, newline);
  if (line.indexOf(QUOTE) >= 0) {
    throw bail('quoted header');
  }
  const cr = line.indexOf(CR);
  if (cr >= 0 && cr !== line.length - 1) {
    throw bail('CR as record delimiter');
  }
  const crlf = cr >= 0;
  const text = line.toString('utf8', 0, crlf ? line.length - 1 : line.length);
  if (text.length === 0) {
    throw bail('empty header line');
  }
  return {
    names: text.split(',').map(h => h.trim()),
    crlf,
    byteLength: newline + 1,
  };
}

/**
 * A CSV reader for the common case of numerical columns in an unquoted file:
 * it scans the bytes once, skips unselected fields without decoding them and
 * parses numbers from the bytes (Clinger's fast path: a mantissa below 2^53
 * times or divided by an exact power of ten up to 10^22 is a correctly
 * rounded double; longer numbers go through V8's conversion, other tokens
 * are decoded and parsed as the general reader does). It gives the
 * same result as `readCsv` with csv-parse, or bails (FAST_CSV_BAIL) on
 * anything that needs the general reader: quotes, a bare CR, a row with the
 * wrong number of fields, a value that is not a number; the caller then reads
 * the file with `readCsv`, which also words the error.
 */
export class FastNumericCsv {
  private readonly columns: Float64Column[] = [];
  /** Column slot per field index, −1 for fields that are skipped. */
  private readonly slots: Int32Array;
  private readonly fieldCount: number;
  private readonly collector: ColumnCollector;
  private leftover: Buffer | undefined;
  rows = 0;

  constructor(request: ReaderRequest, private readonly header: CsvHeader) {
    this.collector = new ColumnCollector(request.name, request.columns);
    const planned = this.collector.plan(header.names);
    this.fieldCount = header.names.length;
    this.slots = new Int32Array(this.fieldCount).fill(-1);
    for (const { column } of planned) {
      this.slots[header.names.indexOf(column)] = this.columns.length;
      this.columns.push(new Float64Column());
    }
  }

  /** Parses the complete lines of a chunk; keeps a partial last line. */
  write(chunk: Buffer) {
    if (chunk.indexOf(QUOTE) >= 0) {
      throw bail('quotes');
    }
    const data = this.leftover ? Buffer.concat([this.leftover, chunk]) : chunk;
    const last = data.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.leftover = Buffer.from(data);
      return;
    }
    this.lines(data, last);
    this.leftover =
      last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : undefined;
  }

  /** Parses the last line (without a newline) and returns the dataset. */
  finish(): LoadedDataset {
    const tail = this.leftover;
    this.leftover = undefined;
    if (tail && tail.length > 0) {
      // the last record ends at the end of the input
      if (tail[tail.length - 1] === CR) {
        throw bail('CR at the end');
      }
      const data = Buffer.concat([
        tail,
        Buffer.from(this.header.crlf ? '\r\n' : '\n'),
      ]);
      this.lines(data, data.length - 1);
    }
    const base = this.collector.finish(this.rows);
    const columns: Record<string, ColumnData> = {};
    let slot = 0;
    for (const column of Object.keys(base.columns)) {
      const c = this.columns[slot++];
      columns[column] = {
        kind: 'numeric',
        values: c.values.slice(0, c.length),
        integer: c.integer && c.length > 0,
      };
    }
    return { ...base, columns };
  }

  /** Lines of data[0 … last], `last` being a newline. */
  private lines(data: Buffer, last: number) {
    const { slots, columns, fieldCount } = this;
    const crlf = this.header.crlf;
    let field = 0;
    let start = 0;
    let lineStart = 0;
    for (let i = 0; i <= last; i++) {
      const b = data[i];
      if (b === COMMA) {
        if (field < fieldCount && slots[field] >= 0) {
          this.store(columns[slots[field]], data, start, i);
        }
        field++;
        start = i + 1;
      } else if (b === NEWLINE) {
        let end = i;
        if (crlf) {
          if (i === lineStart || data[i - 1] !== CR) {
            throw bail('LF in a CRLF file');
          }
          end = i - 1;
        }
        if (end === lineStart) {
          // skip_empty_lines
        } else {
          if (field !== fieldCount - 1) {
            throw bail('record length');
          }
          if (slots[field] >= 0) {
            this.store(columns[slots[field]], data, start, end);
          }
          this.rows++;
        }
        field = 0;
        start = i + 1;
        lineStart = i + 1;
      }
    }
  }

  private store(
    column: Float64Column,
    data: Buffer,
    start: number,
    end: number,
  ) {
    if (start === end) {
      column.push(NaN); // empty field: missing
      column.integer = false;
      return;
    }
    // [+-] digits [. digits] [(e|E) [+-] digits]
    let i = start;
    let negative = false;
    let b = data[i];
    if (b === MINUS || b === PLUS) {
      negative = b === MINUS;
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let integer = true;
    for (; i < end; i++) {
      b = data[i];
      if (b < ZERO || b > NINE) {
        break;
      }
      digits++;
      mantissa = mantissa * 10 + (b - ZERO);
    }
    if (i < end && data[i] === DOT) {
      integer = false;
      for (i++; i < end; i++) {
        b = data[i];
        if (b < ZERO || b > NINE) {
          break;
        }
        digits++;
        scale--;
        mantissa = mantissa * 10 + (b - ZERO);
      }
    }
    if (digits > 0 && i < end && (data[i] === LOWER_E || data[i] === UPPER_E)) {
      integer = false;
      i++;
      let exponentNegative = false;
      if (i < end && (data[i] === MINUS || data[i] === PLUS)) {
        exponentNegative = data[i] === MINUS;
        i++;
      }
      let exponent = 0;
      let exponentDigits = 0;
      for (; i < end && exponentDigits < 6; i++) {
        b = data[i];
        if (b < ZERO || b > NINE) {
          break;
        }
        exponent = exponent * 10 + (b - ZERO);
        exponentDigits++;
      }
      if (exponentDigits === 0) {
        i = -1; // not a number here: the general path decides
      }
      scale += exponentNegative ? -exponent : exponent;
    }
    if (i !== end || digits === 0) {
      this.general(column, data, start, end);
      return;
    }
    // a well-formed decimal number, i.e. what NUMBER_PATTERN accepts. The
    // digits accumulate exactly while the mantissa stays within 2^53 (it only
    // grows, so a final value within 2^53 means every step was exact)
    const exact = mantissa <= Number.MAX_SAFE_INTEGER;
    let value: number;
    if (mantissa === 0) {
      value = negative ? -0 : 0;
    } else if (exact && scale >= 0 && scale <= 22) {
      value = mantissa * POW10[scale];
      value = negative ? -value : value;
    } else if (exact && scale < 0 && scale >= -22) {
      value = mantissa / POW10[-scale];
      value = negative ? -value : value;
    } else {
      // more digits than the fast path is exact for: V8's own conversion
      value = Number(data.toString('latin1', start, end));
    }
    column.push(value);
    if (!integer) {
      column.integer = false;
    }
  }

  /** A token the byte parser does not take: exactly as `readCsv` reads it. */
  private general(
    column: Float64Column,
    data: Buffer,
    start: number,
    end: number,
  ) {
    const token = data.toString('utf8', start, end);
    if (MISSING_TOKENS.has(token)) {
      column.push(NaN);
      column.integer = false;
      return;
    }
    const value = parseNumberToken(token);
    if (value === undefined) {
      throw bail('not a number');
    }
    column.push(value);
    if (!isIntegerToken(token)) {
      column.integer = false;
    }
  }
}

/** Reads a whole CSV stream with {@link FastNumericCsv}. */
export async function readNumericCsvFast(
  input: AsyncIterable<Buffer>,
  request: ReaderRequest,
  knownHeader?: CsvHeader,
): Promise<LoadedDataset> {
  let reader: FastNumericCsv | undefined = knownHeader
    ? new FastNumericCsv(request, knownHeader)
    : undefined;
  let head: Buffer | undefined;
  for await (const chunk of input) {
    if (reader) {
      reader.write(chunk);
      continue;
    }
    head = head ? Buffer.concat([head, chunk]) : chunk;
    if (head.indexOf(NEWLINE) < 0) {
      continue;
    }
    const header = parseHeaderLine(head);
    reader = new FastNumericCsv(request, header);
    reader.write(head.subarray(header.byteLength));
    head = undefined;
  }
  if (!reader) {
    throw bail('no header line');
  }
  return reader.finish();
}
