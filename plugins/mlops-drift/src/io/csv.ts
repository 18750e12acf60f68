import { InputError } from '@backstage/errors';
import { CsvError, parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { CellLocation, CellValue, ColumnBuilder } from './builders';
import { ColumnCollector } from './collector';
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
        const header = record.map(h => h.trim());
        plan = collector.plan(header).map(({ column, builder }) => ({
          column,
          builder,
          index: header.indexOf(column),
          // declared numerical columns parse here; 'auto' columns keep the
          // token text and decide their type once every value is seen
          numeric: request.columns?.[column] === 'numerical',
        }));
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
    if (error instanceof InputError) {
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
