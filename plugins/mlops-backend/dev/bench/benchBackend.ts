/*
 * The backend the benchmarks measure: the real auth (guest provider),
 * catalog (with the mlops kinds and a synthetic provider of N MLModels),
 * permission (allow-all) and mlops plugins on PostgreSQL. Configured by the
 * MLOPS_BENCH environment variable (JSON: { config, models, dir }).
 */
import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { mlopsPlugin } from '../../src/plugin';

const { config, models, dir } = JSON.parse(process.env.MLOPS_BENCH ?? '{}');
const location = `file:${path.join(dir, 'catalog-info.yaml')}`;
const annotations = {
  'backstage.io/managed-by-location': location,
  'backstage.io/managed-by-origin-location': location,
};
export const TEAMS = 3;

function syntheticEntities(): Entity[] {
  const entities: Entity[] = [];
  for (let t = 0; t < TEAMS; t++) {
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: `bench-team-${t}`, annotations },
      spec: { type: 'team', children: [] },
    });
  }
  entities.push({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'guest', annotations },
    spec: { memberOf: ['bench-team-0'] },
  });
  for (let i = 0; i < models; i++) {
    entities.push({
      apiVersion: 'mlops.synth.dev/v1alpha1',
      kind: 'MLModel',
      metadata: { name: `bench-model-${i}`, annotations },
      spec: {
        type: 'classification',
        lifecycle: 'production',
        owner: `bench-team-${i % TEAMS}`,
      },
    });
  }
  entities.push({
    apiVersion: 'mlops.synth.dev/v1alpha1',
    kind: 'MLModel',
    metadata: { name: 'bench-trainable', annotations },
    spec: {
      type: 'classification',
      lifecycle: 'production',
      owner: 'bench-team-0',
      training: {
        entrypoint: 'python3 train.py',
        workingDir: './training',
        parameters: [{ name: 'sleep', type: 'number', default: 0 }],
      },
    },
  });
  return entities;
}

const syntheticProvider = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'bench-synthetic-models',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider({
          getProviderName: () => 'bench-synthetic-models',
          connect: async connection => {
            await connection.applyMutation({
              type: 'full',
              entities: syntheticEntities().map(entity => ({
                entity,
                locationKey: 'bench-synthetic-models',
              })),
            });
          },
        });
      },
    });
  },
});

// Profile of the process while it is measured: event-loop delay and GC
// pauses per 10 s window, appended to <dir>/profile.log for the bench.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let gcCount = 0;
let gcTotalMs = 0;
let gcMaxMs = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    gcCount++;
    gcTotalMs += entry.duration;
    gcMaxMs = Math.max(gcMaxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
setInterval(() => {
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  fs.appendFileSync(
    path.join(dir, 'profile.log'),
    `${new Date().toISOString()} event-loop delay p50 ${ms(
      loopDelay.percentile(50),
    )} p99 ${ms(loopDelay.percentile(99))} max ${ms(
      loopDelay.max,
    )} ms; gc ${gcCount} pauses, ${gcTotalMs.toFixed(
      0,
    )} ms total, max ${gcMaxMs.toFixed(1)} ms\n`,
  );
  loopDelay.reset();
  gcCount = 0;
  gcTotalMs = 0;
  gcMaxMs = 0;
}, 10_000).unref();

const backend = createBackend();
backend.add(mockServices.rootConfig.factory({ data: config }));
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@synth/plugin-catalog-backend-module-mlops-entity-model'));
backend.add(syntheticProvider);
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);
backend.add(
  createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({ send: async () => {} }),
  }),
);
backend.add(mlopsPlugin);
backend.start().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
