import { InputError } from '@backstage/errors';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { CellLocation, CellValue } from './builders';
import { ColumnCollector } from './collector';
import { parseNumberToken } from './tokens';
import { LoadedDataset, ReaderRequest } from './types';

const SPECIAL_NUMBER_STRINGS = new Set([
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  'inf',
  '-inf',
]);

function jsonCell(value: unknown, numeric: boolean): CellValue {
  if (value === null || value === undefined) {
    return { kind: 'missing' };
  }
  switch (typeof value) {
    case 'number':
      return {
        kind: 'number',
        value,
        integerLiteral: Number.isInteger(value),
      };
    case 'boolean':
      return { kind: 'boolean', value };
    case 'string':
      // JSON cannot spell NaN or ±inf; accept the usual string spellings in
      // numerical columns so they can be dropped like pandas drops them
      if (numeric && SPECIAL_NUMBER_STRINGS.has(value)) {
        const parsed = value.toLowerCase().includes('nan')
          ? NaN
          : parseNumberToken(value) ?? NaN;
        return { kind: 'number', value: parsed, integerLiteral: false };
      }
      return { kind: 'string', value };
    default:
      return {
        kind: 'other',
        description: Array.isArray(value) ? 'an array' : 'an object',
      };
  }
}

/**
 * Streams JSON Lines: one JSON object per line, parsed with JSON.parse;
 * blank lines are skipped, a key absent from a line or null is a missing
 * value. Only the requested columns are kept.
 */
export async function readJsonl(
  input: Readable,
  request: ReaderRequest,
): Promise<LoadedDataset> {
  const collector = new ColumnCollector(request.name, request.columns);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const numericColumns = new Set(
    Object.entries(request.columns ?? {})
      .filter(([, type]) => type === 'numerical')
      .map(([column]) => column),
  );
  const location: CellLocation = {
    source: request.name,
    column: '',
    line: 0,
    unit: 'line',
  };
  let rows = 0;
  let lineNumber = 0;
  let streamError: unknown;
  input.on('error', error => {
    streamError = error;
    lines.close();
  });
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') {
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        throw new InputError(
          `Cannot parse ${
            request.name
          } as JSON Lines: line ${lineNumber} is not valid JSON (${
            (error as Error).message
          })`,
        );
      }
      if (
        parsed === null ||
        typeof parsed !== 'object' ||
        Array.isArray(parsed)
      ) {
        throw new InputError(
          `Cannot parse ${request.name} as JSON Lines: line ${lineNumber} is not a JSON object`,
        );
      }
      const record = parsed as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        collector.sawColumn(key);
        collector.discover(key, rows);
      }
      location.line = lineNumber;
      for (const [column, builder] of collector.builders) {
        location.column = column;
        builder.add(
          jsonCell(record[column], numericColumns.has(column)),
          location,
        );
      }
      rows++;
    }
  } catch (error) {
    if (error instanceof InputError) {
      throw error;
    }
    throw new InputError(`Cannot read ${request.name}: ${String(error)}`);
  }
  if (streamError) {
    throw new InputError(`Cannot read ${request.name}: ${String(streamError)}`);
  }
  if (rows === 0) {
    throw new InputError(`${request.name} is empty: no JSON objects found`);
  }
  return collector.finish(rows);
}
