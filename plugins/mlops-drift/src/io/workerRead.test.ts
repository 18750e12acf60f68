import { InputError } from '@backstage/errors';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MessageChannel } from 'node:worker_threads';
import { MIXED_COLUMNS, PARQUET_DIR } from '../__testUtils__/parquetFixtures';
import { CategoricalColumnData, NumericColumnData } from '../engine/types';
import { DriftWorkerPool } from '../worker/pool';
import { readDataset } from './readDataset';
import { forwardStream, portReadable } from './streamChannel';
import { LoadedDataset } from './types';
import { CSV_SPLIT_MIN_BYTES, readDatasetInWorkers } from './workerRead';

jest.setTimeout(120_000);

let dir: string;
const pool = new DriftWorkerPool({ size: 2 });
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drift-worker-read-'));
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Reads done by the pool during `fn`, and on which threads. */
async function counted<T>(fn: () => Promise<T>) {
  const before = pool.stats().readsCompleted;
  const value = await fn();
  return { value, reads: pool.stats().readsCompleted - before };
}

function plain(dataset: LoadedDataset) {
  return {
    ...dataset,
    columns: Object.fromEntries(
      Object.entries(dataset.columns).map(([column, data]) => [
        column,
        data.kind === 'numeric'
          ? { ...data, values: Array.from(data.values) }
          : { ...data, codes: Array.from(data.codes) },
      ]),
    ),
  };
}

/** A numeric CSV above the split threshold; row r of column v is r / 8. */
function bigCsv(rows: number, extra?: (row: number) => string): string {
  const lines = ['id,v,w'];
  for (let r = 1; r <= rows; r++) {
    lines.push(extra?.(r) ?? `${r},${r / 8},${(r * 7919) % 10007}.5`);
  }
  return `${lines.join('\n')}\n`;
}

const numericColumns = {
  id: 'numerical',
  v: 'numerical',
  w: 'numerical',
} as const;

describe('reading on worker threads', () => {
  const rows = 250_000;

  it('splits a large numerical CSV at line boundaries across the workers, with the same result as one reader', async () => {
    const content = bigCsv(rows);
    expect(content.length).toBeGreaterThan(CSV_SPLIT_MIN_BYTES);
    const path = file('big.csv', content);
    const { value: split, reads } = await counted(() =>
      readDatasetInWorkers({ path }, numericColumns, pool),
    );
    expect(reads).toBe(2);
    const single = await readDataset({ path }, { columns: numericColumns });
    expect(split.rows).toBe(rows);
    expect(plain(split)).toEqual(plain(single));
    expect((split.columns.id as NumericColumnData).integer).toBe(true);
    expect((split.columns.v as NumericColumnData).integer).toBe(false);
    // no row lost or doubled at the split point
    const v = (split.columns.v as NumericColumnData).values;
    for (let r = 0; r < rows; r++) {
      if (v[r] !== (r + 1) / 8) {
        throw new Error(`row ${r + 1}: ${v[r]}`);
      }
    }
  });

  it('reads a CSV with quoted fields in one piece (a quoted newline is not a record boundary)', async () => {
    // the quoted field in the second half holds a newline right where a
    // line-based split could cut
    const content = bigCsv(rows, r =>
      r === rows - 10 ? `${r},"${r / 8}\n",1` : undefined!,
    );
    const path = file('quoted.csv', content);
    const columns = { id: 'numerical', w: 'numerical' } as const;
    const { value, reads } = await counted(() =>
      readDatasetInWorkers({ path }, columns, pool),
    );
    expect(reads).toBe(3); // two parts, one gave up; then the whole file
    expect(plain(value)).toEqual(
      plain(await readDataset({ path }, { columns })),
    );
  });

  it('reports a type mismatch in the second part with the row number of the file', async () => {
    const content = bigCsv(rows, r =>
      r === rows - 3 ? `${r},oops,1` : undefined!,
    );
    const path = file('mismatch.csv', content);
    const error = await rejection(
      readDatasetInWorkers({ path, name: 'ref.csv' }, numericColumns, pool),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `Type mismatch in column 'v' of ref.csv: declared numerical, but row ${
        rows - 3
      } has 'oops'`,
    );
  });

  it('divides a Parquet file’s columns among the workers', async () => {
    const path = join(PARQUET_DIR, 'mixed.snappy.parquet');
    const columns = {
      num: 'numerical',
      count: 'numerical',
      cat: 'categorical',
      flag: 'boolean',
      seen_at: 'datetime',
    } as const;
    const { value, reads } = await counted(() =>
      readDatasetInWorkers({ path }, columns, pool),
    );
    expect(reads).toBe(2);
    expect(plain(value)).toEqual(
      plain(await readDataset({ path }, { columns })),
    );
    expect(Object.keys(value.types)).toEqual(Object.keys(columns));
    const cat = value.columns.cat as CategoricalColumnData;
    expect(
      Array.from(cat.codes, c => (c < 0 ? null : cat.categories[c])),
    ).toEqual([...MIXED_COLUMNS.cat.values]);
    const missing = await rejection(
      readDatasetInWorkers(
        { path, name: 'ref.parquet' },
        { num: 'numerical', nope: 'numerical' },
        pool,
      ),
    );
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.message).toBe(
      "Column 'nope' is missing from ref.parquet; it has num, count, cat, flag, seen_at",
    );
  });

  it('reads Buffers and Readables in a worker, with the errors of the readers', async () => {
    const csv = 'v,k\n1,a\n2,b\n3,a\n';
    const columns = { v: 'numerical', k: 'categorical' } as const;
    const expected = plain(
      await readDataset(
        { data: Buffer.from(csv), format: 'csv', name: 'x' },
        { columns },
      ),
    );
    const { value: fromBuffer, reads } = await counted(() =>
      readDatasetInWorkers(
        { data: Buffer.from(csv), format: 'csv', name: 'x' },
        columns,
        pool,
      ),
    );
    expect(reads).toBe(1);
    expect(plain(fromBuffer)).toEqual(expected);
    const fromStream = await readDatasetInWorkers(
      {
        data: Readable.from(['v,k\n1,', 'a\n2,b\n3,a\n']),
        format: 'csv',
        name: 'x',
      },
      columns,
      pool,
    );
    expect(plain(fromStream)).toEqual(expected);

    const parquet = readFileSync(join(PARQUET_DIR, 'mixed.zstd.parquet'));
    for (const data of [
      parquet,
      Readable.from([parquet.subarray(0, 100), parquet.subarray(100)]),
    ]) {
      const dataset = await readDatasetInWorkers(
        { data, format: 'parquet', name: 'p' },
        { count: 'numerical' },
        pool,
      );
      expect(
        Array.from((dataset.columns.count as NumericColumnData).values),
      ).toEqual([...MIXED_COLUMNS.count.values]);
    }

    const jsonl = await rejection(
      readDatasetInWorkers(
        {
          data: Readable.from(['{"a": 1}\n{"a": "x"}\n']),
          format: 'jsonl',
          name: 'cur.jsonl',
        },
        { a: 'numerical' },
        pool,
      ),
    );
    expect(jsonl).toBeInstanceOf(InputError);
    expect(jsonl.message).toBe(
      "Type mismatch in column 'a' of cur.jsonl: declared numerical, but line 2 has 'x'",
    );

    const failing = new Readable({
      read() {
        this.push('v\n1\n');
        this.destroy(new Error('connection reset'));
      },
    });
    const broken = await rejection(
      readDatasetInWorkers(
        { data: failing, format: 'csv', name: 'remote.csv' },
        { v: 'numerical' },
        pool,
      ),
    );
    expect(broken).toBeInstanceOf(InputError);
    expect(broken.message).toBe(
      'Cannot read remote.csv: Error: connection reset',
    );

    const missingFile = await rejection(
      readDatasetInWorkers({ path: join(dir, 'nope.csv') }, undefined, pool),
    );
    expect(missingFile).toBeInstanceOf(InputError);
    expect(missingFile.message).toBe(
      `Cannot read ${join(dir, 'nope.csv')}: no such file`,
    );
  });
});

describe('forwarding a stream to a worker', () => {
  it('transfers chunks that own their memory and stops reading ahead when the consumer does', async () => {
    const { port1, port2 } = new MessageChannel();
    let produced = 0;
    const chunks: Buffer[] = [];
    const source = new Readable({
      highWaterMark: 1,
      read() {
        if (produced === 100) {
          this.push(null);
          return;
        }
        produced++;
        const chunk = Buffer.alloc(256 * 1024, produced % 256);
        chunks.push(chunk);
        this.push(chunk);
      },
    });
    const forwarded = forwardStream(source, port1);
    const target = portReadable(port2);
    try {
      const first: Buffer = await new Promise(resolve =>
        target.once('data', resolve),
      );
      target.pause();
      expect(first.length).toBe(256 * 1024);
      expect(first[0]).toBe(1);
      // moved, not copied: the producer's chunk is detached
      expect(chunks[0].buffer.byteLength).toBe(0);
      await new Promise(resolve => setTimeout(resolve, 200));
      // a paused consumer holds back the producer: a bounded number of
      // chunks in flight (credit window, the consumer's 1 MB buffer, the
      // iterator's read-ahead),
      // nowhere near the 100 the source has
      expect(produced).toBeLessThan(20);
      let bytes = first.length;
      target.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      target.resume();
      await new Promise(resolve => target.once('end', resolve));
      expect(bytes).toBe(100 * 256 * 1024);
    } finally {
      forwarded.stop();
      port2.close();
    }
  });
});
