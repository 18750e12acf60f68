import { resolve } from 'node:path';

/** Directory of the committed Parquet files (written by scripts/write_parquet.py). */
export const PARQUET_DIR = resolve(__dirname, '../__fixtures__/data');

const ROWS = 40;
const rows = Array.from({ length: ROWS }, (_, i) => i);

/** Columns of mixed.*.parquet; the readers are checked against these values. */
export const MIXED_COLUMNS = {
  num: {
    type: 'float64',
    values: rows.map(i => (i % 7 === 3 ? null : i * 0.25 - 3)),
  },
  count: { type: 'int64', values: rows.map(i => (i * 37) % 11) },
  cat: {
    type: 'string',
    values: rows.map(i =>
      i % 9 === 5 ? null : ['red', 'green', 'blue'][i % 3],
    ),
  },
  flag: { type: 'bool', values: rows.map(i => i % 4 === 0) },
  seen_at: {
    type: 'timestamp',
    values: rows.map(
      i => `2026-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00`,
    ),
  },
} as const;

/** The Parquet fixture files: several row groups, two codecs. */
export const PARQUET_FILES = [
  { name: 'mixed.snappy.parquet', compression: 'snappy', row_group_size: 16 },
  { name: 'mixed.zstd.parquet', compression: 'zstd', row_group_size: 16 },
  { name: 'mixed.gzip.parquet', compression: 'gzip', row_group_size: 40 },
] as const;
