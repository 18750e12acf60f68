import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FetchUrlReader } from '@backstage/backend-defaults/urlReader';
import { NotAllowedError } from '@backstage/errors';
import {
  ColumnDriftResult,
  computeDriftReport,
  DataFormat,
  DriftOptions,
  DriftReport,
  DriftWorkerPool,
} from '@synth/plugin-mlops-drift';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DatabaseMlopsStore } from '../../database/DatabaseMlopsStore';
import { DriftSpec } from '../../database/DriftStore';
import { HttpTransport } from '../../engines/http';
import { RayJobsClient } from '../../engines/RayJobsClient';
import { repoRoot, startEngine } from '../../__testUtils__/engines';
import { Notifier } from '../Notifier';
import { DriftRunner } from './DriftRunner';
import {
  driftSubmissionId,
  parseDriftJobError,
  parseDriftJobResult,
  RayDriftExecutor,
} from './RayDriftExecutor';
import { readingAllowPredicate, RemoteSourcePolicy } from './remoteSources';

jest.setTimeout(10 * 60_000);

const exec = promisify(execFile);
const vectors: Array<{
  name: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}> = JSON.parse(
  fs.readFileSync(
    path.join(
      repoRoot(),
      'plugins/mlops-drift/src/__fixtures__/drift_vectors.json',
    ),
    'utf8',
  ),
);
const vector = (name: string) => {
  const found = vectors.find(v => v.name === name);
  if (!found) {
    throw new Error(`no vector ${name}`);
  }
  return found;
};

/** |a − e| ≤ 1e-9·max(1, |e|) (statistics, as the drift engine's tests). */
function expectStatistic(actual: number, expected: number, label: string) {
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
    expect(`${label}: ${actual}`).toBe(`${label}: ${expected}`);
    return;
  }
  const ok =
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  if (!ok) {
    throw new Error(`${label}: expected ${expected}, got ${actual}`);
  }
}

/** Relative error ≤ 1e-6 (p-values); both subnormal-or-zero below 2^-1022. */
function expectPValue(actual: number, expected: number, label: string) {
  const minNormal = 2.2250738585072014e-308;
  if (Math.abs(expected) < minNormal) {
    if (!(Math.abs(actual) < minNormal)) {
      throw new Error(`${label}: expected ${expected}, got ${actual}`);
    }
    return;
  }
  if (!(Math.abs(actual - expected) <= 1e-6 * Math.abs(expected))) {
    throw new Error(`${label}: expected ${expected}, got ${actual}`);
  }
}

/** The Ray report equals the local engine's: verdicts, methods, counts, histograms, numbers. */
function expectSameReport(ray: DriftReport, local: DriftReport) {
  expect(ray.dataset).toEqual(local.dataset);
  expect(ray.skipped).toEqual(local.skipped);
  expect(ray.reference.rows).toBe(local.reference.rows);
  expect(ray.current.rows).toBe(local.current.rows);
  const byName = (cs: ColumnDriftResult[]) =>
    Object.fromEntries(cs.map(c => [c.column, c]));
  const rayColumns = byName(ray.columns);
  const localColumns = byName(local.columns);
  expect(Object.keys(rayColumns).sort()).toEqual(
    Object.keys(localColumns).sort(),
  );
  for (const [name, l] of Object.entries(localColumns)) {
    const r = rayColumns[name];
    const { statistic, pValue, histogram, details, ...verdict } = r;
    const {
      statistic: lStatistic,
      pValue: lPValue,
      histogram: lHistogram,
      details: lDetails,
      ...lVerdict
    } = l;
    expect(verdict).toEqual(lVerdict);
    expectStatistic(statistic, lStatistic, `${name} statistic`);
    if (lPValue === null) {
      expect(pValue).toBeNull();
    } else {
      expectPValue(pValue!, lPValue, `${name} p-value`);
    }
    const { wassersteinDistance, referenceStd, ...rest } = details;
    const { wassersteinDistance: lW, referenceStd: lStd, ...lRest } = lDetails;
    expect({ details: name, ...rest }).toEqual({ details: name, ...lRest });
    if (lW !== undefined) {
      expectStatistic(wassersteinDistance!, lW, `${name} W1`);
      expectStatistic(referenceStd!, lStd!, `${name} std`);
    }
    expect(histogram.kind).toBe(lHistogram.kind);
    if (histogram.kind === 'numeric' && lHistogram.kind === 'numeric') {
      expect(histogram.edges).toHaveLength(lHistogram.edges.length);
      histogram.edges.forEach((e, i) =>
        expectStatistic(e, lHistogram.edges[i], `${name} edge ${i}`),
      );
      expect([histogram.reference, histogram.current]).toEqual([
        lHistogram.reference,
        lHistogram.current,
      ]);
    } else if (histogram.kind === 'categorical') {
      expect({
        ...histogram,
        categories: histogram.categories.map(String),
      }).toEqual({
        ...lHistogram,
        categories: (lHistogram as { categories: unknown[] }).categories.map(
          String,
        ),
      });
    }
  }
}

const repeat = <T>(n: number, value: T): T[] => Array<T>(n).fill(value);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Vectors as columns of one JSON Lines pair; a shorter column leaves keys out. */
function vectorColumns() {
  const ks = (name: string) => {
    const { ref, cur } = vector(name).inputs as {
      ref: number[];
      cur: number[];
    };
    return { ref, cur };
  };
  const chi = vector('chisq_evidently_freq').inputs as {
    ref_counts: number[];
    cur_counts: number[];
  };
  const categories = (counts: number[]) =>
    counts.flatMap((n, k) => repeat(n, `c${k}`));
  const psiRef = range(0, 99);
  const psiCur = range(50, 149);
  const columns: Record<string, { ref: unknown[]; cur: unknown[] }> = {
    ks_disjoint_5v5: ks('ks_disjoint_5v5'),
    ks_evidently_ttest_data: ks('ks_evidently_ttest_data'),
    ks_unequal_10v12: ks('ks_unequal_10v12'),
    ks_unequal_7v9: ks('ks_unequal_7v9'),
    ks_ties: ks('ks_ties'),
    ztest_binary: {
      ref: [...repeat(60, 'a'), ...repeat(40, 'b')],
      cur: [...repeat(45, 'a'), ...repeat(55, 'b')],
    },
    chisq_evidently_freq: {
      ref: categories(chi.ref_counts),
      cur: categories(chi.cur_counts),
    },
    w1_normed_shift1: ks('w1_normed_shift1'),
    w1_normed_const_ref: { ref: repeat(10, 0.0), cur: repeat(10, 0.01) },
    psi_sturges: { ref: psiRef, cur: psiCur },
    js_sturges: { ref: psiRef, cur: psiCur },
    kl_sturges: { ref: psiRef, cur: psiCur },
    hellinger_sturges: { ref: psiRef, cur: psiCur },
    ks_sturges: { ref: psiRef, cur: psiCur },
    hellinger_categories: {
      ref: categories(chi.ref_counts),
      cur: categories(chi.cur_counts),
    },
  };
  const options: DriftOptions = {
    perColumnMethod: {
      // ks_ties has 3 distinct values: the default would be chisquare
      ks_ties: 'ks',
      w1_normed_shift1: 'wasserstein',
      w1_normed_const_ref: 'wasserstein',
      psi_sturges: 'psi',
      js_sturges: 'jensenshannon',
      kl_sturges: 'kl_div',
      hellinger_sturges: 'hellinger',
      hellinger_categories: 'hellinger',
    },
  };
  const types = Object.fromEntries(
    Object.entries(columns).map(([name, c]) => [
      name,
      typeof c.ref[0] === 'string' ? 'categorical' : 'numerical',
    ]),
  ) as Record<string, 'numerical' | 'categorical'>;
  const lines = (side: 'ref' | 'cur') => {
    const rows = Math.max(...Object.values(columns).map(c => c[side].length));
    return range(0, rows - 1)
      .map(i =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(columns)
              .filter(([, c]) => i < c[side].length)
              .map(([name, c]) => [name, c[side][i]]),
          ),
        ),
      )
      .join('\n');
  };
  return { reference: lines('ref'), current: lines('cur'), types, options };
}

/** Example E1 of drift.md as CSV, plus a text, a datetime and a column with gaps. */
function e1Csv() {
  const header = 'num_a,num_b,cat_c,bin_d,comment,day,gappy';
  const row = (side: 'ref' | 'cur', i: number) => {
    const ref = side === 'ref';
    const binD = i < (ref ? 120 : 80) ? '0' : '1';
    const gappy = ref ? (i * 37) % 101 : ((i * 53) % 97) + 5;
    return [
      ref ? i / 200 : i / 200 + 0.3,
      i % 50,
      ['x', 'y', 'z'][i % 3],
      binD,
      `note ${i}`,
      `2024-01-${String((i % 28) + 1).padStart(2, '0')}`,
      i % 7 === 0 ? '' : gappy,
    ].join(',');
  };
  const file = (side: 'ref' | 'cur') =>
    [header, ...range(0, 199).map(i => row(side, i))].join('\n');
  return {
    reference: file('ref'),
    current: file('cur'),
    types: {
      num_a: 'numerical',
      num_b: 'numerical',
      cat_c: 'categorical',
      bin_d: 'categorical',
      comment: 'text',
      day: 'datetime',
      gappy: 'numerical',
    } as const,
  };
}

/** Seeded Parquet data from numpy: >1000 and >10000 rows, nulls, ints, bools. */
const PARQUET_SCRIPT = `
import sys
import numpy as np, pyarrow as pa, pyarrow.parquet as pq
out = sys.argv[1]
rng = np.random.default_rng(7)
def side(n, shift):
    x = rng.normal(0, 1, n) + shift
    y = rng.normal(0, 1, n) * (1 + shift)
    cnt = rng.integers(0, 9, n)
    plan = rng.choice(['basic', 'pro', 'team', 'enterprise'], n, p=[.4, .3, .2, .1] if shift == 0 else [.3, .3, .3, .1])
    plan = [None if i % 97 == 0 else p for i, p in enumerate(plan)]
    flag = rng.random(n) < (0.3 + shift / 4)
    w = rng.exponential(1.0 + shift, n)
    w = [None if i % 113 == 0 else float(v) for i, v in enumerate(w)]
    return pa.table({'x': x, 'y': y, 'cnt': cnt, 'plan': plan, 'flag': flag, 'w': w})
pq.write_table(side(12000, 0.0), out + '/reference.parquet')
pq.write_table(side(3000, 0.15), out + '/current.parquet')
`;

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('RayDriftExecutor on a real Ray head', () => {
  let dir: string;
  let client: RayJobsClient;
  let executor: RayDriftExecutor;
  let pool: DriftWorkerPool;
  const timings: Record<string, number> = {};

  const file = (name: string, content?: string) => {
    const p = path.join(dir, name);
    if (content !== undefined) {
      fs.writeFileSync(p, content);
    }
    return p;
  };
  const source = (p: string, format: DataFormat) => ({
    url: pathToFileURL(p).toString(),
    format,
  });

  async function both(
    name: string,
    ref: { path: string; format: DataFormat },
    cur: { path: string; format: DataFormat },
    columnTypes: Record<string, string> | undefined,
    options: DriftOptions,
  ) {
    const spec: DriftSpec = {
      reference: source(ref.path, ref.format),
      current: source(cur.path, cur.format),
      columnTypes,
      options,
    };
    const started = Date.now();
    const ray = await executor.compute({
      reportId: `test-${name}-${started}`,
      spec,
    });
    timings[name] = Date.now() - started;
    const local = await computeDriftReport({
      reference: ref,
      current: cur,
      columnTypes: columnTypes as any,
      options,
      pool,
    });
    return { ray, local };
  }

  beforeAll(async () => {
    const rayUrl = await startEngine('ray');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ray-drift-'));
    client = new RayJobsClient({ baseUrl: rayUrl, timeoutMs: 30_000 });
    executor = new RayDriftExecutor({
      client,
      policy: new RemoteSourcePolicy({ localDataRoots: [dir] }),
      python: 'python',
      pollIntervalMs: 500,
      timeoutMs: 5 * 60_000,
    });
    pool = new DriftWorkerPool({ size: 1 });
  });

  afterAll(async () => {
    await pool?.close();
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // the figures the README quotes
    // eslint-disable-next-line no-console
    console.log(`Ray drift job times (ms): ${JSON.stringify(timings)}`);
  });

  it('matches the local engine and scipy on the drift vectors (JSON Lines)', async () => {
    const data = vectorColumns();
    const { ray, local } = await both(
      'vectors-jsonl',
      { path: file('vectors-ref.jsonl', data.reference), format: 'jsonl' },
      { path: file('vectors-cur.jsonl', data.current), format: 'jsonl' },
      data.types,
      data.options,
    );
    expectSameReport(ray, local);

    // and the vectors' own scipy 1.10.1 numbers
    const col = (name: string) => ray.columns.find(c => c.column === name)!;
    for (const name of [
      'ks_disjoint_5v5',
      'ks_evidently_ttest_data',
      'ks_unequal_10v12',
      'ks_unequal_7v9',
      'ks_ties',
    ]) {
      const expected = vector(name).expected as { D: number; p: number };
      expect(col(name).method).toBe('ks');
      expectStatistic(col(name).statistic, expected.D, name);
      expectPValue(col(name).pValue!, expected.p, name);
    }
    const z = vector('ztest_binary').expected as { z: number; p: number };
    expect(col('ztest_binary')).toMatchObject({ method: 'z', drifted: true });
    expectStatistic(col('ztest_binary').statistic, z.z, 'z');
    expectPValue(col('ztest_binary').pValue!, z.p, 'z p');
    const chi = vector('chisq_evidently_freq').expected as {
      stat: number;
      p: number;
    };
    expect(col('chisq_evidently_freq')).toMatchObject({
      method: 'chisquare',
      drifted: false,
    });
    expectStatistic(col('chisq_evidently_freq').statistic, chi.stat, 'chi2');
    expectPValue(col('chisq_evidently_freq').pValue!, chi.p, 'chi2 p');
    expectStatistic(col('w1_normed_shift1').statistic, 0.7071067811865475, 'w');
    expectStatistic(col('w1_normed_const_ref').statistic, 10, 'w floor');
    const psi = vector('psi_evidently_sturges').expected as { psi: number };
    expect(Math.abs(col('psi_sturges').statistic - psi.psi)).toBeLessThan(1e-8);
    expect(col('psi_sturges').details.binning).toBe('sturges');
  });

  it('matches the local engine on CSV (example E1, skipped and gappy columns, one side over HTTP) through the runner', async () => {
    const data = e1Csv();
    const refPath = file('e1-ref.csv', data.reference);
    const curPath = file('e1-cur.csv', data.current);
    const store = await DatabaseMlopsStore.create({
      database: mockServices.database({
        knex: await databases.init('SQLITE_3'),
      }),
    });
    // the current side over HTTP (allowed by backend.reading.allow), read by the Ray job
    const server = http.createServer((req, res) => {
      if (req.url === '/e1-cur.csv') {
        res.end(data.current);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    const port = (server.address() as AddressInfo).port;
    server.unref(); // closed at the end; never keeps jest alive after a failure
    const overHttp = new RayDriftExecutor({
      client,
      policy: RemoteSourcePolicy.fromConfig(
        new ConfigReader({
          backend: { reading: { allow: [{ host: `127.0.0.1:${port}` }] } },
        }),
        [dir],
      ),
      pollIntervalMs: 500,
      timeoutMs: 5 * 60_000,
    });
    const logger = mockServices.logger.mock();
    const runner = new DriftRunner({
      store,
      executor: overHttp,
      notifier: new Notifier({ logger }),
      logger,
      leaseOwner: 'test',
      leaseMs: 60_000,
      maxAttempts: 3,
      maxConcurrent: 2,
    });
    const spec: DriftSpec = {
      reference: source(refPath, 'csv'),
      current: { url: `http://127.0.0.1:${port}/e1-cur.csv`, format: 'csv' },
      columnTypes: data.types,
      options: {},
    };
    const ok = await store.createDriftReport({
      modelRef: 'mlmodel:default/e1',
      triggeredBy: 'user:default/alice',
      spec,
    });
    const started = Date.now();
    await expect(runner.process(ok.record.id)).resolves.toBe('computed');
    timings['e1-csv-runner'] = Date.now() - started;

    const local = await computeDriftReport({
      reference: { path: refPath, format: 'csv' },
      current: { path: curPath, format: 'csv' },
      columnTypes: data.types,
      pool,
    });
    const record = await store.getDriftReport(ok.record.id);
    expect(record?.status).toBe('succeeded');
    expect(local.dataset.numberOfDriftedColumns).toBeGreaterThanOrEqual(2);
    expect(record?.result).toMatchObject({
      driftShare: local.dataset.driftShare,
      drifted: local.dataset.drifted,
      threshold: 0.5,
      columnCount: 5,
      referenceRows: 200,
      currentRows: 200,
    });
    expect(record?.result?.driftedColumns.sort()).toEqual(
      local.columns
        .filter(c => c.drifted)
        .map(c => c.column)
        .sort(),
    );
    expect(record?.result?.skippedColumns.map(s => s.column)).toEqual([
      'comment',
      'day',
    ]);
    const stored = await store.getDriftReportColumns(ok.record.id);
    for (const l of local.columns) {
      const s = stored.find(c => c.column === l.column)!;
      expect({
        column: s.column,
        method: s.method,
        drifted: s.drifted,
      }).toEqual({
        column: l.column,
        method: l.method,
        drifted: l.drifted,
      });
      expectStatistic(s.statistic ?? Infinity, l.statistic, l.column);
      if (l.pValue !== null) {
        expectPValue(s.pValue!, l.pValue, l.column);
      }
      expect([s.referenceCount, s.currentCount]).toEqual([
        l.referenceCount,
        l.currentCount,
      ]);
    }
    // E1's scipy values
    expectPValue(
      stored.find(c => c.column === 'num_a')!.pValue!,
      1.294088068e-8,
      'num_a',
    );
    expectPValue(
      stored.find(c => c.column === 'bin_d')!.pValue!,
      6.334248367e-5,
      'bin_d',
    );
    expect(stored.find(c => c.column === 'gappy')!.referenceCount).toBe(171);

    // A malformed current file: the job fails, the report fails naming the source.
    const badPath = file('bad.jsonl', '{"num_a": 1}\n{"num_a": \n');
    const bad = await store.createDriftReport({
      modelRef: 'mlmodel:default/e1',
      triggeredBy: 'user:default/alice',
      spec: {
        ...spec,
        current: source(badPath, 'jsonl'),
        columnTypes: { num_a: 'numerical' },
      },
    });
    await expect(runner.process(bad.record.id)).resolves.toBe('failed');
    const failed = await store.getDriftReport(bad.record.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toContain(
      `the current data (${pathToFileURL(badPath)})`,
    );
    expect(failed?.error).toMatch(
      /^Cannot read the current data .* as jsonl: /,
    );
    expect(failed?.error).not.toContain('--spec');
    // the reader's own complaint, not Ray's retry advice or a traceback
    expect(failed?.error).not.toMatch(/To change retry attempts|Traceback/);
    expect(failed?.error).toMatch(
      /as jsonl: ValueError: Expected object or value at position \d+$/,
    );
    await new Promise(resolve => server.close(resolve));
  });

  it('matches the local engine on generated Parquet (defaults on >1000 rows, asymptotic KS, nulls, ints, booleans)', async () => {
    await exec(
      path.join(repoRoot(), '.venvs/ray/bin/python'),
      ['-c', PARQUET_SCRIPT, dir],
      { timeout: 120_000 },
    );
    const types = {
      x: 'numerical',
      y: 'numerical',
      cnt: 'numerical',
      plan: 'categorical',
      flag: 'boolean',
      w: 'numerical',
    } as const;
    // defaults (wasserstein / jensenshannon) for some, every other method for the rest
    const options: DriftOptions = {
      perColumnMethod: { y: 'ks', w: 'hellinger', cnt: 'psi', flag: 'kl_div' },
      perColumnThreshold: { y: 0.01 },
      driftShare: 0.3,
    };
    const { ray, local } = await both(
      'generated-parquet',
      { path: path.join(dir, 'reference.parquet'), format: 'parquet' },
      { path: path.join(dir, 'current.parquet'), format: 'parquet' },
      types,
      options,
    );
    expectSameReport(ray, local);
    const y = ray.columns.find(c => c.column === 'y')!;
    expect(y.details.ksPValueMethod).toBe('asymptotic');
    expect(ray.columns.find(c => c.column === 'x')!.method).toBe('wasserstein');
    expect(ray.columns.find(c => c.column === 'plan')).toMatchObject({
      method: 'jensenshannon',
      referenceDropped: 124,
    });
  });

  it('refuses a source outside the allow lists before submitting anything', async () => {
    const requests: string[] = [];
    const transport: HttpTransport = async ({ url, method }) => {
      requests.push(`${method} ${url.pathname}`);
      return { status: 500, text: 'unexpected' };
    };
    const guarded = new RayDriftExecutor({
      client: new RayJobsClient({
        baseUrl: 'http://127.0.0.1:1',
        timeoutMs: 1000,
        transport,
      }),
      policy: new RemoteSourcePolicy({ localDataRoots: [dir] }),
      pollIntervalMs: 10,
      timeoutMs: 1000,
    });
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ray-drift-out-'));
    try {
      const spec = (url: string): DriftSpec => ({
        reference: { url, format: 'csv' },
        current: source(file('inside.csv', 'a\n1\n'), 'csv'),
        options: {},
      });
      for (const url of [
        pathToFileURL(path.join(outside, 'secret.csv')).toString(),
        pathToFileURL(path.join(dir, '..', 'x.csv')).toString(),
        'https://data.example.com/ref.csv?X-Amz-Signature=abc',
        's3://bucket/ref.csv',
        'ftp://data.example.com/ref.csv',
      ]) {
        const attempt = guarded.compute({ reportId: 'r1', spec: spec(url) });
        await expect(attempt).rejects.toBeInstanceOf(NotAllowedError);
        await expect(attempt).rejects.toThrow(/the reference data/);
      }
      await expect(
        guarded.compute({
          reportId: 'r1',
          spec: spec('https://data.example.com/ref.csv?X-Amz-Signature=abc'),
        }),
      ).rejects.toThrow(
        'Reading the reference data (https://data.example.com/ref.csv?…) is not allowed',
      );
      expect(requests).toEqual([]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('RemoteSourcePolicy', () => {
  const allow = [
    { host: 'data.example.com', paths: ['/drift/'] },
    { host: '*.corp.example.com' },
    { host: 'localhost:8000-8100' },
  ];

  it('applies backend.reading.allow exactly as the FetchUrlReader does', () => {
    const config = new ConfigReader({ backend: { reading: { allow } } });
    const [{ predicate }] = FetchUrlReader.factory({
      config,
      logger: mockServices.logger.mock(),
      treeResponseFactory: {} as any,
    });
    const ours = readingAllowPredicate(
      config.getOptionalConfigArray('backend.reading.allow'),
    );
    const urls = [
      'https://data.example.com/drift/ref.csv',
      'https://data.example.com/drift',
      'https://data.example.com/drift/../secret.csv',
      'https://data.example.com/other/ref.csv',
      'https://data.example.com:8443/drift/ref.csv',
      'https://a.corp.example.com/x.parquet',
      'https://corp.example.com/x.parquet',
      'http://localhost:8050/x.csv',
      'http://localhost:9000/x.csv',
      'http://localhost/x.csv',
    ];
    expect(urls.map(u => [u, ours(new URL(u))])).toEqual(
      urls.map(u => [u, predicate(new URL(u))]),
    );
    expect(ours(new URL(urls[0]))).toBe(true);
  });

  it('allows file: inside localDataRoots, http(s) by either list, s3 by mlops.drift.ray.allow', () => {
    const policy = RemoteSourcePolicy.fromConfig(
      new ConfigReader({
        backend: { reading: { allow: [{ host: 'data.example.com' }] } },
        mlops: {
          drift: {
            ray: {
              allow: [
                { host: 'lake', paths: ['/drift'] },
                { host: 'files.example.org' },
              ],
            },
          },
        },
      }),
      ['/data/shared'],
    );
    expect(policy.check('file:///data/shared/a/ref.csv', 'x')).toBe(
      '/data/shared/a/ref.csv',
    );
    expect(policy.check('https://data.example.com/r.csv', 'x')).toBe(
      'https://data.example.com/r.csv',
    );
    expect(policy.check('https://files.example.org/r.csv', 'x')).toBe(
      'https://files.example.org/r.csv',
    );
    expect(policy.check('s3://lake/drift/2024/r.parquet', 'x')).toBe(
      's3://lake/drift/2024/r.parquet',
    );
    expect(() => policy.check('s3://lake/private/r.parquet', 'x')).toThrow(
      'Reading x is not allowed: add its bucket to mlops.drift.ray.allow',
    );
    expect(() => policy.check('s3://data.example.com/r.csv', 'x')).toThrow(
      NotAllowedError,
    );
    expect(() => policy.check('file:///data/other/r.csv', 'x')).toThrow(
      'not a file inside mlops.drift.localDataRoots',
    );
  });
});

describe('drift job output', () => {
  const report = {
    dataset: {
      driftShare: 1,
      drifted: true,
      driftShareThreshold: 0.5,
      numberOfColumns: 1,
      numberOfDriftedColumns: 1,
    },
    columns: [
      {
        column: 'plan',
        type: 'categorical',
        featureType: 'categorical',
        method: 'chisquare',
        methodSource: 'default',
        statistic: 'Infinity',
        pValue: 0,
        threshold: 0.05,
        comparison: '<',
        drifted: true,
        referenceCount: 2,
        currentCount: 2,
        referenceDropped: 0,
        currentDropped: 0,
        details: { degreesOfFreedom: 1, distinctValues: 2 },
        histogram: {
          kind: 'categorical',
          categories: ['a', 'b'],
          reference: [2, 0],
          current: [0, 2],
          otherReference: 0,
          otherCurrent: 0,
        },
      },
    ],
    skipped: [],
    reference: { name: 'r', rows: 2 },
    current: { name: 'c', rows: 2 },
  };

  it('reads the last result line, after progress output, with +inf as "Infinity"', () => {
    const log = [
      'Running entrypoint for job x',
      `mlops-drift-result: {"dataset": {}}`,
      `Read progress 50%\rRead progress 100%\r`,
      `mlops-drift-result: ${JSON.stringify(report)}`,
      'done',
    ].join('\n');
    const parsed = parseDriftJobResult(log)!;
    expect(parsed.columns[0].statistic).toBe(Infinity);
    expect(parsed.dataset.drifted).toBe(true);
    expect(parseDriftJobResult('no result here')).toBeUndefined();
  });

  it('refuses a result that does not match the report format', () => {
    const broken = {
      ...report,
      columns: [{ ...report.columns[0], method: 'magic' }],
    };
    expect(() =>
      parseDriftJobResult(`mlops-drift-result: ${JSON.stringify(broken)}`),
    ).toThrow(/does not match the report format: columns\.0\.method/);
    expect(() => parseDriftJobResult('mlops-drift-result: {nope')).toThrow(
      'not JSON',
    );
  });

  it('reads the job error line and derives submission ids from report ids', () => {
    expect(
      parseDriftJobError(
        'Traceback…\nmlops-drift-error: {"message": "Column \'x\' is missing from r"}\n',
      ),
    ).toBe("Column 'x' is missing from r");
    expect(parseDriftJobError('mlops-drift-error: not json')).toBeUndefined();
    expect(driftSubmissionId('abc')).toBe('mlops-drift-abc');
  });
});
