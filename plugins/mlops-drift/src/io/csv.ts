import { InputError } from '@backstage/errors';
import { CsvError, parse } from 'csv-parse';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { CSV_SPLIT_UNSAFE, CsvPart } from '../worker/protocol';
import { CellLocation, CellValue, ColumnBuilder } from './builders';
import { ColumnCollector } from './collector';
import {
  fastCsvApplies,
  isFastCsvBail,
  parseHeaderLine,
  readNumericCsvFast,
} from './fastCsv';
import { isIntegerToken, MISSING_TOKENS, parseNumberToken } from './tokens';
import { LoadedDataset, ReaderRequest } from './types';

interface CsvColumnPlan {
  column: string;
  index: number;
  builder: ColumnBuilder;
  numeric: boolean;
}

function cellFor(token: string | undefined, numeric: boolean): CellValue {
  if (token === undefined || MISSING_TOKENS.has(token)) {
    return { kind: 'missing' };
  }
  if (numeric) {
    const value = parseNumberToken(token);
    if (value !== undefined) {
      return { kind: 'number', value, integerLiteral: isIntegerToken(token) };
    }
  }
  return { kind: 'string', value: token };
}

/**
 * Streams a CSV source through csv-parse (RFC 4180 quoting, BOM, CRLF),
 * keeping only the requested columns, each in its own typed builder. The
 * first record is the header. Missing values follow pandas' defaults (empty,
 * NA, NaN, null, …).
 */
export async function readCsv(
  input: Readable,
  request: ReaderRequest,
  part: { header?: string[] } = {},
): Promise<LoadedDataset> {
  const collector = new ColumnCollector(
    request.name,
    request.columns,
    parseNumberToken,
  );
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: false,
  });
  input.on('error', error => parser.destroy(error));
  input.pipe(parser);

  let plan: CsvColumnPlan[] | undefined;
  const planFor = (record: string[]) => {
    const header = record.map(h => h.trim());
    return collector.plan(header).map(({ column, builder }) => ({
      column,
      builder,
      index: header.indexOf(column),
      // declared numerical columns parse here; 'auto' columns keep the
      // token text and decide their type once every value is seen
      numeric: request.columns?.[column] === 'numerical',
    }));
  };
  if (part.header) {
    plan = planFor(part.header);
  }
  let rows = 0;
  const location: CellLocation = {
    source: request.name,
    column: '',
    line: 0,
    unit: 'row',
  };
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!plan) {
        plan = planFor(record);
        continue;
      }
      rows++;
      location.line = rows;
      for (const p of plan) {
        location.column = p.column;
        p.builder.add(cellFor(record[p.index], p.numeric), location);
      }
    }
  } catch (error) {
    if (
      error instanceof InputError ||
      (error as Error)?.name === CSV_SPLIT_UNSAFE
    ) {
      throw error;
    }
    if (error instanceof CsvError) {
      throw new InputError(
        `Cannot parse ${request.name} as CSV: ${error.message}`,
      );
    }
    throw new InputError(`Cannot read ${request.name}: ${String(error)}`);
  }
  if (!plan) {
    throw new InputError(
      `${request.name} is empty: a CSV source needs a header row`,
    );
  }
  return collector.finish(rows);
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/** Offset just past the first newline at or after `from`; `size` if none. */
async function nextLineStart(
  file: fs.FileHandle,
  from: number,
  size: number,
): Promise<number> {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (let position = from; position < size; ) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) {
      break;
    }
    const index = buffer.subarray(0, bytesRead).indexOf(NEWLINE);
    if (index >= 0) {
      return position + index + 1;
    }
    position += bytesRead;
  }
  return size;
}

/** The first record of a CSV file, trimmed. */
async function readCsvHeader(path: string): Promise<string[]> {
  const parser = parse({ bom: true, to_line: 1 });
  const input = createReadStream(path, { highWaterMark: 64 * 1024 });
  input.on('error', error => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      return record.map(h => h.trim());
    }
    return [];
  } finally {
    input.destroy();
  }
}

function splitUnsafe(): Error {
  const error = new Error('a quote character: fields may span lines');
  error.name = CSV_SPLIT_UNSAFE;
  return error;
}

/**
 * Reads one part of a CSV file split at line boundaries (see
 * {@link CsvPart}). Part 0 starts at the header; the others read the header
 * first, then their own byte range. A quote character anywhere in the range
 * fails the part with CSV_SPLIT_UNSAFE (a quoted field may hold a newline,
 * so a line boundary need not be a record boundary) and the caller reads the
 * file in one piece. Row numbers in errors are relative to the part; the
 * caller re-reads in one piece on any error to report the file's own.
 */
export async function readCsvPart(
  path: string,
  csvPart: CsvPart,
  request: ReaderRequest,
): Promise<LoadedDataset> {
  const { part, splitAt } = csvPart;
  const last = splitAt.length - 2;
  const file = await fs.open(path, 'r');
  let start: number;
  let end: number;
  let headerEnd = 0;
  try {
    const { size } = await file.stat();
    start = part === 0 ? 0 : await nextLineStart(file, splitAt[part], size);
    end =
      part === last ? size : await nextLineStart(file, splitAt[part + 1], size);
    if (part > 0) {
      headerEnd = await nextLineStart(file, 0, size);
      start = Math.max(start, headerEnd);
      end = Math.max(start, end);
    }
  } finally {
    await file.close();
  }
  if (fastCsvApplies(request)) {
    try {
      const header =
        part > 0
          ? parseHeaderLine(await readBytes(path, headerEnd))
          : undefined;
      return await readNumericCsvFast(
        rangeStream(path, start, end),
        request,
        header,
      );
    } catch (error) {
      if (!isFastCsvBail(error)) {
        throw error;
      }
    }
  }
  const header = part > 0 ? await readCsvHeader(path) : undefined;
  const body = rangeStream(path, start, end);
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(chunk.indexOf(QUOTE) >= 0 ? splitUnsafe() : null, chunk);
    },
  });
  body.on('error', error => checked.destroy(error));
  body.pipe(checked);
  try {
    return await readCsv(checked, request, { header });
  } finally {
    body.destroy();
  }
}

function rangeStream(path: string, start: number, end: number): Readable {
  return end > start
    ? createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 })
    : Readable.from([]);
}

async function readBytes(path: string, length: number): Promise<Buffer> {
  const file = await fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Reads a CSV file: straight from the bytes when every column read is
 * declared numerical and the file is plain (see FastNumericCsv), with
 * csv-parse otherwise or when the fast reader gives up.
 */
export async function readCsvFile(
  path: string,
  request: ReaderRequest,
): Promise<LoadedDataset> {
  if (fastCsvApplies(request)) {
    try {
      return await readNumericCsvFast(
        createReadStream(path, { highWaterMark: 1 << 20 }),
        request,
      );
    } catch (error) {
      if (!isFastCsvBail(error)) {
        throw error;
      }
    }
  }
  return readCsv(createReadStream(path, { highWaterMark: 1 << 20 }), request);
}
