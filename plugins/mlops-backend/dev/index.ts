/*
 * Development backend for the mlops plugin: mocked auth and a mocked catalog
 * with one MLModel whose training directory is ./training, and the local
 * executor switched on. Start it with `yarn start` in this package, then:
 *
 *   curl -X POST http://localhost:7007/api/mlops/models/default/dev-model/runs \
 *     -H 'Content-Type: application/json' -H 'Idempotency-Key: dev-1' \
 *     -d '{"parameters": {"epochs": 3}}'
 *   curl http://localhost:7007/api/mlops/runs/<id>
 *   curl 'http://localhost:7007/api/mlops/runs/<id>/logs?after=0&wait=10'
 *   curl http://localhost:7007/api/mlops/models/default/dev-model/health
 *
 * Requests without an Authorization header act as user:default/mock. Set
 * MLOPS_RAY_URL=http://127.0.0.1:8265 (scripts/engines.sh start ray) to train
 * on Ray instead.
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import path from 'node:path';

const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(
  mockServices.rootConfig.factory({
    data: {
      backend: {
        baseUrl: 'http://localhost:7007',
        listen: { port: 7007, host: '127.0.0.1' },
        database: { client: 'better-sqlite3', connection: ':memory:' },
      },
      mlops: {
        executors: {
          ...(process.env.MLOPS_RAY_URL
            ? { ray: { url: process.env.MLOPS_RAY_URL } }
            : {}),
          local: { enabled: true },
        },
      },
    },
  }),
);
backend.add(
  catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'mlops.synth.dev/v1alpha1',
        kind: 'MLModel',
        metadata: {
          name: 'dev-model',
          namespace: 'default',
          annotations: {
            'backstage.io/managed-by-location': `file:${path.join(
              __dirname,
              'catalog-info.yaml',
            )}`,
          },
        },
        spec: {
          type: 'classification',
          lifecycle: 'experimental',
          owner: 'user:default/mock',
          training: {
            entrypoint: 'python3 train.py',
            workingDir: './training',
            parameters: [{ name: 'epochs', type: 'integer', default: 1 }],
          },
        },
        relations: [{ type: 'ownedBy', targetRef: 'user:default/mock' }],
      },
    ],
  }),
);
backend.add(import('../src'));

backend.start();
