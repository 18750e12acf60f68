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

  describe('queryModelHealth', () => {
    const healthUrl = 'http://backstage:7007/api/mlops/health/query';

    it('asks once for up to 100 models and answers in the order asked', async () => {
      const bodies: unknown[] = [];
      server.use(
        http.post(healthUrl, async ({ request }) => {
          const body = (await request.json()) as { entityRefs: string[] };
          bodies.push(body);
          return HttpResponse.json({
            items: [
              {
                entityRef: body.entityRefs[0],
                health: {
                  ...modelHealth('degraded', ['drift'], 'mlmodel:risk/fraud'),
                  reasons: ['drift', 7],
                },
              },
              { entityRef: body.entityRefs[1], error: 'NotFound' },
              {
                entityRef: body.entityRefs[2],
                health: { ...modelHealth('healthy'), status: 'on-fire' },
              },
            ],
          });
        }),
      );

      await expect(
        client.queryModelHealth([
          'mlmodel:risk/fraud',
          'mlmodel:default/hidden',
          { kind: 'MLModel', namespace: 'default', name: 'churn-classifier' },
        ]),
      ).resolves.toEqual([
        {
          entityRef: 'mlmodel:risk/fraud',
          health: modelHealth('degraded', ['drift'], 'mlmodel:risk/fraud'),
        },
        { entityRef: 'mlmodel:default/hidden', error: 'NotFound' },
        {
          // a compound reference is sent and answered as its string form
          entityRef: 'mlmodel:default/churn-classifier',
          health: modelHealth('unknown'),
        },
      ]);
      expect(bodies).toEqual([
        {
          entityRefs: [
            'mlmodel:risk/fraud',
            'mlmodel:default/hidden',
            'mlmodel:default/churn-classifier',
          ],
        },
      ]);
    });

    it('splits more than 100 models into requests of 100 and keeps the order', async () => {
      const sizes: number[] = [];
      server.use(
        http.post(healthUrl, async ({ request }) => {
          const { entityRefs } = (await request.json()) as {
            entityRefs: string[];
          };
          sizes.push(entityRefs.length);
          return HttpResponse.json({
            items: entityRefs.map(entityRef => ({
              entityRef,
              health: modelHealth('healthy', [], entityRef),
            })),
          });
        }),
      );
      const refs = Array.from(
        { length: 230 },
        (_, i) => `mlmodel:default/m${i}`,
      );

      const items = await client.queryModelHealth(refs);

      expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 30]);
      expect(items.map(item => item.entityRef)).toEqual(refs);
      expect(
        items.map(item => 'health' in item && item.health.modelRef),
      ).toEqual(refs);
    });

    it('rejects with a ResponseError when the query fails', async () => {
      server.use(
        http.post(healthUrl, () =>
          HttpResponse.json(
            {
              error: {
                name: 'InputError',
                message: 'Invalid request body: at entityRefs[1]',
              },
            },
            { status: 400 },
          ),
        ),
      );

      const error = await client
        .queryModelHealth(['mlmodel:default/a', 'component:default/b'])
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).statusCode).toBe(400);
    });
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
