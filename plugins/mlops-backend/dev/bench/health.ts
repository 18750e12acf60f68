/* eslint-disable no-console */
/*
 * bench:health - p99 of GET /api/mlops/models/:ns/:name/health at a fixed
 * 100 req/s with 10,000 MLModels in the catalog and 1,000,000 drift rows on
 * PostgreSQL, next to the p99 of the catalog's entity-by-name in the same
 * run. Targets: health p99 <= 50 ms and <= 2x the catalog's. Then, unless
 * BENCH_BATCH_REFS is 0, the p99 of POST /api/mlops/health/query for 20
 * random models per request (one ML catalog page), by default at the same
 * number of models per second as the single route (100 req/s / 20 = 5 req/s).
 *
 *   source scripts/lib.sh && ensure_toolchain && ensure_postgres
 *   yarn workspace @synth/plugin-mlops-backend bench:health
 *
 * Environment: BENCH_MODELS (10000), BENCH_DRIFT_ROWS (1000000), BENCH_RATE
 * (100), BENCH_WARMUP_S (10), BENCH_DURATION_S (30), BENCH_REPS (3),
 * BENCH_MLOPS_CONFIG (JSON merged as the measured backend's `mlops` config),
 * BENCH_FRESH=1 to drop the seeded databases first, BENCH_BATCH_REFS (20;
 * 0 skips the batch measurement), BENCH_BATCH_RATE (BENCH_RATE /
 * BENCH_BATCH_REFS), BENCH_PIN (1: the load generator on CPU 0 and the
 * backend on CPU 1 when taskset exists; 0: no pinning, the backend may use
 * both cores as it would in a deployment), BENCH_PREFIX (mlops_bench_: a
 * small trial run with BENCH_MODELS=100 should use another prefix, so
 * the seeded 10k catalog stays). The seeded catalog is kept between runs because ingesting 10k
 * entities takes minutes on 2 cores.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import knexFactory from 'knex';
import os from 'node:os';
import {
  BenchBackend,
  benchDir,
  dropDatabases,
  freePort,
  hasTaskset,
  log,
  requirePostgres,
} from './common';
import { fixedRate, fmt, median, Summary } from './load';

type Endpoint = 'catalog' | 'health' | 'batch';

const MODELS = Number(process.env.BENCH_MODELS ?? 10_000);
const DRIFT_ROWS = Number(process.env.BENCH_DRIFT_ROWS ?? 1_000_000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const PREFIX = process.env.BENCH_PREFIX ?? 'mlops_bench_';
const BATCH_REFS = Number(process.env.BENCH_BATCH_REFS ?? 20);
const BATCH_RATE = Number(
  process.env.BENCH_BATCH_RATE ?? RATE / Math.max(1, BATCH_REFS),
);
/** Extra `mlops` config of the measured backend (JSON), e.g. to turn off drift scheduling. */
const MLOPS_CONFIG = process.env.BENCH_MLOPS_CONFIG
  ? JSON.parse(process.env.BENCH_MLOPS_CONFIG)
  : undefined;

/** Pin the load generator to CPU 0 and the backend to CPU 1 (BENCH_PIN=0: neither). */
const PIN = process.env.BENCH_PIN !== '0' && hasTaskset();

function pinSelf() {
  // The load generator on CPU 0, the backend on CPU 1.
  if (PIN && !process.env.BENCH_PINNED) {
    const result = spawnSync(
      'taskset',
      [
        '-c',
        '0',
        process.execPath,
        ...process.execArgv,
        ...process.argv.slice(1),
      ],
      {
        stdio: 'inherit',
        env: { ...process.env, BENCH_PINNED: '1' },
      },
    );
    process.exit(result.status ?? 1);
  }
}

/** Runs, deployments and drift reports for every model, straight into PostgreSQL. */
async function seedMlops() {
  const db = knexFactory({
    client: 'pg',
    connection: `${requirePostgres().replace(/\/$/, '')}/${PREFIX}mlops`,
  });
  try {
    const [{ count }] = await db('drift_reports').count({ count: '*' });
    if (Number(count) >= DRIFT_ROWS) {
      log(`mlops tables already seeded (${count} drift rows)`);
      return;
    }
    log(
      `seeding ${DRIFT_ROWS} drift rows, ${MODELS} runs and ${
        MODELS / 2
      } deployments`,
    );
    // Within the drift retention (90 days, 100 reports per model), so the
    // drift scheduler's pruning leaves the seeded rows alone: 1M rows 7 s
    // apart span 81 days, 100 per model.
    await db.raw('truncate drift_reports, training_runs cascade');
    await db.raw('truncate deployments');
    const chunk = 100_000;
    for (let from = 1; from <= DRIFT_ROWS; from += chunk) {
      await db.raw(
        `insert into drift_reports (id, model_ref, status, triggered_by, spec, drift_share, dataset_drift,
           drift_share_threshold, column_count, drifted_columns, reference_rows, current_rows, attempts,
           created_at, started_at, finished_at)
         select gen_random_uuid()::text, 'mlmodel:default/bench-model-' || (g % ?),
                case when g % 50 = 0 then 'failed' else 'succeeded' end, 'schedule', '{}',
                (g % 100) / 100.0, g % 7 = 0, 0.5, 10, '["a","b"]', 1000, 1000, 1,
                now() - (g * 7 || ' seconds')::interval, now() - (g * 7 || ' seconds')::interval,
                now() - (g * 7 || ' seconds')::interval
         from generate_series(?::int, ?::int) g`,
        [MODELS, from, Math.min(DRIFT_ROWS, from + chunk - 1)],
      );
    }
    await db.raw(
      `insert into training_runs (id, model_ref, idempotency_key, request_hash, executor, status, status_message,
         parameters, spec, created_by, next_check_at, created_at, updated_at, finished_at, notified_status)
       select gen_random_uuid()::text, 'mlmodel:default/bench-model-' || g, 'seed', 'h', 'ray',
              case when g % 10 = 0 then 'failed' else 'succeeded' end,
              case when g % 10 = 0 then 'exit code 1' end,
              '{}', '{}', 'user:default/guest', '9999-12-31', now() - interval '1 day', now(), now(),
              case when g % 10 = 0 then 'failed' else 'succeeded' end
       from generate_series(0, ?::int - 1) g`,
      [MODELS],
    );
    await db.raw(
      `insert into deployments (id, model_ref, version, target, strategy, status, request_hash, target_config,
         state, created_by, next_check_at, created_at, updated_at, finished_at)
       select gen_random_uuid()::text, 'mlmodel:default/bench-model-' || g, '1', 'lambda', 'all-at-once',
              'succeeded', 'h', '{"target":"lambda","functionName":"f","alias":"live"}',
              '{"publishedVersion":"2","previousVersion":"1"}', 'user:default/guest', '9999-12-31',
              now() - interval '1 hour', now(), now()
       from generate_series(0, ?::int - 1, 2) g`,
      [MODELS],
    );
    await db.raw('analyze');
  } finally {
    await db.destroy();
  }
}

async function explain() {
  const db = knexFactory({
    client: 'pg',
    connection: `${requirePostgres().replace(/\/$/, '')}/${PREFIX}mlops`,
  });
  try {
    const plan = await db.raw(
      `explain analyze select id, finished_at, dataset_drift, drift_share, column_count, drifted_columns
       from drift_reports where model_ref = ? and status = 'succeeded' order by finished_at desc, id desc limit 1`,
      ['mlmodel:default/bench-model-42'],
    );
    return plan.rows.map((r: any) => r['QUERY PLAN']).join('\n');
  } finally {
    await db.destroy();
  }
}

/** CPU time (user + system) the process has used, in ms; -1 if unknown. */
function cpuMs(pid?: number): number {
  try {
    const fields = execFileSync('cat', [`/proc/${pid}/stat`])
      .toString()
      .replace(/^.*\) /, '')
      .split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (12 and 13
    // after the command), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return -1;
  }
}

function rss(pid?: number): string {
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`]).toString();
    return /VmRSS:\s+(\d+ kB)/.exec(status)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

async function main() {
  pinSelf();
  requirePostgres();
  if (process.env.BENCH_FRESH) {
    await dropDatabases(PREFIX);
  }
  const pin = PIN;
  const port = await freePort();
  // Ingest with catalog processing on, then measure with it off, so the
  // catalog's periodic re-processing of 10k entities does not add noise.
  const ingest = new BenchBackend({
    port,
    prefix: PREFIX,
    models: MODELS,
    dir: benchDir(),
    pin,
  });
  log('starting the backend to ingest the catalog and seed the mlops tables');
  await ingest.start();
  try {
    await ingest.waitForModels(MODELS + 1, await ingest.guestToken());
    await seedMlops();
  } finally {
    await ingest.stop();
  }
  const backend = new BenchBackend({
    port,
    prefix: PREFIX,
    models: MODELS,
    dir: benchDir(),
    pin,
    processing: false,
    mlops: MLOPS_CONFIG,
  });
  log(
    `starting the backend to measure (${
      pin ? 'backend on CPU 1, load on CPU 0' : 'no CPU pinning'
    }, catalog processing off)`,
  );
  await backend.start();
  try {
    const token = await backend.guestToken();
    await backend.waitForModels(MODELS + 1, token);
    const headers = { authorization: `Bearer ${token}` };
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % MODELS;
    };
    const endpoints: Record<Endpoint, () => string> = {
      catalog: () =>
        `${
          backend.url
        }/api/catalog/entities/by-name/mlmodel/default/bench-model-${random()}`,
      health: () =>
        `${
          backend.url
        }/api/mlops/models/default/bench-model-${random()}/health`,
      batch: () => `${backend.url}/api/mlops/health/query`,
    };
    // The batch endpoint's body: BATCH_REFS random models, like one page.
    const batchBody = () =>
      JSON.stringify({
        entityRefs: Array.from(
          { length: BATCH_REFS },
          () => `mlmodel:default/bench-model-${random()}`,
        ),
      });
    const cpu: Record<Endpoint, number[]> = {
      catalog: [],
      health: [],
      batch: [],
    };
    const results: Record<Endpoint, Summary[]> = {
      catalog: [],
      health: [],
      batch: [],
    };
    const measured: Endpoint[] =
      BATCH_REFS > 0 ? ['catalog', 'health', 'batch'] : ['catalog', 'health'];
    for (let rep = 1; rep <= REPS; rep++) {
      for (const name of measured) {
        const load = {
          rate: name === 'batch' ? BATCH_RATE : RATE,
          url: endpoints[name],
          body: name === 'batch' ? batchBody : undefined,
          headers,
        };
        await fixedRate({ ...load, durationMs: WARMUP_S * 1000 });
        const measuredFrom = new Date().toISOString();
        const cpuBefore = cpuMs(backend.pid);
        const summary = await fixedRate({
          ...load,
          durationMs: DURATION_S * 1000,
        });
        results[name].push(summary);
        const cpuPerRequest = (cpuMs(backend.pid) - cpuBefore) / summary.count;
        cpu[name].push(cpuPerRequest);
        log(
          `rep ${rep} ${name.padEnd(7)} load=${os.loadavg()[0].toFixed(1)} n=${
            summary.count
          } errors=${summary.errors}${
            summary.errors ? ` ${JSON.stringify(summary.errorKinds)}` : ''
          } p50=${fmt(summary.p50)} p90=${fmt(summary.p90)} p99=${fmt(
            summary.p99,
          )} max=${fmt(summary.max)} backend-cpu/request=${fmt(cpuPerRequest)}`,
        );
        for (const line of backend.profileSince(measuredFrom)) {
          log(`  backend ${line}`);
        }
      }
    }
    const p99 = (name: Endpoint) => results[name].map(s => s.p99);
    const ratios = results.health.map((h, i) => h.p99 / results.catalog[i].p99);
    const range = (v: number[]) =>
      `${fmt(Math.min(...v))} .. ${fmt(Math.max(...v))}`;
    console.log('');
    console.log(
      `bench:health - ${MODELS} MLModels, ${DRIFT_ROWS} drift rows, PostgreSQL, ${RATE} req/s fixed rate,`,
    );
    console.log(
      `${WARMUP_S} s warm-up + ${DURATION_S} s per measurement, ${REPS} repetitions, catalog processing off, ${
        pin ? 'taskset: backend CPU 1, load CPU 0' : 'unpinned'
      }, backend RSS ${rss(backend.pid)}, 1-min load average at the end ${os
        .loadavg()[0]
        .toFixed(1)} on ${os.cpus().length} CPUs`,
    );
    console.log(
      `  catalog entity-by-name p99: median ${fmt(
        median(p99('catalog')),
      )} (range ${range(p99('catalog'))})`,
    );
    console.log(
      `  mlops health           p99: median ${fmt(
        median(p99('health')),
      )} (range ${range(p99('health'))})`,
    );
    console.log(
      `  health / catalog p99 ratio: median ${median(ratios).toFixed(
        2,
      )} (range ${Math.min(...ratios).toFixed(2)} .. ${Math.max(
        ...ratios,
      ).toFixed(2)})`,
    );
    console.log(
      `  backend CPU per request: catalog ${fmt(
        median(cpu.catalog),
      )}, health ${fmt(median(cpu.health))} (medians)`,
    );
    console.log(
      `  errors: catalog ${results.catalog.reduce(
        (a, s) => a + s.errors,
        0,
      )}, health ${results.health.reduce((a, s) => a + s.errors, 0)}`,
    );
    if (BATCH_REFS > 0) {
      console.log(
        `  mlops health batch     p99: median ${fmt(
          median(p99('batch')),
        )} (range ${range(
          p99('batch'),
        )}) - POST /health/query, ${BATCH_REFS} models per request at ${BATCH_RATE} req/s; p50 median ${fmt(
          median(results.batch.map(s => s.p50)),
        )}; backend CPU per request ${fmt(median(cpu.batch))} (${fmt(
          median(cpu.batch) / BATCH_REFS,
        )} per model); errors ${results.batch.reduce(
          (a, s) => a + s.errors,
          0,
        )}`,
      );
    }
    console.log(
      `  targets: health p99 <= 50 ms: ${
        median(p99('health')) <= 50 ? 'met' : 'NOT met'
      }; <= 2x catalog: ${median(ratios) <= 2 ? 'met' : 'NOT met'}`,
    );
    console.log('');
    console.log('latest-drift query plan:');
    console.log(await explain());
  } finally {
    await backend.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
