import { InputError } from '@backstage/errors';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  MIXED_COLUMNS,
  PARQUET_DIR,
  PARQUET_FILES,
} from '../__testUtils__/parquetFixtures';
import { CategoricalColumnData, NumericColumnData } from '../engine/types';
import { columnTypesFromDatasetEntity } from './datasetEntity';
import { formatFromPath, readDataset } from './readDataset';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drift-io-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function numeric(data: unknown): NumericColumnData {
  expect((data as NumericColumnData).kind).toBe('numeric');
  return data as NumericColumnData;
}

function categories(data: unknown): Array<string | number | boolean | null> {
  const column = data as CategoricalColumnData;
  expect(column.kind).toBe('categorical');
  return Array.from(column.codes, c => (c < 0 ? null : column.categories[c]));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('CSV', () => {
  const csv = [
    '\uFEFFid,score,city,flag,notes',
    '1,0.5,"Oslo, NO",true,a',
    '2,,Bergen,False,"multi',
    'line"',
    '3,NaN,NA,TRUE,c',
    '4,-inf,Oslo,false,d',
    '5,1e3,Bergen,true,e',
  ].join('\r\n');

  it('reads only the requested columns, with pandas missing-value tokens', async () => {
    const dataset = await readDataset(
      { path: file('a.csv', csv) },
      {
        columns: {
          score: 'numerical',
          city: 'categorical',
          flag: 'boolean',
          notes: 'text',
        },
      },
    );
    expect(dataset.rows).toBe(5);
    expect(dataset.availableColumns).toEqual([
      'id',
      'score',
      'city',
      'flag',
      'notes',
    ]);
    expect(Object.keys(dataset.columns).sort()).toEqual([
      'city',
      'flag',
      'score',
    ]);
    expect(Array.from(numeric(dataset.columns.score).values)).toEqual([
      0.5,
      NaN,
      NaN,
      -Infinity,
      1000,
    ]);
    expect(numeric(dataset.columns.score).integer).toBe(false);
    expect(categories(dataset.columns.city)).toEqual([
      'Oslo, NO',
      'Bergen',
      null,
      'Oslo',
      'Bergen',
    ]);
    expect(categories(dataset.columns.flag)).toEqual([
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(dataset.types).toEqual({
      score: 'numerical',
      city: 'categorical',
      flag: 'boolean',
      notes: 'text',
    });
  });

  it('infers types when none are declared', async () => {
    const dataset = await readDataset({ path: file('b.csv', csv) });
    expect(dataset.types).toEqual({
      id: 'numerical',
      score: 'numerical',
      city: 'categorical',
      flag: 'boolean',
      notes: 'categorical',
    });
    expect(numeric(dataset.columns.id).integer).toBe(true);
  });

  it('reads numeric-looking categories as numbers, like pandas', async () => {
    const dataset = await readDataset(
      { path: file('c.csv', 'grade\n01\n1\n2\n') },
      { columns: { grade: 'categorical' } },
    );
    expect(categories(dataset.columns.grade)).toEqual([1, 1, 2]);
  });

  it('names column, source and row on a type mismatch', async () => {
    const error = await rejection(
      readDataset(
        { path: file('d.csv', 'x\n1\n2\nabc\n'), name: 'ref.csv' },
        { columns: { x: 'numerical' } },
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      "Type mismatch in column 'x' of ref.csv: declared numerical, but row 3 has 'abc'",
    );
  });

  it('names the missing column and lists the available ones', async () => {
    const error = await rejection(
      readDataset(
        { path: file('e.csv', 'a,b\n1,2\n'), name: 'cur.csv' },
        { columns: { c: 'numerical' } },
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      "Column 'c' is missing from cur.csv; it has a, b",
    );
  });

  it.each([
    ['an unclosed quote', 'a,b\n1,"2\n'],
    ['a row with too many fields', 'a,b\n1,2\n3,4,5\n'],
  ])(
    'rejects malformed CSV (%s), naming the source',
    async (_what, content) => {
      const error = await rejection(
        readDataset(
          { path: file('bad.csv', content), name: 'bad.csv' },
          { columns: { a: 'numerical' } },
        ),
      );
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(/^Cannot parse bad\.csv as CSV: /);
    },
  );

  it('rejects an empty file and a missing file', async () => {
    const empty = await rejection(readDataset({ path: file('empty.csv', '') }));
    expect(empty.message).toMatch(
      /empty\.csv is empty: a CSV source needs a header row/,
    );
    const missing = await rejection(
      readDataset({ path: join(dir, 'nope.csv') }),
    );
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.message).toBe(
      `Cannot read ${join(dir, 'nope.csv')}: no such file`,
    );
  });

  it('reads a Buffer and a Readable', async () => {
    const fromBuffer = await readDataset(
      { data: Buffer.from('v\n1\n2\n'), format: 'csv', name: 'buffer' },
      { columns: { v: 'numerical' } },
    );
    expect(Array.from(numeric(fromBuffer.columns.v).values)).toEqual([1, 2]);
    const fromStream = await readDataset(
      { data: Readable.from(['v\n3', '\n4\n']), format: 'csv', name: 'stream' },
      { columns: { v: 'numerical' } },
    );
    expect(Array.from(numeric(fromStream.columns.v).values)).toEqual([3, 4]);
  });
});

describe('JSON Lines', () => {
  const jsonl = [
    '{"id": 1, "score": 0.5, "city": "Oslo", "flag": true}',
    '',
    '{"id": 2, "score": null, "city": "Bergen", "flag": false}',
    '{"id": 3, "score": "Infinity", "flag": true, "extra": 1}',
    '{"id": 4, "score": 2, "city": "Oslo", "flag": false}',
  ].join('\n');

  it('reads objects line by line; absent keys and null are missing', async () => {
    const dataset = await readDataset(
      { path: file('a.jsonl', jsonl) },
      { columns: { score: 'numerical', city: 'categorical', flag: 'boolean' } },
    );
    expect(dataset.rows).toBe(4);
    expect(Array.from(numeric(dataset.columns.score).values)).toEqual([
      0.5,
      NaN,
      Infinity,
      2,
    ]);
    expect(categories(dataset.columns.city)).toEqual([
      'Oslo',
      'Bergen',
      null,
      'Oslo',
    ]);
    expect(categories(dataset.columns.flag)).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(dataset.availableColumns).toEqual([
      'id',
      'score',
      'city',
      'flag',
      'extra',
    ]);
  });

  it('infers types and backfills columns that appear late', async () => {
    const dataset = await readDataset({ path: file('b.ndjson', jsonl) });
    expect(dataset.types).toEqual({
      id: 'numerical',
      score: 'categorical',
      city: 'categorical',
      flag: 'boolean',
      extra: 'numerical',
    });
    expect(Array.from(numeric(dataset.columns.extra).values)).toEqual([
      NaN,
      NaN,
      1,
      NaN,
    ]);
  });

  it.each([
    ['invalid JSON', '{"a": 1}\n{"a": }\n', /line 2 is not valid JSON/],
    ['a non-object line', '{"a": 1}\n[1, 2]\n', /line 2 is not a JSON object/],
  ])(
    'rejects %s, naming the source and line',
    async (_what, content, message) => {
      const error = await rejection(
        readDataset({ path: file('bad.jsonl', content), name: 'bad.jsonl' }),
      );
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(/^Cannot parse bad\.jsonl as JSON Lines: /);
      expect(error.message).toMatch(message);
    },
  );

  it('reports a type mismatch with the line number', async () => {
    const error = await rejection(
      readDataset(
        {
          data: Buffer.from('{"a": 1}\n{"a": "x"}\n'),
          format: 'jsonl',
          name: 'cur.jsonl',
        },
        { columns: { a: 'numerical' } },
      ),
    );
    expect(error.message).toBe(
      "Type mismatch in column 'a' of cur.jsonl: declared numerical, but line 2 has 'x'",
    );
  });

  it('reports a column that never appears', async () => {
    const error = await rejection(
      readDataset(
        { data: Buffer.from('{"a": 1}\n'), format: 'jsonl', name: 'x.jsonl' },
        { columns: { b: 'numerical' } },
      ),
    );
    expect(error.message).toBe("Column 'b' is missing from x.jsonl; it has a");
  });
});

describe('Parquet', () => {
  it.each(PARQUET_FILES.map(f => [f.name] as const))(
    'reads %s column chunk by column chunk, across row groups',
    async name => {
      const dataset = await readDataset(
        { path: join(PARQUET_DIR, name) },
        {
          columns: {
            num: 'numerical',
            count: 'numerical',
            cat: 'categorical',
            flag: 'boolean',
            seen_at: 'datetime',
          },
        },
      );
      expect(dataset.rows).toBe(40);
      expect(Array.from(numeric(dataset.columns.num).values)).toEqual(
        MIXED_COLUMNS.num.values.map(v => (v === null ? NaN : v)),
      );
      expect(numeric(dataset.columns.num).integer).toBe(false);
      expect(Array.from(numeric(dataset.columns.count).values)).toEqual([
        ...MIXED_COLUMNS.count.values,
      ]);
      expect(numeric(dataset.columns.count).integer).toBe(true);
      expect(categories(dataset.columns.cat)).toEqual([
        ...MIXED_COLUMNS.cat.values,
      ]);
      expect(categories(dataset.columns.flag)).toEqual([
        ...MIXED_COLUMNS.flag.values,
      ]);
      expect(dataset.columns.seen_at).toBeUndefined();
      expect(dataset.types.seen_at).toBe('datetime');
    },
  );

  it('infers column types from the Parquet schema', async () => {
    const dataset = await readDataset({
      path: join(PARQUET_DIR, 'mixed.snappy.parquet'),
    });
    expect(dataset.types).toEqual({
      num: 'numerical',
      count: 'numerical',
      cat: 'categorical',
      flag: 'boolean',
      seen_at: 'datetime',
    });
  });

  it('reads a Buffer and a Readable', async () => {
    const bytes = readFileSync(join(PARQUET_DIR, 'mixed.zstd.parquet'));
    for (const data of [
      bytes,
      Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]),
    ]) {
      const dataset = await readDataset(
        { data, format: 'parquet', name: 'p' },
        { columns: { count: 'numerical' } },
      );
      expect(Array.from(numeric(dataset.columns.count).values)).toEqual([
        ...MIXED_COLUMNS.count.values,
      ]);
    }
  });

  it('reports type mismatches, missing columns and malformed files by name', async () => {
    const path = join(PARQUET_DIR, 'mixed.snappy.parquet');
    const mismatch = await rejection(
      readDataset(
        { path, name: 'ref.parquet' },
        { columns: { cat: 'numerical' } },
      ),
    );
    expect(mismatch).toBeInstanceOf(InputError);
    expect(mismatch.message).toBe(
      "Type mismatch in column 'cat' of ref.parquet: declared numerical, but row 1 has 'red'",
    );
    const missing = await rejection(
      readDataset(
        { path, name: 'ref.parquet' },
        { columns: { nope: 'numerical' } },
      ),
    );
    expect(missing.message).toBe(
      "Column 'nope' is missing from ref.parquet; it has num, count, cat, flag, seen_at",
    );
    const garbage = file(
      'garbage.parquet',
      Buffer.from('this is not a parquet file at all'),
    );
    const malformed = await rejection(
      readDataset({ path: garbage, name: 'garbage.parquet' }),
    );
    expect(malformed).toBeInstanceOf(InputError);
    expect(malformed.message).toMatch(
      /^Cannot read garbage\.parquet as Parquet: /,
    );
    const truncated = file(
      'truncated.parquet',
      readFileSync(path).subarray(0, 600),
    );
    const cut = await rejection(
      readDataset({ path: truncated, name: 'truncated.parquet' }),
    );
    expect(cut.message).toMatch(/^Cannot read truncated\.parquet as Parquet: /);
  });
});

describe('formats and Dataset entities', () => {
  it('tells the format from the extension', () => {
    expect(formatFromPath('a/b.CSV')).toBe('csv');
    expect(formatFromPath('x.pq')).toBe('parquet');
    expect(formatFromPath('x.ndjson')).toBe('jsonl');
    expect(() => formatFromPath('x.xlsx')).toThrow(InputError);
  });

  const entity = `
apiVersion: mlops.synth.dev/v1alpha1
kind: Dataset
metadata:
  name: churn-features
spec:
  type: tabular
  lifecycle: production
  owner: group:ml
  location: s3://bucket/churn.parquet
  format: parquet
  schema:
    columns:
      - { name: tenure, type: numerical }
      - { name: plan, type: categorical }
      - { name: active, type: boolean }
      - { name: comment, type: text, description: free text }
      - { name: signup, type: datetime }
`;

  it('reads column types from spec.schema.columns, also in a multi-document file', () => {
    const expected = {
      tenure: 'numerical',
      plan: 'categorical',
      active: 'boolean',
      comment: 'text',
      signup: 'datetime',
    };
    expect(columnTypesFromDatasetEntity(entity)).toEqual(expected);
    expect(
      columnTypesFromDatasetEntity(
        `kind: Component\nmetadata: {name: x}\n---\n${entity}`,
      ),
    ).toEqual(expected);
  });

  it.each([
    [
      'no Dataset',
      'kind: Component\nmetadata: {name: x}\n',
      /contains no entity of kind Dataset/,
    ],
    [
      'no schema',
      'kind: Dataset\nmetadata: {name: x}\nspec: {}\n',
      /has no usable spec\.schema\.columns/,
    ],
    [
      'an unknown type',
      'kind: Dataset\nmetadata: {name: x}\nspec: {schema: {columns: [{name: a, type: image}]}}\n',
      /has no usable spec\.schema\.columns/,
    ],
    [
      'a duplicate column',
      'kind: Dataset\nmetadata: {name: x}\nspec: {schema: {columns: [{name: a, type: numerical}, {name: a, type: text}]}}\n',
      /lists column 'a' more than once/,
    ],
    [
      'broken YAML',
      'kind: Dataset\n  metadata: [\n',
      /Cannot parse entity\.yaml as YAML/,
    ],
  ])('rejects an entity with %s', (_what, text, message) => {
    expect(() => columnTypesFromDatasetEntity(text, 'entity.yaml')).toThrow(
      message,
    );
  });
});
