import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  DriftReport,
  DriftReportList,
  MLOPS_API_VERSION_V1ALPHA1,
  RELATION_MLOPS_TRAINED_ON,
} from '@synth/plugin-mlops-common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { OTHER_USER, OWNER, OWNER_USER } from '../../__testUtils__/fixtures';
import {
  eventually,
  startMlopsTestBackend,
} from '../../__testUtils__/testBackend';

jest.setTimeout(60_000);

const REPORTS = '/api/mlops/models/default/churn/drift-reports';
const alice = mockCredentials.user.header(OWNER_USER);
const bob = mockCredentials.user.header(OTHER_USER);

describe('drift report routes', () => {
  let dataDir: string;
  let backend: Awaited<ReturnType<typeof startMlopsTestBackend>>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-drift-data-'));
    for (const file of ['reference.csv', 'current.csv']) {
      fs.copyFileSync(
        path.join(__dirname, '__fixtures__', file),
        path.join(dataDir, file),
      );
    }
    const owned = [{ type: 'ownedBy', targetRef: OWNER }];
    const entities: Entity[] = [
      {
        apiVersion: MLOPS_API_VERSION_V1ALPHA1,
        kind: 'Dataset',
        metadata: { name: 'customers', namespace: 'default' },
        spec: {
          type: 'tabular',
          lifecycle: 'production',
          owner: 'team-a',
          // as the catalog stores it: resolved against the entity's file
          location: path.join(dataDir, 'reference.csv'),
          format: 'csv',
          schema: {
            columns: [
              { name: 'age', type: 'numerical' },
              { name: 'income', type: 'numerical' },
              { name: 'plan', type: 'categorical' },
            ],
          },
        },
        relations: owned,
      },
      ...['churn', 'unmonitored'].map(name => ({
        apiVersion: MLOPS_API_VERSION_V1ALPHA1,
        kind: 'MLModel',
        metadata: { name, namespace: 'default' },
        spec: {
          type: 'classification',
          lifecycle: 'production',
          owner: 'team-a',
          trainedOn: ['customers'],
          ...(name === 'churn'
            ? {
                monitoring: {
                  current: path.join(dataDir, 'current.csv'),
                  format: 'csv',
                  schedule: { frequency: 'P1D' },
                },
              }
            : {}),
        },
        relations: [
          ...owned,
          {
            type: RELATION_MLOPS_TRAINED_ON,
            targetRef: 'dataset:default/customers',
          },
        ],
      })),
    ];
    backend = await startMlopsTestBackend({
      entities,
      config: { mlops: { drift: { localDataRoots: [dataDir] } } },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function finished(id: string): Promise<DriftReport> {
    return eventually<DriftReport>(
      async () => {
        const res = await request(backend.server)
          .get(`/api/mlops/drift-reports/${id}`)
          .set('authorization', alice);
        return ['succeeded', 'failed'].includes(res.body.status) && res.body;
      },
      { what: `drift report ${id} to finish` },
    );
  }

  const reportRows = async () =>
    (
      await request(backend.server)
        .get(`${REPORTS}?limit=100`)
        .set('authorization', alice)
    ).body.items.length;

  it('answers 202 with the id, computes the report and fills the health endpoint', async () => {
    const res = await request(backend.server)
      .post(REPORTS)
      .set('authorization', alice)
      .send({});
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String) });
    expect(res.headers.location).toBe(`../../../drift-reports/${res.body.id}`);

    const report = await finished(res.body.id);
    expect(report).toMatchObject({
      id: res.body.id,
      entityRef: 'mlmodel:default/churn',
      status: 'succeeded',
      triggeredBy: OWNER_USER,
      reference: {
        source: `file://${path.join(dataDir, 'reference.csv')}`,
        datasetRef: 'dataset:default/customers',
        rows: 300,
      },
      current: { rows: 200 },
      dataset: { threshold: 0.5, columnCount: 3 },
    });
    expect(report.columns!.map(c => [c.column, c.method])).toEqual([
      ['age', 'ks'],
      ['income', 'ks'],
      ['plan', 'chisquare'],
    ]);
    expect(report.columns![1].drifted).toBe(true);

    const health = await request(backend.server)
      .get('/api/mlops/models/default/churn/health')
      .set('authorization', bob);
    expect(health.body.drift).toEqual({
      reportId: report.id,
      computedAt: report.finishedAt,
      datasetDrift: report.dataset!.drifted,
      driftShare: report.dataset!.driftShare,
      columnCount: 3,
      driftedColumns: report.dataset!.driftedColumns,
    });

    expect(backend.auditEvents).toContainEqual({
      eventId: 'drift-report-create',
      meta: { actionType: 'create', modelRef: 'mlmodel:default/churn' },
      outcome: 'success',
    });
  });

  it('lists reports newest first, page by page, to anyone who can see the model', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(backend.server)
        .post(REPORTS)
        .set('authorization', alice)
        .send({ method: 'psi' });
      ids.push(res.body.id);
      await finished(res.body.id);
    }
    const first = await request(backend.server)
      .get(`${REPORTS}?limit=2`)
      .set('authorization', bob);
    expect(first.status).toBe(200);
    const page1 = first.body as DriftReportList;
    expect(page1.items.map(r => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.items[0]).not.toHaveProperty('columns');
    expect(page1.items[0].method).toBe('psi');
    const second = await request(backend.server)
      .get(`${REPORTS}?limit=2&cursor=${page1.nextCursor}`)
      .set('authorization', bob);
    expect((second.body as DriftReportList).items[0].id).toBe(ids[0]);

    const one = await request(backend.server)
      .get(`/api/mlops/drift-reports/${ids[0]}`)
      .set('authorization', bob);
    expect(one.status).toBe(200);
    expect(one.body.columns).toHaveLength(3);
  });

  it('fails a report whose data is outside the allowed locations, naming the source', async () => {
    for (const [currentLocation, reason] of [
      ['/etc/hostname', "'backend.reading.allow'"],
      ['https://data.example.com/current.csv', "'backend.reading.allow'"],
    ]) {
      const res = await request(backend.server)
        .post(REPORTS)
        .set('authorization', alice)
        .send({ currentLocation });
      expect(res.status).toBe(202);
      const report = await finished(res.body.id);
      expect(report.status).toBe('failed');
      expect(report.error).toContain(`Cannot read the current data (`);
      expect(report.error).toContain(reason);
      expect(report.current.source).toBe(
        currentLocation.startsWith('/')
          ? `file://${currentLocation}`
          : currentLocation,
      );
    }
  });

  describe('refusals write no report', () => {
    async function unchanged(fn: () => Promise<void>) {
      const before = await reportRows();
      await fn();
      expect(await reportRows()).toBe(before);
    }

    it('answers 401 without credentials', () =>
      unchanged(async () => {
        for (const res of [
          await request(backend.server)
            .post(REPORTS)
            .set('authorization', mockCredentials.none.header())
            .send({}),
          await request(backend.server)
            .get(REPORTS)
            .set('authorization', mockCredentials.none.header()),
        ]) {
          expect(res.status).toBe(401);
        }
      }));

    it('answers 403 to a user the policy does not allow to run drift', () =>
      unchanged(async () => {
        const res = await request(backend.server)
          .post(REPORTS)
          .set('authorization', bob)
          .send({});
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          'mlops.model.drift.run is not allowed on mlmodel:default/churn',
        );
        expect(backend.auditEvents).toContainEqual(
          expect.objectContaining({
            eventId: 'drift-report-create',
            outcome: 'fail',
            error: 'NotAllowedError',
          }),
        );
      }));

    it('answers 404 for an unknown model or report', async () => {
      const post = await request(backend.server)
        .post('/api/mlops/models/default/nope/drift-reports')
        .set('authorization', alice)
        .send({});
      expect(post.status).toBe(404);
      expect(post.body.error.message).toBe('No MLModel mlmodel:default/nope');
      const list = await request(backend.server)
        .get('/api/mlops/models/default/nope/drift-reports')
        .set('authorization', alice);
      expect(list.status).toBe(404);
      const one = await request(backend.server)
        .get('/api/mlops/drift-reports/00000000-0000-0000-0000-000000000000')
        .set('authorization', alice);
      expect(one.status).toBe(404);
      expect(one.body.error.message).toBe(
        'No drift report 00000000-0000-0000-0000-000000000000',
      );
    });

    it.each([
      [{ method: 'cosine' }, 'method'],
      [{ colour: 'red' }, 'colour'],
      [
        { currentLocation: './current.csv' },
        'absolute URL or an absolute path',
      ],
      [{ currentLocation: '' }, 'currentLocation'],
    ])('answers 400 to the body %j', (body, reason) =>
      unchanged(async () => {
        const res = await request(backend.server)
          .post(REPORTS)
          .set('authorization', alice)
          .send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('Invalid request body');
        expect(res.body.error.message).toContain(reason);
      }),
    );

    it('answers 400 for a model without monitoring', async () => {
      const res = await request(backend.server)
        .post('/api/mlops/models/default/unmonitored/drift-reports')
        .set('authorization', alice)
        .send({});
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'mlmodel:default/unmonitored has no spec.monitoring.current; give currentLocation in the request or add spec.monitoring to the MLModel',
      );
    });

    it('answers 400 for a bad page query', async () => {
      for (const query of ['limit=0', 'limit=abc', 'cursor=bogus']) {
        const res = await request(backend.server)
          .get(`${REPORTS}?${query}`)
          .set('authorization', alice);
        expect(res.status).toBe(400);
      }
    });
  });
});
