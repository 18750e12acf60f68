import { InputError } from '@backstage/errors';
import { AsyncBuffer } from 'hyparquet';
import { createReadStream, promises as fs } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { readCsv, readCsvFile } from './csv';
import { readJsonl } from './jsonl';
import { readParquet } from './parquet';
import {
  ColumnSelection,
  DATA_FORMATS,
  DataFormat,
  DataSource,
  LoadedDataset,
} from './types';

const EXTENSIONS: Record<string, DataFormat> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format of a file path, from its extension. @public */
export function formatFromPath(path: string): DataFormat {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new InputError(
      `Cannot tell the format of ${path} from its extension; use .csv, .parquet or .jsonl, or give the format (${DATA_FORMATS.join(
        ', ',
      )})`,
    );
  }
  return format;
}

/** A short label for a source, used in errors and reports. @public */
export function describeSource(source: DataSource): string {
  if (source.name) {
    return source.name;
  }
  if ('path' in source) {
    return source.path;
  }
  return `${source.format} data`;
}

async function checkReadableFile(path: string, name: string) {
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `Cannot read ${name}: no such file`
        : `Cannot read ${name}: ${(error as Error).message}`,
    );
  }
  if (!stat.isFile()) {
    throw new InputError(`Cannot read ${name}: not a regular file`);
  }
  try {
    await fs.access(path, fs.constants.R_OK);
  } catch (error) {
    throw new InputError(`Cannot read ${name}: ${(error as Error).message}`);
  }
  return stat.size;
}

function fileAsyncBuffer(path: string, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number) {
      const stop = end ?? size;
      const length = Math.max(0, stop - start);
      const handle = await fs.open(path, 'r');
      try {
        const buffer = Buffer.allocUnsafe(length);
        let offset = 0;
        while (offset < length) {
          const { bytesRead } = await handle.read(
            buffer,
            offset,
            length - offset,
            start + offset,
          );
          if (bytesRead === 0) {
            break;
          }
          offset += bytesRead;
        }
        return buffer.buffer.slice(
          buffer.byteOffset,
          buffer.byteOffset + offset,
        ) as ArrayBuffer;
      } finally {
        await handle.close();
      }
    },
  };
}

function bytesToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
}

async function collectStream(stream: Readable, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
  } catch (error) {
    throw new InputError(`Cannot read ${name}: ${String(error)}`);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads the selected columns of a dataset into columnar memory. CSV and JSON
 * Lines are streamed (from a file, a Buffer or a Readable) and only the
 * selected columns are kept; Parquet files are read by byte range, column
 * chunk by column chunk. A Parquet Readable is first buffered, since the
 * format keeps its schema in a footer at the end.
 *
 * Without a selection every column is read and its type is inferred
 * (numbers → numerical, booleans → boolean, otherwise categorical; Parquet
 * uses the schema, dates and times are datetime).
 *
 * @public
 */
export async function readDataset(
  source: DataSource,
  options: { columns?: ColumnSelection } = {},
): Promise<LoadedDataset> {
  const name = describeSource(source);
  const request = { name, columns: options.columns };
  if ('path' in source) {
    const format = source.format ?? formatFromPath(source.path);
    const size = await checkReadableFile(source.path, name);
    if (format === 'parquet') {
      return readParquet(fileAsyncBuffer(source.path, size), request);
    }
    if (format === 'csv') {
      return readCsvFile(source.path, request);
    }
    return readJsonl(
      createReadStream(source.path, {
        encoding: 'utf8',
        highWaterMark: 1 << 20,
      }),
      request,
    );
  }
  const { data, format } = source;
  if (!DATA_FORMATS.includes(format)) {
    throw new InputError(`Unsupported format '${format}' for ${name}`);
  }
  if (format === 'parquet') {
    const bytes =
      data instanceof Uint8Array ? data : await collectStream(data, name);
    const arrayBuffer = bytesToArrayBuffer(bytes);
    return readParquet(arrayBuffer, request);
  }
  const stream =
    data instanceof Uint8Array ? Readable.from([Buffer.from(data)]) : data;
  return format === 'csv'
    ? readCsv(stream, request)
    : readJsonl(stream, request);
}
