import {
  MockFetchApi,
  mockApis,
  registerMswTestHooks,
} from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { modelHealth } from '../__testUtils__/health';
import { MlopsClient } from './MlopsClient';

describe('MlopsClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new MlopsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage:7007' }),
    fetchApi: new MockFetchApi(),
  });

  it('reads the health of a model from its namespaced path', async () => {
    const requested: string[] = [];
    server.use(
      http.get(
        'http://backstage:7007/api/mlops/models/:namespace/:name/health',
        ({ params }) => {
          requested.push(`${params.namespace}/${params.name}`);
          return HttpResponse.json({
            modelRef: `mlmodel:${params.namespace}/${params.name}`,
            status: 'degraded',
            reasons: ['p95 latency 812 ms above 500 ms', 42],
            lastRun: null,
            deployments: [],
            drift: null,
          });
        },
      ),
    );

    await expect(
      client.getModelHealth('mlmodel:risk/fraud-detector'),
    ).resolves.toEqual({
      modelRef: 'mlmodel:risk/fraud-detector',
      status: 'degraded',
      // What is not a string is dropped.
      reasons: ['p95 latency 812 ms above 500 ms'],
      lastRun: null,
      deployments: [],
      drift: null,
    });
    await expect(
      client.getModelHealth({
        kind: 'MLModel',
        namespace: 'default',
        name: 'churn-classifier',
      }),
    ).resolves.toMatchObject({
      modelRef: 'mlmodel:default/churn-classifier',
      status: 'degraded',
    });
    expect(requested).toEqual([
      'risk/fraud-detector',
      'default/churn-classifier',
    ]);
  });

  it('defaults the kind and namespace of a short reference', async () => {
    server.use(
      http.get(
        'http://backstage:7007/api/mlops/models/default/churn-classifier/health',
        () => HttpResponse.json(modelHealth('healthy')),
      ),
    );

    await expect(client.getModelHealth('churn-classifier')).resolves.toEqual(
      modelHealth('healthy'),
    );
  });

  it('reports a status it does not know as unknown', async () => {
    server.use(
      http.get('*/api/mlops/models/:namespace/:name/health', () =>
        HttpResponse.json({ ...modelHealth('healthy'), status: 'on-fire' }),
      ),
    );

    await expect(
      client.getModelHealth('mlmodel:default/churn-classifier'),
    ).resolves.toEqual(modelHealth('unknown'));
  });

  it('rejects with a ResponseError carrying the status of a failed request', async () => {
    server.use(
      http.get('*/api/mlops/models/:namespace/:name/health', () =>
        HttpResponse.json(
          { error: { name: 'NotFoundError', message: 'No such route' } },
          { status: 404 },
        ),
      ),
    );

    const error = await client
      .getModelHealth('mlmodel:default/churn-classifier')
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).statusCode).toBe(404);
  });
});
