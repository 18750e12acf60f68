import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import { MLOPS_API_VERSION_V1ALPHA1 } from '@synth/plugin-mlops-common';
import {
  CatalogModelIndex,
  ModelIndex,
  ModelVisibility,
} from './ModelVisibility';

function mlModel(
  name: string,
  apiVersion: string = MLOPS_API_VERSION_V1ALPHA1,
  namespace = 'default',
): Entity {
  return {
    apiVersion,
    kind: 'MLModel',
    metadata: { name, namespace },
    spec: { type: 'classification', lifecycle: 'production', owner: 'team-a' },
  };
}

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'churn', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

/** Lets the background read started by a lookup finish. */
async function settle() {
  for (let i = 0; i < 20; i++) {
    await new Promise(resolve => setImmediate(resolve));
  }
}

describe('CatalogModelIndex', () => {
  let now = 0;
  const logger = mockServices.logger.mock();

  function indexOf(entities: Entity[], maxAgeMs = 60_000) {
    const catalog = catalogServiceMock({ entities });
    const stream = jest.spyOn(catalog, 'streamEntities');
    const index = new CatalogModelIndex({
      catalog,
      auth: mockServices.auth(),
      logger,
      maxAgeMs,
      pageSize: 2,
      now: () => now,
    });
    return { index, catalog, stream };
  }

  beforeEach(() => {
    now = 1_000_000;
    jest.clearAllMocks();
  });

  it('knows nothing before its first read, and starts one', async () => {
    const { index, stream } = indexOf([mlModel('churn')]);
    expect(index.has('mlmodel:default/churn')).toBeUndefined();
    await settle();
    expect(stream).toHaveBeenCalledTimes(1);
    expect(index.has('mlmodel:default/churn')).toBe(true);
    expect(stream).toHaveBeenCalledTimes(1);
  });

  it('reads every page of MLModels of our apiVersion, names only, with its own service credentials', async () => {
    const { index, stream } = indexOf([
      mlModel('a'),
      mlModel('B'),
      mlModel('c', MLOPS_API_VERSION_V1ALPHA1, 'Team-X'),
      mlModel('d'),
      mlModel('e'),
      mlModel('foreign', 'example.com/v1'),
      component,
    ]);
    await index.refresh();

    expect(stream).toHaveBeenCalledWith(
      {
        filter: { kind: 'MLModel', apiVersion: MLOPS_API_VERSION_V1ALPHA1 },
        fields: ['kind', 'apiVersion', 'metadata.namespace', 'metadata.name'],
        pageSize: 2,
      },
      { credentials: mockCredentials.service('plugin:test') },
    );
    for (const ref of [
      'mlmodel:default/a',
      'mlmodel:default/b',
      'mlmodel:team-x/c',
      'mlmodel:default/d',
      'mlmodel:default/e',
    ]) {
      expect(index.has(ref)).toBe(true);
    }
    expect(index.has('mlmodel:default/foreign')).toBe(false);
    expect(index.has('mlmodel:default/churn')).toBe(false);
    expect(index.has('mlmodel:default/missing')).toBe(false);
  });

  it('answers from the old read while a new one runs once it is older than its maximum age', async () => {
    const { index, stream } = indexOf([mlModel('old')], 60_000);
    await index.refresh();
    // The model is deleted from the catalog after the first read.
    stream.mockImplementation(async function* deleted() {
      yield [];
    });

    now += 59_999;
    expect(index.has('mlmodel:default/old')).toBe(true);
    await settle();
    expect(stream).toHaveBeenCalledTimes(1);

    now += 1;
    expect(index.has('mlmodel:default/old')).toBe(true);
    await settle();
    expect(stream).toHaveBeenCalledTimes(2);
    expect(index.has('mlmodel:default/old')).toBe(false);
  });

  it('reads once for many lookups at the same time', async () => {
    const { index, stream } = indexOf([mlModel('churn')]);
    for (let i = 0; i < 10; i++) {
      index.has('mlmodel:default/churn');
    }
    await Promise.all([index.refresh(), index.refresh()]);
    expect(stream).toHaveBeenCalledTimes(1);
  });

  it('logs a failed read, tries again after 5 s, and stops answering from a read twice its maximum age', async () => {
    const { index, stream } = indexOf([mlModel('churn')], 60_000);
    await index.refresh();
    stream.mockImplementation(() => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:7007');
    });

    now += 60_000;
    expect(index.has('mlmodel:default/churn')).toBe(true);
    await settle();
    expect(stream).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connect ECONNREFUSED 127.0.0.1:7007'),
    );

    now += 4_999;
    index.has('mlmodel:default/churn');
    await settle();
    expect(stream).toHaveBeenCalledTimes(2);

    now += 1;
    index.has('mlmodel:default/churn');
    await settle();
    expect(stream).toHaveBeenCalledTimes(3);

    now = 1_000_000 + 120_001;
    expect(index.has('mlmodel:default/churn')).toBeUndefined();
  });
});

describe('ModelVisibility', () => {
  const bob = mockCredentials.user('user:default/bob');

  function setUp(options: {
    entities: Entity[];
    denied?: string[];
    index?: ModelIndex;
  }) {
    const all = catalogServiceMock({ entities: options.entities });
    const byRefs = jest.fn(all.getEntitiesByRefs.bind(all));
    const catalog = catalogServiceMock.mock({ getEntitiesByRefs: byRefs });
    const authorize = jest.fn(async (requests: AuthorizePermissionRequest[]) =>
      requests.map(r => ({
        result: options.denied?.includes((r as any).resourceRef)
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
      })),
    );
    const permissions = mockServices.permissions.mock({
      authorize: authorize as any,
    });
    const visibility = new ModelVisibility({
      catalog,
      permissions,
      index: options.index,
    });
    return { visibility, byRefs, authorize };
  }

  const index = (known: Record<string, boolean | undefined>): ModelIndex => ({
    has: ref => known[ref],
  });

  it('decides from one permission request and the index, without asking the catalog', async () => {
    const { visibility, byRefs, authorize } = setUp({
      entities: [],
      denied: ['mlmodel:default/secret'],
      index: index({
        'mlmodel:default/churn': true,
        'mlmodel:default/secret': true,
      }),
    });

    const visible = await visibility.visibleOf(
      [
        'mlmodel:default/churn',
        'mlmodel:default/secret',
        'mlmodel:default/churn',
      ],
      bob,
    );

    expect([...visible]).toEqual(['mlmodel:default/churn']);
    expect(authorize).toHaveBeenCalledTimes(1);
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: catalogEntityReadPermission,
          resourceRef: 'mlmodel:default/churn',
        },
        {
          permission: catalogEntityReadPermission,
          resourceRef: 'mlmodel:default/secret',
        },
      ],
      { credentials: bob },
    );
    expect(byRefs).not.toHaveBeenCalled();
  });

  it('asks the catalog, with the caller’s credentials, only about allowed models the index does not know', async () => {
    const { visibility, byRefs } = setUp({
      entities: [mlModel('new'), mlModel('foreign', 'example.com/v1')],
      denied: ['mlmodel:default/hidden'],
      index: index({
        'mlmodel:default/churn': true,
        'mlmodel:default/new': false,
        'mlmodel:default/foreign': false,
        'mlmodel:default/missing': false,
      }),
    });

    const visible = await visibility.visibleOf(
      [
        'mlmodel:default/churn',
        'mlmodel:default/new',
        'mlmodel:default/foreign',
        'mlmodel:default/missing',
        'mlmodel:default/hidden',
      ],
      bob,
    );

    expect([...visible].sort()).toEqual([
      'mlmodel:default/churn',
      'mlmodel:default/new',
    ]);
    expect(byRefs).toHaveBeenCalledTimes(1);
    expect(byRefs).toHaveBeenCalledWith(
      {
        entityRefs: [
          'mlmodel:default/new',
          'mlmodel:default/foreign',
          'mlmodel:default/missing',
        ],
        fields: ['kind', 'apiVersion', 'metadata.namespace', 'metadata.name'],
      },
      { credentials: bob },
    );
  });

  it('asks the catalog when the index cannot say', async () => {
    const { visibility, byRefs } = setUp({
      entities: [mlModel('churn')],
      index: index({}),
    });
    const visible = await visibility.visibleOf(['mlmodel:default/churn'], bob);
    expect([...visible]).toEqual(['mlmodel:default/churn']);
    expect(byRefs).toHaveBeenCalledTimes(1);
  });

  it('without an index, leaves every decision to the catalog', async () => {
    const { visibility, byRefs, authorize } = setUp({
      entities: [mlModel('churn')],
    });
    const visible = await visibility.visibleOf(
      ['mlmodel:default/churn', 'mlmodel:default/missing'],
      bob,
    );
    expect([...visible]).toEqual(['mlmodel:default/churn']);
    expect(authorize).not.toHaveBeenCalled();
    expect(byRefs).toHaveBeenCalledTimes(1);
  });

  it('asks nobody about no models', async () => {
    const { visibility, byRefs, authorize } = setUp({
      entities: [],
      index: index({}),
    });
    expect((await visibility.visibleOf([], bob)).size).toBe(0);
    expect(authorize).not.toHaveBeenCalled();
    expect(byRefs).not.toHaveBeenCalled();
  });
});
