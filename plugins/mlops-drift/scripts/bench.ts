/*
 * Drift benchmark: this engine vs scipy vs Evidently's DataDriftPreset on the
 * same seeded data (default 1M rows × 20 numeric columns, reference and
 * current), in one run. Prints times, ratios and peak RSS.
 *
 *   yarn workspace @synth/plugin-mlops-drift run bench [--rows N] [--columns K]
 *     [--seed S] [--evidently-rows N] [--skip-evidently] [--workers W]
 *     [--repeat R] [--csv] [--json out.json]
 *
 * --csv also writes the data as CSV files and times the engine from them
 * (after the other measurements).
 *
 * Needs the project venv (.venvs/drift, requirements/drift.txt).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { computeDriftReport } from '../src/engine/computeDriftReport';
import {
  ColumnType,
  DriftMethod,
  NumericColumnData,
} from '../src/engine/types';
import { LoadedDataset } from '../src/io/types';
import { readDatasetInWorkers } from '../src/io/workerRead';
import { DriftWorkerPool } from '../src/worker/pool';
import { ORACLE_PYTHON } from '../src/__testUtils__/oracle';

const BENCH_PY = resolve(__dirname, 'bench_python.py');

function python(args: string[]): any {
  const result = spawnSync(ORACLE_PYTHON, [BENCH_PY, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) {
    throw new Error(`bench_python.py ${args[0]} failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

/** Wall-clock seconds and CPU seconds of this process (main thread and workers). */
async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ seconds: number; cpuSeconds: number; value: T }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return {
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
    value,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const fmt = (s: number) => `${s.toFixed(3)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}×`;

async function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      columns: { type: 'string', default: '20' },
      seed: { type: 'string', default: '42' },
      'evidently-rows': { type: 'string' },
      'skip-evidently': { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '3' },
      json: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  const columns = Number(values.columns);
  const seed = Number(values.seed);
  const repeat = Number(values.repeat);
  const evidentlyRows = Number(values['evidently-rows'] ?? rows);
  const dir = mkdtempSync(join(tmpdir(), 'drift-bench-'));
  const pool = new DriftWorkerPool({ size: Number(values.workers) });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    log(
      `data: ${rows} rows × ${columns} numeric columns (reference and current), seed ${seed}`,
    );
    log(
      `machine: ${availableParallelism()} cores, load average ${loadavg()
        .map(l => l.toFixed(2))
        .join(' ')}`,
    );
    python([
      'generate',
      '--rows',
      String(rows),
      '--columns',
      String(columns),
      '--seed',
      String(seed),
      '--out',
      dir,
    ]);
    const reference = { path: join(dir, 'reference.parquet') };
    const current = { path: join(dir, 'current.parquet') };
    const columnTypes: Record<string, ColumnType> = Object.fromEntries(
      Array.from({ length: columns }, (_, j) => [
        `c${String(j).padStart(2, '0')}`,
        'numerical',
      ]),
    );

    // start the workers (thread start-up and module loading) outside the timings
    const warm = await timed(() =>
      computeDriftReport({
        reference: { columns: { x: [1, 2, 3, 4, 5, 6] } },
        current: { columns: { x: [2, 3, 4, 5, 6, 7] } },
        pool,
      }),
    );

    const fileTimes: number[] = [];
    const fileCpu: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const t = await timed(() =>
        computeDriftReport({ reference, current, columnTypes, pool }),
      );
      fileTimes.push(t.seconds);
      fileCpu.push(t.cpuSeconds);
    }
    const fromFile = {
      seconds: median(fileTimes),
      cpuSeconds: median(fileCpu),
      times: fileTimes,
    };
    const read = await timed(async () => [
      await readDatasetInWorkers(reference, columnTypes, pool),
      await readDatasetInWorkers(current, columnTypes, pool),
    ]);
    const [refData, curData] = read.value;
    const memory = (method?: DriftMethod, limit?: number) => {
      const slice = (d: typeof refData) => ({
        name: d.name,
        columns: Object.fromEntries(
          Object.entries(d.columns).map(([name, data]) => {
            const numeric = data as NumericColumnData;
            return [
              name,
              limit
                ? { ...numeric, values: numeric.values.subarray(0, limit) }
                : numeric,
            ];
          }),
        ),
      });
      return computeDriftReport({
        reference: slice(refData),
        current: slice(curData),
        columnTypes,
        options: method ? { method } : undefined,
        pool,
      });
    };
    const runs = async (method?: DriftMethod, limit?: number) => {
      const times: number[] = [];
      const cpu: number[] = [];
      let report;
      for (let i = 0; i < repeat; i++) {
        const t = await timed(() => memory(method, limit));
        times.push(t.seconds);
        cpu.push(t.cpuSeconds);
        report = t.value;
      }
      return {
        seconds: median(times),
        cpuSeconds: median(cpu),
        times,
        report: report!,
      };
    };
    const defaults = await runs();
    const ks = await runs('ks');
    const wasserstein = defaults; // the default selection is wasserstein at this size
    const nodeRss = process.resourceUsage().maxRSS / 1024;

    log('scipy: ks_2samp + wasserstein_distance (normed) per column …');
    const scipy = python([
      'scipy',
      '--reference',
      reference.path,
      '--current',
      current.path,
    ]);

    // our numbers against scipy's on the benchmark data
    let maxP = 0;
    let maxStat = 0;
    for (const column of ks.report.columns) {
      const s = scipy.columns[column.column];
      maxP = Math.max(
        maxP,
        Math.abs(column.pValue! - s.ks_pvalue) /
          Math.max(s.ks_pvalue, Number.MIN_VALUE),
      );
      maxStat = Math.max(maxStat, Math.abs(column.statistic - s.ks_statistic));
    }
    for (const column of wasserstein.report.columns) {
      maxStat = Math.max(
        maxStat,
        Math.abs(
          column.statistic - scipy.columns[column.column].wasserstein_normed,
        ),
      );
    }

    let evidently: any;
    let engineAtEvidentlyRows = defaults;
    if (!values['skip-evidently']) {
      log(`Evidently DataDriftPreset on ${evidentlyRows} rows …`);
      evidently = python([
        'evidently',
        '--reference',
        reference.path,
        '--current',
        current.path,
        '--rows',
        String(evidentlyRows),
      ]);
      if (evidentlyRows !== rows) {
        engineAtEvidentlyRows = await runs(undefined, evidentlyRows);
      }
    }

    let csv:
      | { seconds: number; cpuSeconds: number; times: number[]; read: number }
      | undefined;
    if (values.csv) {
      log('writing the data as CSV …');
      const writeCsv = async (data: LoadedDataset, path: string) => {
        const names = Object.keys(columnTypes);
        const arrays = names.map(
          n => (data.columns[n] as NumericColumnData).values,
        );
        const out = createWriteStream(path);
        out.write(`${names.join(',')}\n`);
        let lines: string[] = [];
        for (let r = 0; r < data.rows; r++) {
          lines.push(arrays.map(a => String(a[r])).join(','));
          if (lines.length === 10000) {
            if (!out.write(`${lines.join('\n')}\n`)) {
              await once(out, 'drain');
            }
            lines = [];
          }
        }
        out.end(lines.length ? `${lines.join('\n')}\n` : '');
        await once(out, 'finish');
      };
      const csvReference = { path: join(dir, 'reference.csv') };
      const csvCurrent = { path: join(dir, 'current.csv') };
      await writeCsv(refData, csvReference.path);
      await writeCsv(curData, csvCurrent.path);
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const t = await timed(() =>
          computeDriftReport({
            reference: csvReference,
            current: csvCurrent,
            columnTypes,
            pool,
          }),
        );
        times.push(t.seconds);
        cpu.push(t.cpuSeconds);
      }
      const readCsv = await timed(async () => [
        await readDatasetInWorkers(csvReference, columnTypes, pool),
        await readDatasetInWorkers(csvCurrent, columnTypes, pool),
      ]);
      csv = {
        seconds: median(times),
        cpuSeconds: median(cpu),
        times,
        read: readCsv.seconds,
      };
    }

    log('');
    log(
      `worker pool start-up (${pool.size} workers, not counted below): ${fmt(
        warm.seconds,
      )}`,
    );
    log(
      `engine, Parquet files → report (read + ${columns} columns): ${fmt(
        fromFile.seconds,
      )} wall, ${fmt(fromFile.cpuSeconds)} CPU (runs: ${fromFile.times
        .map(fmt)
        .join(', ')})`,
    );
    log(
      `  of which reading both Parquet files on the workers (measured separately): ${fmt(
        read.seconds,
      )}`,
    );
    if (csv) {
      log(
        `engine, CSV files → report (read + ${columns} columns): ${fmt(
          csv.seconds,
        )} wall, ${fmt(csv.cpuSeconds)} CPU (runs: ${csv.times
          .map(fmt)
          .join(', ')})`,
      );
      log(
        `  of which reading both CSV files on the workers (measured separately): ${fmt(
          csv.read,
        )}`,
      );
    }
    log(
      `engine, in-memory columns → report, default methods (wasserstein): ${fmt(
        defaults.seconds,
      )} wall, ${fmt(defaults.cpuSeconds)} CPU (runs: ${defaults.times
        .map(fmt)
        .join(', ')})`,
    );
    log(
      `engine, in-memory columns → report, method ks:                     ${fmt(
        ks.seconds,
      )} wall, ${fmt(ks.cpuSeconds)} CPU (runs: ${ks.times
        .map(fmt)
        .join(', ')})`,
    );
    log(
      `scipy ks_2samp total:             ${fmt(scipy.ks_seconds)} wall, ${fmt(
        scipy.ks_cpu_seconds,
      )} CPU`,
    );
    log(
      `scipy wasserstein (normed) total: ${fmt(
        scipy.wasserstein_seconds,
      )} wall, ${fmt(scipy.wasserstein_cpu_seconds)} CPU`,
    );
    log(
      `CPU-time ratio engine/scipy, ks + wasserstein: ${ratio(
        defaults.cpuSeconds + ks.cpuSeconds,
        scipy.ks_cpu_seconds + scipy.wasserstein_cpu_seconds,
      )}`,
    );
    log(
      `ratio engine/scipy, wasserstein:  ${ratio(
        defaults.seconds,
        scipy.wasserstein_seconds,
      )}`,
    );
    log(
      `ratio engine/scipy, ks:           ${ratio(
        ks.seconds,
        scipy.ks_seconds,
      )}`,
    );
    log(
      `ratio engine/scipy, ks + wasserstein: ${ratio(
        defaults.seconds + ks.seconds,
        scipy.total_seconds,
      )}`,
    );
    log(
      `agreement with scipy on this data: max |ΔD|, |ΔW| ${maxStat.toExponential(
        2,
      )}; max relative Δp ${maxP.toExponential(2)}`,
    );
    if (evidently) {
      log(
        `Evidently DataDriftPreset (${evidently.rows} rows): ${fmt(
          evidently.seconds,
        )} wall, ${fmt(evidently.cpu_seconds)} CPU`,
      );
      log(
        `engine on the same ${evidently.rows} rows: ${fmt(
          engineAtEvidentlyRows.seconds,
        )}`,
      );
      log(
        `ratio engine/Evidently: ${ratio(
          engineAtEvidentlyRows.seconds,
          evidently.seconds,
        )}`,
      );
    }
    log(
      `load average at the end: ${loadavg()
        .map(l => l.toFixed(2))
        .join(' ')}`,
    );
    log(
      `peak RSS: node (main + workers) ${nodeRss.toFixed(
        0,
      )} MB; scipy process ${scipy.peak_rss_mb.toFixed(0)} MB${
        evidently
          ? `; Evidently process ${evidently.peak_rss_mb.toFixed(0)} MB`
          : ''
      }`,
    );
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const targets = [
      `≤ 0.5× scipy ${verdict(
        defaults.seconds + ks.seconds <= 0.5 * scipy.total_seconds,
      )}`,
      `≤ 3 s in memory ${verdict(defaults.seconds <= 3)}`,
    ];
    if (evidently) {
      targets.push(
        `≤ 0.05× Evidently ${verdict(
          engineAtEvidentlyRows.seconds <= 0.05 * evidently.seconds,
        )}`,
      );
    }
    log(`targets (wall clock): ${targets.join('; ')}`);

    if (values.json) {
      writeFileSync(
        values.json,
        JSON.stringify(
          {
            rows,
            columns,
            seed,
            workers: pool.size,
            engine: {
              poolStartSeconds: warm.seconds,
              fromParquetSeconds: fromFile.times,
              fromParquetCpuSeconds: fromFile.cpuSeconds,
              readParquetSeconds: read.seconds,
              fromCsvSeconds: csv?.times,
              fromCsvCpuSeconds: csv?.cpuSeconds,
              readCsvSeconds: csv?.read,
              inMemoryDefaultSeconds: defaults.times,
              inMemoryDefaultCpuSeconds: defaults.cpuSeconds,
              inMemoryKsSeconds: ks.times,
              inMemoryKsCpuSeconds: ks.cpuSeconds,
              peakRssMb: nodeRss,
            },
            scipy: {
              ksSeconds: scipy.ks_seconds,
              ksCpuSeconds: scipy.ks_cpu_seconds,
              wassersteinSeconds: scipy.wasserstein_seconds,
              wassersteinCpuSeconds: scipy.wasserstein_cpu_seconds,
              peakRssMb: scipy.peak_rss_mb,
            },
            evidently: evidently && {
              rows: evidently.rows,
              seconds: evidently.seconds,
              cpuSeconds: evidently.cpu_seconds,
              peakRssMb: evidently.peak_rss_mb,
              engineSeconds: engineAtEvidentlyRows.seconds,
              engineCpuSeconds: engineAtEvidentlyRows.cpuSeconds,
            },
            loadAverageAtEnd: loadavg(),
            agreement: {
              maxStatisticDiff: maxStat,
              maxRelativePValueDiff: maxP,
            },
          },
          null,
          2,
        ),
      );
    }
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
