import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PARQUET_DIR } from '../__testUtils__/parquetFixtures';

jest.setTimeout(120_000);

const BIN = resolve(__dirname, '../../bin/drift');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drift-cli-'));
  // example E1 of drift.md: 200 rows, reference ≤ 1000 → ks, chisquare, z
  const lines = (shift: number, split: number) => [
    'num_a,num_b,cat_c,bin_d,comment',
    ...Array.from(
      { length: 200 },
      (_, i) =>
        `${i / 200 + shift},${i % 50},${['x', 'y', 'z'][i % 3]},${
          i < split ? '0' : '1'
        },free text ${i}`,
    ),
  ];
  writeFileSync(join(dir, 'ref.csv'), `${lines(0, 120).join('\n')}\n`);
  writeFileSync(join(dir, 'cur.csv'), `${lines(0.3, 80).join('\n')}\n`);
  writeFileSync(
    join(dir, 'dataset.yaml'),
    [
      'apiVersion: mlops.synth.dev/v1alpha1',
      'kind: Dataset',
      'metadata: { name: e1 }',
      'spec:',
      '  schema:',
      '    columns:',
      '      - { name: num_a, type: numerical }',
      '      - { name: num_b, type: numerical }',
      '      - { name: cat_c, type: categorical }',
      '      - { name: bin_d, type: categorical }',
      '      - { name: comment, type: text }',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'broken.csv'), 'num_a,num_b\n1,"2\n');
  copyFileSync(
    join(PARQUET_DIR, 'mixed.snappy.parquet'),
    join(dir, 'mixed.parquet'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const { INIT_CWD: _init, PROJECT_CWD: _project, ...base } = process.env;
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...base, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const E1_TYPES = JSON.stringify({
  num_a: 'numerical',
  num_b: 'numerical',
  cat_c: 'categorical',
  bin_d: 'categorical',
});

describe('drift CLI', () => {
  it('prints the JSON report and exits 0', () => {
    const { code, stdout, stderr } = run([
      '--reference',
      'ref.csv',
      '--current',
      'cur.csv',
      '--column-types',
      E1_TYPES,
      '--format',
      'json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['dataset', 'columns', 'skipped']);
    expect(report.dataset).toEqual({
      driftShare: 0.5,
      drifted: true,
      driftShareThreshold: 0.5,
      numberOfColumns: 4,
      numberOfDriftedColumns: 2,
    });
    expect(
      report.columns.map((c: Record<string, unknown>) => Object.keys(c)),
    ).toEqual(
      Array(4).fill([
        'column',
        'type',
        'method',
        'statistic',
        'pValue',
        'threshold',
        'drifted',
      ]),
    );
    expect(
      report.columns.map((c: Record<string, unknown>) => [
        c.column,
        c.type,
        c.method,
        c.drifted,
      ]),
    ).toEqual([
      ['num_a', 'numerical', 'ks', true],
      ['num_b', 'numerical', 'ks', false],
      ['cat_c', 'categorical', 'chisquare', false],
      ['bin_d', 'categorical', 'z', true],
    ]);
    expect(report.columns[0].pValue).toBeCloseTo(1.294088068e-8, 15);
    expect(report.columns[3].pValue).toBeCloseTo(6.334248367e-5, 12);
  });

  it('takes types from a Dataset entity, skips text, and prints a table', () => {
    const { code, stdout } = run([
      '--reference',
      'ref.csv',
      '--current',
      'cur.csv',
      '--dataset-entity',
      'dataset.yaml',
      '--format',
      'table',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^column\s+type\s+method\s+statistic\s+p-value\s+threshold\s+drift\n/,
    );
    expect(stdout).toMatch(
      /num_a\s+numerical\s+ks\s+0\.305\s+1\.2941e-8\s+<= 0\.05\s+DRIFT/,
    );
    expect(stdout).toMatch(/skipped comment \(text\)/);
    expect(stdout).toMatch(
      /dataset drift: YES \(2\/4 columns drifted, share 0\.5 >= 0\.5\)/,
    );
  });

  it('gives distance methods a null p-value and honours per-column JSON and --drift-share', () => {
    const { code, stdout } = run([
      '--reference',
      'ref.csv',
      '--current',
      'cur.csv',
      '--column-types',
      E1_TYPES,
      '--method',
      'psi',
      '--per-column-method',
      '{"num_b":"ks"}',
      '--per-column-threshold',
      '{"num_a":100}',
      '--drift-share',
      '0.75',
      '--include-histograms',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(
      report.columns.map((c: Record<string, unknown>) => [
        c.column,
        c.method,
        c.threshold,
      ]),
    ).toEqual([
      ['num_a', 'psi', 100],
      ['num_b', 'ks', 0.05],
      ['cat_c', 'psi', 0.1],
      ['bin_d', 'psi', 0.1],
    ]);
    expect(report.columns[0].pValue).toBeNull();
    expect(report.columns[0].drifted).toBe(false);
    expect(report.columns[0].histogram.kind).toBe('numeric');
    expect(report.dataset.driftShareThreshold).toBe(0.75);
  });

  it('writes an infinite chi-square statistic as "Infinity"', () => {
    writeFileSync(join(dir, 'cat_ref.csv'), 'c\na\nb\na\nb\n');
    writeFileSync(join(dir, 'cat_cur.csv'), 'c\na\nb\nnew\nb\n');
    const { code, stdout } = run([
      '--reference',
      'cat_ref.csv',
      '--current',
      'cat_cur.csv',
      '--column-types',
      '{"c":"categorical"}',
    ]);
    expect(code).toBe(0);
    const column = JSON.parse(stdout).columns[0];
    expect([
      column.method,
      column.statistic,
      column.pValue,
      column.drifted,
    ]).toEqual(['chisquare', 'Infinity', 0, true]);
  });

  it('reads Parquet', () => {
    const { code, stdout } = run([
      '--reference',
      'mixed.parquet',
      '--current',
      'mixed.parquet',
      '--column-types',
      '{"num":"numerical","cat":"categorical"}',
    ]);
    expect(code).toBe(0);
    expect(
      JSON.parse(stdout).columns.map((c: Record<string, unknown>) => c.drifted),
    ).toEqual([false, false]);
  });

  it('resolves relative paths against INIT_CWD (where yarn was invoked)', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'drift-cwd-'));
    try {
      const result = spawnSync(
        process.execPath,
        [
          BIN,
          '--reference',
          'ref.csv',
          '--current',
          'cur.csv',
          '--column-types',
          E1_TYPES,
        ],
        {
          cwd: elsewhere,
          env: { ...process.env, INIT_CWD: dir },
          encoding: 'utf8',
        },
      );
      expect(result.status).toBe(0);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('falls back to PROJECT_CWD when `yarn workspace … run` set INIT_CWD to the package', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'drift-pkg-'));
    try {
      const result = spawnSync(
        process.execPath,
        [
          BIN,
          '--reference',
          'ref.csv',
          '--current',
          'cur.csv',
          '--column-types',
          E1_TYPES,
        ],
        {
          cwd: elsewhere,
          env: { ...process.env, INIT_CWD: elsewhere, PROJECT_CWD: dir },
          encoding: 'utf8',
        },
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it.each([
    [['--reference', 'ref.csv'], /--reference and --current are required/],
    [
      ['--reference', 'ref.csv', '--current', 'missing.csv'],
      /^drift: Cannot read missing\.csv: no such file\n$/,
    ],
    [
      [
        '--reference',
        'ref.csv',
        '--current',
        'cur.csv',
        '--column-types',
        '{"nope":"numerical"}',
      ],
      /^drift: Column 'nope' is missing from ref\.csv; it has num_a, num_b, cat_c, bin_d, comment\n$/,
    ],
    [
      [
        '--reference',
        'ref.csv',
        '--current',
        'cur.csv',
        '--column-types',
        '{"cat_c":"numerical"}',
      ],
      /^drift: Type mismatch in column 'cat_c' of ref\.csv: declared numerical, but row 1 has 'x'\n$/,
    ],
    [
      [
        '--reference',
        'ref.csv',
        '--current',
        'broken.csv',
        '--column-types',
        '{"num_a":"numerical"}',
      ],
      /^drift: Cannot parse broken\.csv as CSV: /,
    ],
    [
      ['--reference', 'ref.csv', '--current', 'cur.csv', '--method', 'energy'],
      /^drift: Invalid drift options: /,
    ],
    [
      [
        '--reference',
        'ref.csv',
        '--current',
        'cur.csv',
        '--column-types',
        '{bad json',
      ],
      /^drift: --column-types is not valid JSON: /,
    ],
    [
      [
        '--reference',
        'ref.csv',
        '--current',
        'cur.csv',
        '--column-types',
        'types.json',
      ],
      /--column-types must be a JSON object or a JSON file; types\.json is neither/,
    ],
    [
      ['--reference', 'ref.csv', '--current', 'cur.csv', '--format', 'xml'],
      /--format must be json or table/,
    ],
    [
      ['--reference', 'ref.csv', '--current', 'cur.csv', '--threshold', 'high'],
      /--threshold must be a number/,
    ],
    [
      ['--reference', 'ref.csv', '--current', 'cur.csv', '--bogus'],
      /Unknown option '--bogus'/,
    ],
  ])('exits 2 on bad input %j', (args, message) => {
    const { code, stdout, stderr } = run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('prints usage with --help and exits 0', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: drift --reference <file> --current <file>/);
  });
});
