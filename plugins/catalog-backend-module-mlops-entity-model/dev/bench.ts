/*
 * Catalog ingestion benchmark: how much more it costs the catalog to process
 * and stitch MLModel, Dataset and Feature entities than Components with the
 * same references (reliability target D1).
 *
 *   yarn workspace @synth/plugin-catalog-backend-module-mlops-entity-model bench \
 *     [--count 10000] [--db sqlite,postgres] [--rounds 1] [--order components,ml]
 *     [--pg postgresql://postgres@127.0.0.1:5432] [--timeout-minutes 60]
 *     [--sqlite-dir <dir>]
 *
 * For each database and workload it starts a real catalog backend (the catalog
 * plugin, this module and an entity provider) on a fresh database, applies one
 * full mutation with all entities, and measures the time until every entity is
 * processed and every final entity is stitched (no stitch left in the queue).
 *
 * Workloads, each with `count` entities plus 10 Groups and 5 Systems they refer to:
 * - ml: 40% MLModel (owner, system, trainedOn one Dataset), 30% Dataset
 *   (owner, system), 30% Feature (owner, system, source one Dataset);
 * - components: the same references on Components (owner, system, dependsOn
 *   the Component standing in for the Dataset).
 *
 * PostgreSQL runs get a new database per run (dropped afterwards); SQLite runs
 * use files in a temporary directory, as the quick start does (`--sqlite-dir`
 * puts that directory elsewhere, e.g. on tmpfs under /dev/shm to keep other
 * programs' disk traffic out of the comparison). With several
 * rounds the order of the workloads alternates and the summary gives medians.
 * The times are wall-clock and suffer from anything else running on the
 * machine; the backend CPU time is printed beside them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogProcessingExtensionPoint,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { MLOPS_API_VERSION_V1ALPHA1 } from '@synth/plugin-mlops-common';
import knexFactory, { Knex } from 'knex';
import { catalogModuleMlopsEntityModel } from '../src/module';

type Workload = 'components' | 'ml';
type Engine = 'sqlite' | 'postgres';

const POLL_MS = 500;
const GROUPS = 10;
const SYSTEMS = 5;
const LOCATION = 'url:https://bench.example.com/catalog-info.yaml';

function parseArgs(argv: string[]) {
  const options = {
    count: 10_000,
    engines: ['sqlite', 'postgres'] as Engine[],
    pg:
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
      'postgresql://postgres@127.0.0.1:5432',
    timeoutMinutes: 60,
    rounds: 1,
    order: ['components', 'ml'] as Workload[],
    sqliteDir: os.tmpdir(),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) {
      throw new Error(`Missing value for ${flag}`);
    }
    if (flag === '--count') {
      options.count = Number(value);
    } else if (flag === '--db') {
      options.engines = value.split(',') as Engine[];
    } else if (flag === '--pg') {
      options.pg = value;
    } else if (flag === '--order') {
      options.order = value.split(',') as Workload[];
    } else if (flag === '--rounds') {
      options.rounds = Number(value);
    } else if (flag === '--sqlite-dir') {
      if (!fs.existsSync(value) || !fs.statSync(value).isDirectory()) {
        throw new Error(`--sqlite-dir ${value} is not a directory`);
      }
      options.sqliteDir = value;
    } else if (flag === '--timeout-minutes') {
      options.timeoutMinutes = Number(value);
    } else {
      throw new Error(
        `Unknown option ${flag}; use --count N, --db sqlite,postgres, --pg <url>, --rounds N, --order components,ml, --timeout-minutes N, --sqlite-dir <dir>`,
      );
    }
  }
  if ([...options.order].sort().join(',') !== 'components,ml') {
    throw new Error('--order must name components and ml, e.g. ml,components');
  }
  if (!Number.isInteger(options.rounds) || options.rounds < 1) {
    throw new Error('--rounds must be a positive integer');
  }
  if (!Number.isInteger(options.count) || options.count < 10) {
    throw new Error('--count must be an integer of at least 10');
  }
  for (const engine of options.engines) {
    if (engine !== 'sqlite' && engine !== 'postgres') {
      throw new Error(`--db accepts sqlite and postgres, got ${engine}`);
    }
  }
  return options;
}

function envelope(
  kind: string,
  apiVersion: string,
  name: string,
  spec: object,
): Entity {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      description: `Benchmark ${kind} ${name}`,
      annotations: {
        [ANNOTATION_LOCATION]: LOCATION,
        [ANNOTATION_ORIGIN_LOCATION]: LOCATION,
      },
    },
    spec: spec as Entity['spec'],
  };
}

/** The entities of one workload: `count` entities plus the groups and systems. */
function buildEntities(workload: Workload, count: number): Entity[] {
  const models = Math.round(count * 0.4);
  const datasets = Math.round(count * 0.3);
  const features = count - models - datasets;
  const owner = (i: number) => `bench-team-${i % GROUPS}`;
  const system = (i: number) => `bench-system-${i % SYSTEMS}`;
  const entities: Entity[] = [];
  for (let i = 0; i < GROUPS; i++) {
    entities.push(
      envelope('Group', 'backstage.io/v1alpha1', `bench-team-${i}`, {
        type: 'team',
        children: [],
      }),
    );
  }
  for (let i = 0; i < SYSTEMS; i++) {
    entities.push(
      envelope('System', 'backstage.io/v1alpha1', `bench-system-${i}`, {
        owner: owner(i),
      }),
    );
  }
  const common = (i: number) => ({
    lifecycle: 'production',
    owner: owner(i),
    system: system(i),
  });
  for (let i = 0; i < datasets; i++) {
    entities.push(
      workload === 'ml'
        ? envelope('Dataset', MLOPS_API_VERSION_V1ALPHA1, `dataset-${i}`, {
            ...common(i),
            type: 'tabular',
            location: `https://bench.example.com/datasets/${i}.parquet`,
            format: 'parquet',
          })
        : envelope('Component', 'backstage.io/v1alpha1', `dataset-${i}`, {
            ...common(i),
            type: 'library',
          }),
    );
  }
  for (let i = 0; i < models; i++) {
    const dataset = `dataset-${i % datasets}`;
    entities.push(
      workload === 'ml'
        ? envelope('MLModel', MLOPS_API_VERSION_V1ALPHA1, `model-${i}`, {
            ...common(i),
            type: 'classification',
            trainedOn: [dataset],
          })
        : envelope('Component', 'backstage.io/v1alpha1', `model-${i}`, {
            ...common(i),
            type: 'service',
            dependsOn: [`component:${dataset}`],
          }),
    );
  }
  for (let i = 0; i < features; i++) {
    const dataset = `dataset-${i % datasets}`;
    entities.push(
      workload === 'ml'
        ? envelope('Feature', MLOPS_API_VERSION_V1ALPHA1, `feature-${i}`, {
            ...common(i),
            type: 'numerical',
            source: dataset,
            entity: { name: 'customer', joinKey: 'customer_id' },
          })
        : envelope('Component', 'backstage.io/v1alpha1', `feature-${i}`, {
            ...common(i),
            type: 'library',
            dependsOn: [`component:${dataset}`],
          }),
    );
  }
  return entities;
}

interface Progress {
  total: number;
  processed: number;
  stitched: number;
  queued: number;
  errors: number;
  relations: number;
  searchRows: number;
}

async function readProgress(knex: Knex): Promise<Progress> {
  const count = async (query: Knex.QueryBuilder) =>
    Number(
      ((await query.count({ n: '*' })) as Array<{ n: string | number }>)[0].n,
    );
  return {
    total: await count(knex('refresh_state')),
    processed: await count(
      knex('refresh_state').whereNotNull('processed_entity'),
    ),
    stitched: await count(knex('final_entities').whereNotNull('final_entity')),
    queued: await count(knex('stitch_queue')),
    errors: await count(
      knex('refresh_state')
        .whereNotNull('errors')
        .whereNotIn('errors', ['', '[]']),
    ),
    relations: await count(knex('relations')),
    searchRows: await count(knex('search')),
  };
}

interface RunResult {
  processedSeconds: number;
  stitchedSeconds: number;
  /** CPU time of this process (the catalog backend), not of the database server. */
  cpuSeconds: number;
  relations: number;
  searchRows: number;
}

async function run(options: {
  workload: Workload;
  engine: Engine;
  count: number;
  pg: string;
  timeoutMinutes: number;
  sqliteDir: string;
}): Promise<RunResult> {
  const { workload, engine, count } = options;
  const entities = buildEntities(workload, count);
  let connection: EntityProviderConnection | undefined;
  let catalogDb: Knex | undefined;
  const benchProvider = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'bench-provider',
    register(reg) {
      reg.registerInit({
        deps: {
          catalog: catalogProcessingExtensionPoint,
          database: coreServices.database,
        },
        async init({ catalog, database }) {
          catalog.addEntityProvider({
            getProviderName: () => 'bench',
            connect: async c => {
              connection = c;
            },
          });
          catalogDb = await database.getClient();
        },
      });
    },
  });

  const runId = `${Date.now().toString(36)}${Math.floor(
    Math.random() * 1e6,
  ).toString(36)}`;
  const sqliteDir =
    engine === 'sqlite'
      ? fs.mkdtempSync(path.join(options.sqliteDir, 'mlops-bench-'))
      : undefined;
  const prefix = `mlops_bench_${runId}_`;
  const database =
    engine === 'sqlite'
      ? { client: 'better-sqlite3', connection: { directory: sqliteDir } }
      : { client: 'pg', connection: options.pg, prefix };

  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleMlopsEntityModel,
      benchProvider,
      // The real database and scheduler: the catalog's background tasks stop
      // with the backend and do not run into the next measurement.
      databaseServiceFactory,
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          backend: { database },
          catalog: {
            rules: [
              {
                allow: [
                  'Component',
                  'System',
                  'Group',
                  'MLModel',
                  'Dataset',
                  'Feature',
                ],
              },
            ],
            stitchingStrategy: { mode: 'deferred' },
            // Nothing is processed twice during a run.
            processingInterval: { hours: 1 },
          },
        },
      }),
    ],
  });

  try {
    if (!connection || !catalogDb) {
      throw new Error('The benchmark entity provider was not connected');
    }
    const expected = entities.length;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const cpuSeconds = () => {
      const { user, system } = process.cpuUsage(cpuStart);
      return (user + system) / 1e6;
    };
    await connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({ entity, locationKey: 'bench' })),
    });
    let processedSeconds: number | undefined;
    const deadline = started + options.timeoutMinutes * 60_000;
    for (;;) {
      const progress = await readProgress(catalogDb);
      const elapsed = (performance.now() - started) / 1000;
      if (progress.errors > 0) {
        const sample = await catalogDb('refresh_state')
          .whereNotNull('errors')
          .whereNotIn('errors', ['', '[]'])
          .first('entity_ref', 'errors');
        throw new Error(
          `${progress.errors} entities failed processing, e.g. ${sample?.entity_ref}: ${sample?.errors}`,
        );
      }
      if (
        processedSeconds === undefined &&
        progress.total === expected &&
        progress.processed === expected
      ) {
        processedSeconds = elapsed;
      }
      if (
        processedSeconds !== undefined &&
        progress.stitched === expected &&
        progress.queued === 0
      ) {
        return {
          processedSeconds,
          stitchedSeconds: elapsed,
          cpuSeconds: cpuSeconds(),
          relations: progress.relations,
          searchRows: progress.searchRows,
        };
      }
      if (performance.now() > deadline) {
        throw new Error(
          `Timed out after ${options.timeoutMinutes} minutes: ${JSON.stringify(
            progress,
          )}`,
        );
      }
      process.stderr.write(
        `  ${engine} ${workload}: ${elapsed.toFixed(0)}s processed ${
          progress.processed
        }/${expected}, stitched ${progress.stitched}/${expected}, queued ${
          progress.queued
        }\r`,
      );
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.stderr.write('\n');
    await backend.stop();
    await catalogDb?.destroy();
    if (sqliteDir) {
      fs.rmSync(sqliteDir, { recursive: true, force: true });
    } else {
      await dropDatabases(options.pg, prefix);
    }
  }
}

async function dropDatabases(connection: string, prefix: string) {
  const admin = knexFactory({ client: 'pg', connection });
  try {
    const rows = (await admin('pg_database').select('datname')) as Array<{
      datname: string;
    }>;
    // startsWith, not LIKE: '_' in the prefix would be a LIKE wildcard.
    for (const { datname } of rows.filter(r => r.datname.startsWith(prefix))) {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const summary: string[] = [];
  const load = os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' ');
  const sqliteDir = options.engines.includes('sqlite')
    ? `, SQLite files under ${options.sqliteDir}`
    : '';
  console.log(
    `Catalog ingestion benchmark: ${options.count} entities per workload ` +
      `(+${GROUPS} groups, ${SYSTEMS} systems), ${options.rounds} round(s), ` +
      `Node ${process.version}, ${
        os.cpus().length
      } CPUs, load average ${load}${sqliteDir}`,
  );
  for (const engine of options.engines) {
    const results: Record<Workload, RunResult[]> = { components: [], ml: [] };
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so that neither workload always runs first.
      const order =
        round % 2 === 0 ? options.order : [...options.order].reverse();
      for (const workload of order) {
        const r = await run({ ...options, workload, engine });
        results[workload].push(r);
        console.log(
          `${engine.padEnd(8)} ${workload.padEnd(10)} round ${round + 1}, ` +
            `load average ${os.loadavg()[0].toFixed(1)} at the end`,
        );
        console.log(
          `${engine.padEnd(8)} ${workload.padEnd(10)} ` +
            `processed ${r.processedSeconds.toFixed(1)}s, ` +
            `all stitched ${r.stitchedSeconds.toFixed(1)}s ` +
            `(${(options.count / r.stitchedSeconds).toFixed(0)} entities/s, ` +
            `backend CPU ${r.cpuSeconds.toFixed(1)}s, ` +
            `${r.relations} relation rows, ${r.searchRows} search rows)`,
        );
      }
    }
    const time = (w: Workload) =>
      median(results[w].map(r => r.stitchedSeconds));
    const cpu = (w: Workload) => median(results[w].map(r => r.cpuSeconds));
    summary.push(
      `${engine.padEnd(8)} components ${time('components').toFixed(1)}s, ` +
        `ml ${time('ml').toFixed(1)}s, ratio ml/components ${(
          time('ml') / time('components')
        ).toFixed(2)} (backend CPU ratio ${(
          cpu('ml') / cpu('components')
        ).toFixed(2)})`,
    );
    console.log(summary[summary.length - 1]);
  }
  console.log(`\nSummary (medians over ${options.rounds} round(s))`);
  for (const line of summary) {
    console.log(line);
  }
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
