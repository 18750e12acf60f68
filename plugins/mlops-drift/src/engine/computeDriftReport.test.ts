import { InputError } from '@backstage/errors';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { readDataset } from '../io/readDataset';
import { InMemoryDataset } from '../io/inMemory';
import { materialize, toFloat64 } from '../__testUtils__/samples';
import { DriftWorkerPool } from '../worker/pool';
import { computeColumnDrift } from './columnDrift';
import { computeDriftReport, SKIP_REASONS } from './computeDriftReport';
import { toColumnData } from '../__testUtils__/presetCases';

jest.setTimeout(60_000);

const pool = new DriftWorkerPool({ size: 2 });
afterAll(() => pool.close());

const normal = (n: number, seed: number, mean = 0) =>
  toFloat64(materialize({ kind: 'normal', n, seed, mean }));
const pick = <T>(values: T[], n: number, seed: number): T[] =>
  materialize({
    kind: 'categories',
    n,
    seed,
    categories: values as never[],
  }) as unknown as T[];

function datasets(): { reference: InMemoryDataset; current: InMemoryDataset } {
  return {
    reference: {
      name: 'ref',
      columns: {
        price: normal(400, 1),
        stable: normal(400, 2),
        plan: pick(['basic', 'pro', 'team'], 400, 3),
        active: pick([true, false], 400, 4),
        comment: Array(400).fill('text'),
        signup: Array(400).fill('2026-01-01'),
      },
    },
    current: {
      name: 'cur',
      columns: {
        price: normal(300, 5, 0.8),
        stable: normal(300, 6),
        plan: pick(['basic', 'pro', 'team'], 300, 7),
        active: pick([true, false], 300, 8),
        comment: Array(300).fill('text'),
        signup: Array(300).fill('2026-02-01'),
      },
    },
  };
}

const columnTypes = {
  price: 'numerical',
  stable: 'numerical',
  plan: 'categorical',
  active: 'boolean',
  comment: 'text',
  signup: 'datetime',
} as const;

async function inputError(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('computeDriftReport', () => {
  it('tests each column with the default method and skips text and datetime with a reason', async () => {
    const report = await computeDriftReport({
      ...datasets(),
      columnTypes,
      pool,
    });
    expect(
      report.columns.map(c => [
        c.column,
        c.featureType,
        c.method,
        c.methodSource,
        c.comparison,
      ]),
    ).toEqual([
      ['price', 'numerical', 'ks', 'default', '<='],
      ['stable', 'numerical', 'ks', 'default', '<='],
      ['plan', 'categorical', 'chisquare', 'default', '<'],
      ['active', 'categorical', 'z', 'default', '<'],
    ]);
    expect(report.skipped).toEqual([
      { column: 'comment', type: 'text', reason: SKIP_REASONS.text },
      { column: 'signup', type: 'datetime', reason: SKIP_REASONS.datetime },
    ]);
    const price = report.columns[0];
    expect(price.drifted).toBe(true);
    expect(price.pValue!).toBeLessThan(1e-10);
    expect(report.columns[1].drifted).toBe(false);
    expect(report.dataset).toEqual({
      driftShare: report.columns.filter(c => c.drifted).length / 4,
      drifted: report.columns.filter(c => c.drifted).length / 4 >= 0.5,
      driftShareThreshold: 0.5,
      numberOfColumns: 4,
      numberOfDriftedColumns: report.columns.filter(c => c.drifted).length,
    });
    expect(report.reference).toEqual({ name: 'ref', rows: 400 });
    expect(report.current).toEqual({ name: 'cur', rows: 300 });
  });

  it('matches the same column computed directly (worker and main thread agree)', async () => {
    const { reference, current } = datasets();
    const report = await computeDriftReport({
      reference,
      current,
      columnTypes: { price: 'numerical' },
      pool,
    });
    const direct = computeColumnDrift({
      column: 'price',
      type: 'numerical',
      reference: {
        kind: 'numeric',
        values: reference.columns.price as Float64Array,
        integer: false,
      },
      current: {
        kind: 'numeric',
        values: current.columns.price as Float64Array,
        integer: false,
      },
      referenceName: 'ref',
      currentName: 'cur',
      maxHistogramCategories: 50,
    });
    expect(report.columns[0]).toEqual(direct);
  });

  it('applies per-model and per-column methods and thresholds with Evidently precedence', async () => {
    const report = await computeDriftReport({
      ...datasets(),
      columnTypes,
      pool,
      options: {
        method: 'psi',
        numMethod: 'wasserstein',
        perColumnMethod: { stable: 'hellinger' },
        threshold: 0.3,
        catThreshold: 0.02,
        perColumnThreshold: { price: 5 },
        driftShare: 0.25,
      },
    });
    expect(
      report.columns.map(c => [
        c.column,
        c.method,
        c.methodSource,
        c.threshold,
      ]),
    ).toEqual([
      ['price', 'wasserstein', 'override', 5],
      ['stable', 'hellinger', 'override', 0.3],
      ['plan', 'psi', 'override', 0.02],
      ['active', 'psi', 'override', 0.02],
    ]);
    expect(report.columns[0].drifted).toBe(report.columns[0].statistic >= 5);
    expect(report.dataset.driftShareThreshold).toBe(0.25);
  });

  it('counts a share equal to driftShare as dataset drift (≥)', async () => {
    const base = datasets();
    const report = await computeDriftReport({
      ...base,
      columnTypes: { price: 'numerical', stable: 'numerical' },
      pool,
    });
    expect(report.columns.map(c => c.drifted)).toEqual([true, false]);
    expect(report.dataset.driftShare).toBe(0.5);
    expect(report.dataset.drifted).toBe(true);
    const stricter = await computeDriftReport({
      ...datasets(),
      columnTypes: { price: 'numerical', stable: 'numerical' },
      options: { driftShare: 0.51 },
      pool,
    });
    expect(stricter.dataset.drifted).toBe(false);
  });

  it('drops NaN and ±inf per column and says how many', async () => {
    const values = normal(50, 9);
    const withGaps = Float64Array.from([...values, NaN, Infinity, -Infinity]);
    const report = await computeDriftReport({
      reference: {
        columns: { x: withGaps, c: [...Array(50).fill('a'), null, null, 'b'] },
      },
      current: { columns: { x: values.slice(0, 40), c: Array(40).fill('a') } },
      columnTypes: { x: 'numerical', c: 'categorical' },
      pool,
    });
    const [x, c] = report.columns;
    expect([
      x.referenceCount,
      x.referenceDropped,
      x.currentCount,
      x.currentDropped,
    ]).toEqual([50, 3, 40, 0]);
    expect([c.referenceCount, c.referenceDropped]).toEqual([51, 2]);
    const clean = await computeDriftReport({
      reference: { columns: { x: values } },
      current: { columns: { x: values.slice(0, 40) } },
      columnTypes: { x: 'numerical' },
      pool,
    });
    expect(clean.columns[0].pValue).toBe(x.pValue);
    expect(clean.columns[0].statistic).toBe(x.statistic);
  });

  it('returns histograms with shared edges and top categories', async () => {
    const report = await computeDriftReport({
      ...datasets(),
      columnTypes: { price: 'numerical', plan: 'categorical' },
      options: { maxHistogramCategories: 2 },
      pool,
    });
    const [price, plan] = report.columns;
    if (
      price.histogram.kind !== 'numeric' ||
      plan.histogram.kind !== 'categorical'
    ) {
      throw new Error('unexpected histogram kinds');
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // Sturges: ceil(log2(700) + 1) = 11 bins over [min, max] of both samples
    expect(price.histogram.edges).toHaveLength(12);
    expect(sum(price.histogram.reference)).toBe(400);
    expect(sum(price.histogram.current)).toBe(300);
    expect(plan.histogram.categories).toHaveLength(2);
    expect(sum(plan.histogram.reference) + plan.histogram.otherReference).toBe(
      400,
    );
    expect(sum(plan.histogram.current) + plan.histogram.otherCurrent).toBe(300);
  });

  it('infers column types when none are given', async () => {
    const report = await computeDriftReport({
      reference: {
        columns: {
          n: [1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
          c: ['a', 'b', 'a', 'b', 'c', 'a'],
          b: [true, false, true, true, false, true],
        },
      },
      current: {
        columns: {
          n: [1.5, 2.5, 3.5, 4.5, 5.5, 9.5],
          c: ['a', 'b', 'b', 'b', 'c', 'a'],
          b: [true, true, true, true, false, true],
        },
      },
      pool,
    });
    expect(report.columns.map(c => [c.column, c.type, c.method])).toEqual([
      ['n', 'numerical', 'ks'],
      ['c', 'categorical', 'chisquare'],
      ['b', 'boolean', 'z'],
    ]);
  });

  describe('bad input', () => {
    it('a missing column names the column and the source', async () => {
      const { reference, current } = datasets();
      delete current.columns.plan;
      const error = await inputError(
        computeDriftReport({ reference, current, columnTypes, pool }),
      );
      expect(error.message).toBe(
        "Column 'plan' is missing from cur; it has price, stable, active, comment, signup",
      );
    });

    it('an empty column names the column and the dataset', async () => {
      const error = await inputError(
        computeDriftReport({
          reference: { name: 'ref.csv', columns: { x: [1, 2, 3] } },
          current: { name: 'cur.csv', columns: { x: [NaN, Infinity, null] } },
          columnTypes: { x: 'numerical' },
          pool,
        }),
      );
      expect(error.message).toBe(
        "Column 'x' is empty in the current dataset (cur.csv) after dropping missing, NaN and ±inf values",
      );
    });

    it('a type mismatch names the column and the source', async () => {
      const error = await inputError(
        computeDriftReport({
          reference: { name: 'ref', columns: { x: [1, 2, 3] } },
          current: { name: 'cur', columns: { x: [1, 'two', 3] } },
          columnTypes: { x: 'numerical' },
          pool,
        }),
      );
      expect(error.message).toBe(
        "Type mismatch in column 'x' of cur: declared numerical, but row 2 has 'two'",
      );
      const encoded = await inputError(
        computeDriftReport({
          reference: {
            name: 'ref',
            columns: { x: toColumnData(['a', 'b'], 'str') },
          },
          current: { name: 'cur', columns: { x: [1, 2] } },
          columnTypes: { x: 'numerical' },
          pool,
        }),
      );
      expect(encoded.message).toBe(
        "Type mismatch in column 'x' of ref: declared numerical, but the data is categorical",
      );
    });

    it('a method that cannot test the column type, raised in the worker, arrives as an InputError', async () => {
      const error = await inputError(
        computeDriftReport({
          ...datasets(),
          columnTypes: { plan: 'categorical' },
          options: { method: 'ks' },
          pool,
        }),
      );
      expect(error.message).toBe(
        "Method 'ks' cannot test column 'plan': it applies to numerical columns, and 'plan' is categorical",
      );
    });

    it.each([
      [{ driftShare: 0 }, /driftShare/],
      [{ method: 'anderson' }, /method/],
      [{ threshold: -1 }, /threshold/],
      [{ perColumnThreshold: { price: 'high' } }, /perColumnThreshold/],
      [{ unknownOption: true }, /unknownOption/],
    ])('invalid options %j', async (options, message) => {
      const error = await inputError(
        computeDriftReport({
          ...datasets(),
          columnTypes,
          options: options as never,
          pool,
        }),
      );
      expect(error.message).toMatch(/^Invalid drift options: /);
      expect(error.message).toMatch(message);
    });

    it('overrides for columns that are not compared, unknown types, nothing to compare', async () => {
      expect(
        (
          await inputError(
            computeDriftReport({
              ...datasets(),
              columnTypes: { price: 'numerical' },
              options: { perColumnMethod: { pirce: 'ks' } },
              pool,
            }),
          )
        ).message,
      ).toBe(
        "perColumnMethod refers to column 'pirce', which is not among the compared columns",
      );
      expect(
        (
          await inputError(
            computeDriftReport({
              ...datasets(),
              columnTypes: { price: 'image' } as never,
              pool,
            }),
          )
        ).message,
      ).toMatch(/^Invalid column types: /);
      expect(
        (
          await inputError(
            computeDriftReport({
              ...datasets(),
              columnTypes: { comment: 'text' },
              pool,
            }),
          )
        ).message,
      ).toMatch(/^No columns to compare/);
    });
  });
});

describe('worker threads', () => {
  const big = () => ({
    reference: { columns: { x: normal(400000, 11) } },
    current: { columns: { x: normal(400000, 12, 0.001) } },
    columnTypes: { x: 'numerical' as const },
    options: { method: 'ks' as const },
  });

  it('computes every column on a worker thread, never on the main thread', async () => {
    const own = new DriftWorkerPool({ size: 2 });
    try {
      await computeDriftReport({ ...datasets(), columnTypes, pool: own });
      const stats = own.stats();
      expect(stats.tasksCompleted).toBe(4);
      const threads = Object.keys(stats.tasksByThread).map(Number);
      expect(threads.length).toBeGreaterThanOrEqual(1);
      expect(threads.length).toBeLessThanOrEqual(2);
      expect(threads).not.toContain(threadId);
      expect(threads).not.toContain(0);
    } finally {
      await own.close();
    }
  });

  it('keeps the event loop responsive while a large column is tested', async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 5);
    try {
      const input = big();
      // synchronously on this thread, no timer can fire
      const before = ticks;
      computeColumnDrift({
        column: 'x',
        type: 'numerical',
        reference: {
          kind: 'numeric',
          values: input.reference.columns.x,
          integer: false,
        },
        current: {
          kind: 'numeric',
          values: input.current.columns.x,
          integer: false,
        },
        referenceName: 'ref',
        currentName: 'cur',
        method: 'ks',
        maxHistogramCategories: 50,
      });
      expect(ticks).toBe(before);
      // through the pool the timer keeps firing while the worker sorts
      const start = ticks;
      const report = await computeDriftReport({ ...input, pool });
      expect(report.columns[0].details.ksPValueMethod).toBe('asymptotic');
      expect(ticks).toBeGreaterThan(start);
    } finally {
      clearInterval(timer);
    }
  });

  it('parses files on worker threads: the event loop stays free while a 300k-row CSV report is read and computed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drift-loop-'));
    const rows = 300_000;
    const csv = (seed: number, shift: number) => {
      const a = normal(rows, seed, shift);
      const b = normal(rows, seed + 1);
      const lines = ['a,b,plan,flag'];
      for (let i = 0; i < rows; i++) {
        lines.push(
          `${a[i]},${b[i]},${['basic', 'pro', 'team'][i % 3]},${i % 4 === 0}`,
        );
      }
      return `${lines.join('\n')}\n`;
    };
    const measure = async <T>(fn: () => Promise<T>) => {
      let maxLag = 0;
      let ticks = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last - 10);
        last = now;
        ticks++;
      }, 10);
      const elu = performance.eventLoopUtilization();
      try {
        const value = await fn();
        return {
          value,
          ticks,
          maxLag,
          utilization: performance.eventLoopUtilization(elu).utilization,
        };
      } finally {
        clearInterval(timer);
      }
    };
    const own = new DriftWorkerPool({ size: 2 });
    try {
      writeFileSync(join(dir, 'ref.csv'), csv(21, 0));
      writeFileSync(join(dir, 'cur.csv'), csv(23, 0.01));
      const reference = { path: join(dir, 'ref.csv') };
      const current = { path: join(dir, 'cur.csv') };

      // control: the same parse on this thread keeps its event loop busy
      const onThisThread = await measure(() => readDataset(reference));
      expect(onThisThread.value.rows).toBe(rows);
      expect(onThisThread.utilization).toBeGreaterThan(0.5);

      const report = await measure(() =>
        computeDriftReport({ reference, current, pool: own }),
      );
      expect(report.value.current.rows).toBe(rows);
      expect(report.value.columns.map(c => c.column)).toEqual([
        'a',
        'b',
        'plan',
        'flag',
      ]);
      // parsing and tests ran on the workers; this thread only orchestrated
      const stats = own.stats();
      expect(stats.readsCompleted).toBeGreaterThanOrEqual(2);
      const readers = Object.keys(stats.readsByThread).map(Number);
      expect(readers).not.toContain(threadId);
      expect(readers).not.toContain(0);
      expect(report.utilization).toBeLessThan(0.3);
      expect(report.ticks).toBeGreaterThan(5);
      // generous: the machine may be shared, but no parse blocks this thread
      expect(report.maxLag).toBeLessThan(2000);
    } finally {
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copies in-memory arrays by default and moves them when asked', async () => {
    const kept = big();
    await computeDriftReport({ ...kept, pool });
    expect(kept.reference.columns.x.length).toBe(400000);
    const moved = big();
    await computeDriftReport({ ...moved, pool, transferInMemoryBuffers: true });
    expect(moved.reference.columns.x.length).toBe(0);
  });

  it('rejects queued work once closed and refuses invalid sizes', async () => {
    const own = new DriftWorkerPool({ size: 1 });
    await own.close();
    await expect(
      computeDriftReport({
        ...datasets(),
        columnTypes: { price: 'numerical' },
        pool: own,
      }),
    ).rejects.toThrow('The drift worker pool is closed');
    expect(() => new DriftWorkerPool({ size: 0 })).toThrow(InputError);
  });

  it('reads files, then computes: CSV end to end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drift-report-'));
    try {
      const rows = (shift: number) =>
        [
          'v,k',
          ...Array.from(
            { length: 200 },
            (_, i) => `${(i / 200 + shift).toFixed(4)},${['x', 'y'][i % 2]}`,
          ),
        ].join('\n');
      writeFileSync(join(dir, 'ref.csv'), rows(0));
      writeFileSync(join(dir, 'cur.csv'), rows(0.3));
      const report = await computeDriftReport({
        reference: { path: join(dir, 'ref.csv') },
        current: { path: join(dir, 'cur.csv'), name: 'current.csv' },
        pool,
      });
      expect(report.columns.map(c => [c.column, c.method, c.drifted])).toEqual([
        ['v', 'ks', true],
        ['k', 'z', false],
      ]);
      expect(report.current.name).toBe('current.csv');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
