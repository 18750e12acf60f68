import {
  BackstageCredentials,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { CompoundEntityRef, Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  MLOPS_API_VERSION_V1ALPHA1,
  ModelHealthQueryResponse,
} from '@synth/plugin-mlops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { OTHER_USER, OWNER_USER } from '../../__testUtils__/fixtures';
import { DatabaseMlopsStore } from '../../database/DatabaseMlopsStore';
import { mlopsPlugin } from '../../plugin';

jest.setTimeout(60_000);

const QUERY = '/api/mlops/health/query';
const alice = mockCredentials.user.header(OWNER_USER);
const bob = mockCredentials.user.header(OTHER_USER);

function mlModel(name: string): Entity {
  return {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: 'MLModel',
    metadata: { name, namespace: 'default' },
    spec: { type: 'classification', lifecycle: 'production', owner: 'team-a' },
  };
}

/**
 * A catalog that hides `mlmodel:default/secret` from everyone but alice, as
 * a catalog permission policy would, and records the by-refs requests; the
 * plugin's service credentials see everything. With a permission policy
 * that decides the same (`permissions`).
 */
function visibilityCatalog(entities: Entity[]) {
  const all = catalogServiceMock({ entities });
  const byRefsCalls: Array<{ request: unknown; user?: string }> = [];
  const principalOf = (options: unknown) =>
    (options as { credentials?: BackstageCredentials<any> } | undefined)
      ?.credentials?.principal;
  const userOf = (options: unknown) =>
    principalOf(options)?.userEntityRef as string | undefined;
  const visibleTo = (user: string | undefined, entity?: Entity) =>
    entity && (entity.metadata.name !== 'secret' || user === OWNER_USER)
      ? entity
      : undefined;
  let indexed!: () => void;
  const indexRead = new Promise<void>(resolve => {
    indexed = resolve;
  });
  const catalog = catalogServiceMock.mock({
    streamEntities: async function* stream(req, options) {
      if (principalOf(options)?.type !== 'service') {
        throw new Error('the model index reads with service credentials');
      }
      yield* all.streamEntities(req);
      indexed();
    },
    getEntitiesByRefs: async (req, options) => {
      byRefsCalls.push({ request: req, user: userOf(options) });
      const { items } = await all.getEntitiesByRefs(req);
      return { items: items.map(e => visibleTo(userOf(options), e)) };
    },
    getEntityByRef: async (ref: string | CompoundEntityRef, options) =>
      visibleTo(userOf(options), await all.getEntityByRef(ref)),
  });
  const permissions = mockServices.permissions.mock({
    authorize: (async (
      requests: Array<{ permission: { name: string }; resourceRef?: string }>,
      options: { credentials: BackstageCredentials<any> },
    ) =>
      requests.map(r => ({
        result:
          r.permission.name === 'catalog.entity.read' &&
          r.resourceRef === 'mlmodel:default/secret' &&
          options.credentials.principal?.userEntityRef !== OWNER_USER
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      }))) as any,
  });
  // As a policy would: reading is conditional for everyone but alice.
  permissions.authorizeConditional.mockImplementation((async (
    requests: unknown[],
    options: { credentials: BackstageCredentials<any> },
  ) =>
    requests.map(() =>
      options.credentials.principal?.userEntityRef === OWNER_USER
        ? { result: AuthorizeResult.ALLOW }
        : {
            result: AuthorizeResult.CONDITIONAL,
            pluginId: 'catalog',
            resourceType: 'catalog-entity',
            conditions: { rule: 'IS_ENTITY_OWNER', params: {} },
          },
    )) as any);
  return { catalog, byRefsCalls, indexRead, permissions };
}

describe('POST /health/query', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let store: DatabaseMlopsStore;
  let byRefsCalls: ReturnType<typeof visibilityCatalog>['byRefsCalls'];
  let indexRead: Promise<void>;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const visibility = visibilityCatalog([
      mlModel('churn'),
      mlModel('fraud'),
      mlModel('secret'),
    ]);
    byRefsCalls = visibility.byRefsCalls;
    indexRead = visibility.indexRead;
    backend = await startTestBackend({
      features: [
        mlopsPlugin,
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.database.factory({ knex }),
        mockServices.scheduler.mock().factory,
        visibility.catalog.factory,
        visibility.permissions.factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
      ],
    });
    store = await DatabaseMlopsStore.create({
      database: mockServices.database({ knex }),
      skipMigrations: true,
    });
    const { record } = await store.createRun({
      modelRef: 'mlmodel:default/churn',
      idempotencyKey: 'k',
      requestHash: 'h',
      executor: 'local',
      parameters: {},
      spec: {} as any,
      createdBy: OWNER_USER,
    });
    await store.updateRun(record.id, undefined, {
      status: 'failed',
      statusMessage: 'exit code 1',
    });
    await store.addDriftReport({
      modelRef: 'mlmodel:default/secret',
      computedAt: new Date(),
      datasetDrift: true,
      driftShare: 0.5,
      columnCount: 2,
      driftedColumns: ['age'],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  beforeEach(async () => {
    // The first lookup starts the model index's first read.
    await request(backend.server)
      .get('/api/mlops/models/default/churn/health')
      .set('authorization', alice);
    await indexRead;
    byRefsCalls.length = 0;
  });

  it('answers 401 without credentials', async () => {
    const res = await request(backend.server)
      .post(QUERY)
      .set('authorization', mockCredentials.none.header())
      .send({ entityRefs: ['mlmodel:default/churn'] });
    expect(res.status).toBe(401);
    expect(byRefsCalls).toHaveLength(0);
  });

  it.each([
    [{}, 'entityRefs'],
    [{ entityRefs: 'mlmodel:default/churn' }, 'entityRefs'],
    [
      { entityRefs: ['mlmodel:default/churn', 'component:default/churn'] },
      'entityRefs[1]',
    ],
    [{ entityRefs: ['mlmodel:default/churn', ''] }, 'entityRefs[1]'],
    [{ entityRefs: ['mlmodel:default/churn', 'a:b:c/d'] }, 'entityRefs[1]'],
    [
      { entityRefs: Array.from({ length: 101 }, (_, i) => `model-${i}`) },
      'entityRefs',
    ],
    [{ entityRefs: [], extra: true }, 'key: "extra"'],
  ])('answers 400 for %j, naming %s', async (body, field) => {
    const res = await request(backend.server)
      .post(QUERY)
      .set('authorization', alice)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toContain(
      field.startsWith('key') ? field : `at ${field}`,
    );
    expect(byRefsCalls).toHaveLength(0);
  });

  it('answers each reference in request order, NotFound for what the caller cannot see, asking the catalog only about what its index does not know', async () => {
    const entityRefs = [
      'mlmodel:default/secret',
      'mlmodel:default/churn',
      'missing',
      'default/fraud',
      'MLModel:default/churn',
    ];
    const res = await request(backend.server)
      .post(QUERY)
      .set('authorization', bob)
      .send({ entityRefs });
    expect(res.status).toBe(200);
    const single = await request(backend.server)
      .get('/api/mlops/models/default/churn/health')
      .set('authorization', bob);
    expect(single.status).toBe(200);
    const body = res.body as ModelHealthQueryResponse;
    expect(body).toEqual({
      items: [
        // hidden from bob: indistinguishable from a missing model
        { entityRef: 'mlmodel:default/secret', error: 'NotFound' },
        { entityRef: 'mlmodel:default/churn', health: single.body },
        { entityRef: 'missing', error: 'NotFound' },
        {
          entityRef: 'default/fraud',
          health: expect.objectContaining({
            modelRef: 'mlmodel:default/fraud',
            status: 'unknown',
          }),
        },
        { entityRef: 'MLModel:default/churn', health: single.body },
      ],
    });
    expect(single.body).toMatchObject({
      status: 'degraded',
      reasons: ['the latest training run failed: exit code 1'],
    });
    // secret: denied by the policy; churn and fraud: in the index.
    expect(byRefsCalls).toEqual([
      {
        request: {
          entityRefs: ['mlmodel:default/missing'],
          fields: ['kind', 'apiVersion', 'metadata.namespace', 'metadata.name'],
        },
        user: OTHER_USER,
      },
    ]);
  });

  it('answers the health of a model the caller can see, as the single route does', async () => {
    const res = await request(backend.server)
      .post(QUERY)
      .set('authorization', alice)
      .send({ entityRefs: ['mlmodel:default/secret'] });
    const single = await request(backend.server)
      .get('/api/mlops/models/default/secret/health')
      .set('authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { entityRef: 'mlmodel:default/secret', health: single.body },
    ]);
    expect(single.body).toMatchObject({
      status: 'degraded',
      reasons: ['data drift: 1 of 2 columns drifted (share 0.50)'],
    });
    // bob cannot read it through the single route either
    const hidden = await request(backend.server)
      .get('/api/mlops/models/default/secret/health')
      .set('authorization', bob);
    expect(hidden.status).toBe(404);
  });

  it('answers an empty query without asking the catalog', async () => {
    const res = await request(backend.server)
      .post(QUERY)
      .set('authorization', alice)
      .send({ entityRefs: [] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
    expect(byRefsCalls).toHaveLength(0);
  });

  it('accepts a service caller, as the single route does', async () => {
    const res = await request(backend.server)
      .post(QUERY)
      .set('authorization', mockCredentials.service.header())
      .send({ entityRefs: ['mlmodel:default/fraud'] });
    expect(res.status).toBe(200);
    expect(res.body.items[0].health.status).toBe('unknown');
  });
});
