import { InputError } from '@backstage/errors';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NumericColumnData } from '../engine/types';
import { readCsv, readCsvFile } from './csv';
import { isFastCsvBail, readNumericCsvFast } from './fastCsv';
import { ColumnSelection, LoadedDataset } from './types';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drift-fast-csv-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chunked = (content: string, size: number) => {
  const bytes = Buffer.from(content);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    chunks.push(bytes.subarray(i, i + size));
  }
  return chunks;
};

/** The fast reader (in small chunks, to cross chunk boundaries) and csv-parse. */
async function both(content: string, columns: ColumnSelection) {
  const request = { name: 'x.csv', columns };
  const fast = await readNumericCsvFast(
    Readable.from(chunked(content, 7)),
    request,
  );
  const general = await readCsv(Readable.from([Buffer.from(content)]), request);
  return { fast, general };
}

/** Everything a dataset holds, with values as arrays (toEqual tells -0 from 0). */
function summary(dataset: LoadedDataset) {
  return {
    ...dataset,
    columns: Object.fromEntries(
      Object.entries(dataset.columns).map(([column, data]) => {
        const numeric = data as NumericColumnData;
        return [column, { ...numeric, values: Array.from(numeric.values) }];
      }),
    ),
  };
}

function expectSame(fast: LoadedDataset, general: LoadedDataset) {
  expect(summary(fast)).toEqual(summary(general));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('the byte-level reader of numerical CSV columns', () => {
  const tokens = [
    '1',
    '-0',
    '+5',
    '007',
    '.5',
    '5.',
    '-.25',
    '1e5',
    '1E-3',
    '1.5e+300',
    '2.2250738585072014e-308',
    '4.9e-324',
    '1e400',
    '-1e-400',
    '0.1',
    '0.30000000000000004',
    '123456789012345',
    '1234567890123456789',
    '9007199254740991',
    '9007199254740992',
    '9007199254740993',
    '-0.9007199254740993',
    '0.8999999999999999',
    '4503599627370497.5',
    '8.999999999999999e-5',
    '0.000000000000000000000000001',
    '1e22',
    '1e23',
    '123456789012345e-22',
    '123456789012345e-23',
    ' 7 ',
    '',
    'NA',
    'NaN',
    'null',
    'inf',
    '-Infinity',
    '1e0000001',
  ];

  it('reads every number form as csv-parse and the token rules do, across chunk boundaries', async () => {
    const content = `a,skip,b\n${tokens
      .map((t, i) => `${t},never read,${tokens[(i * 7) % tokens.length]}`)
      .join('\n')}\n`;
    const { fast, general } = await both(content, {
      a: 'numerical',
      b: 'numerical',
    });
    expect(fast.rows).toBe(tokens.length);
    expectSame(fast, general);
  });

  it('agrees with Number() on random decimal strings of 1 to 20 digits', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const digits = (n: number) =>
      Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
    const values: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const sign = ['', '-', '+'][Math.floor(random() * 3)];
      const int = digits(Math.floor(random() * 10));
      const frac = digits(Math.floor(random() * 12));
      const exp =
        random() < 0.3
          ? `e${random() < 0.5 ? '-' : ''}${Math.floor(random() * 40)}`
          : '';
      const body = frac ? `${int}.${frac}` : int || '0';
      values.push(`${sign}${body}${exp}`);
    }
    const content = `v\n${values.join('\n')}\n`;
    const { fast, general } = await both(content, { v: 'numerical' });
    expectSame(fast, general);
    const read = (fast.columns.v as NumericColumnData).values;
    const wrong = values.filter((v, i) => !Object.is(read[i], Number(v)));
    expect(wrong).toEqual([]);
  });

  it('handles CRLF, a BOM, empty lines, a last line without newline, integer columns and skipped text columns', async () => {
    const content = '\uFEFFid, v ,note\r\n1,2.5,a\r\n\r\n2,,b\r\n3,1e2,c';
    const columns = { id: 'numerical', v: 'numerical', note: 'text' } as const;
    const { fast, general } = await both(content, columns);
    expect(fast.rows).toBe(3);
    expect((fast.columns.id as NumericColumnData).integer).toBe(true);
    expect(fast.types).toEqual(columns);
    expectSame(fast, general);
  });

  it.each([
    ['quotes', 'a\n"1"\n'],
    ['a bare CR as record delimiter', 'a\r1\r2\r'],
    ['a row with too many fields', 'a,b\n1,2\n3,4,5\n'],
    ['a row with too few fields', 'a,b\n1,2\n3\n'],
    ['a value that is not a number', 'a,b\n1,2\nabc,4\n'],
    ['LF lines in a CRLF file', 'a,b\r\n1,2\n3,4\r\n'],
    ['no header line', 'a,b'],
  ])(
    'gives up on %s, and the file reads as csv-parse reads it',
    async (_what, content) => {
      const columns = { a: 'numerical' } as const;
      const error = await failure(
        readNumericCsvFast(Readable.from([Buffer.from(content)]), {
          name: 'x.csv',
          columns,
        }),
      );
      expect(isFastCsvBail(error)).toBe(true);
      const path = join(dir, 'bail.csv');
      writeFileSync(path, content);
      const outcome = (promise: Promise<LoadedDataset>) =>
        promise.then(summary, (e: Error) => ({
          error: e.message,
          inputError: e instanceof InputError,
        }));
      const viaFile = await outcome(
        readCsvFile(path, { name: 'x.csv', columns }),
      );
      const viaParser = await outcome(
        readCsv(Readable.from([Buffer.from(content)]), {
          name: 'x.csv',
          columns,
        }),
      );
      expect(viaFile).toEqual(viaParser);
    },
  );

  it('reports a missing column itself, as the general reader words it', async () => {
    const path = join(dir, 'missing.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    const error = await failure(
      readCsvFile(path, { name: 'cur.csv', columns: { c: 'numerical' } }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      "Column 'c' is missing from cur.csv; it has a, b",
    );
  });
});
