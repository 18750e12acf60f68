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

  it('sends each operation to its path with its method, query, headers and body', async () => {
    const seen: string[] = [];
    server.use(
      http.all('http://backstage:7007/api/mlops/*', async ({ request }) => {
        const url = new URL(request.url);
        const body = request.method === 'POST' ? await request.text() : '';
        seen.push(
          [
            request.method,
            url.pathname.replace('/api/mlops', '') + url.search,
            request.headers.get('Idempotency-Key') ?? '',
            body,
          ]
            .filter(Boolean)
            .join(' '),
        );
        return HttpResponse.json({ items: [], id: 'x' });
      }),
    );
    const model = 'mlmodel:team a/churn';
    await client.listTrainingRuns(model, { limit: 5, cursor: 'c/1' });
    await client.createTrainingRun(model, {
      parameters: { n: 1 },
      idempotencyKey: 'key-1',
    });
    await client.getTrainingRun('run 1');
    await client.getTrainingRunLogs('r1', { after: 10, waitSeconds: 5 });
    await client.cancelTrainingRun('r1');
    await client.listModelVersions(model);
    await client.listDeployments(model, { limit: 50 });
    await client.createDeployment(
      model,
      { version: '3', strategy: 'canary', weight: 0.1 },
      { idempotencyKey: 'key-2' },
    );
    await client.promoteDeployment('d1');
    await client.rollbackDeployment('d1');
    await client.createDriftReport(model);
    await client.listDriftReports(model, { limit: 50 });
    await client.getDriftReport('r1');
    await client.getModelExperiment(model, {
      maxRuns: 10,
      runId: 'abc',
      metric: ['roc_auc', 'loss'],
    });

    expect(seen).toEqual([
      'GET /models/team%20a/churn/runs?limit=5&cursor=c%2F1',
      'POST /models/team%20a/churn/runs key-1 {"parameters":{"n":1}}',
      'GET /runs/run%201',
      'GET /runs/r1/logs?after=10&wait=5',
      'POST /runs/r1/cancel',
      'GET /models/team%20a/churn/versions',
      'GET /models/team%20a/churn/deployments?limit=50',
      'POST /models/team%20a/churn/deployments key-2 {"version":"3","strategy":"canary","weight":0.1}',
      'POST /deployments/d1/promote',
      'POST /deployments/d1/rollback',
      'POST /models/team%20a/churn/drift-reports {}',
      'GET /models/team%20a/churn/drift-reports?limit=50',
      'GET /drift-reports/r1',
      'GET /models/team%20a/churn/experiment?maxRuns=10&runId=abc&metric=roc_auc&metric=loss',
    ]);
  });
});
