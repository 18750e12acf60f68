import { AuthService, CacheService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import { JsonValue } from '@backstage/types';
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
    /** The decision on catalog.entity.read as a whole. */
    overall?: AuthorizeResult;
    decisionCache?: { cache: CacheService; ttlMs: number; auth: AuthService };
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
    const authorizeConditional = jest.fn(async (requests: unknown[]) =>
      requests.map(() =>
        options.overall === AuthorizeResult.CONDITIONAL
          ? {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: { rule: 'IS_ENTITY_OWNER', params: {} },
            }
          : { result: options.overall ?? AuthorizeResult.ALLOW },
      ),
    );
    const permissions = mockServices.permissions.mock({
      authorize: authorize as any,
      authorizeConditional: authorizeConditional as any,
    });
    const visibility = new ModelVisibility({
      catalog,
      permissions,
      index: options.index,
      decisionCache: options.decisionCache,
    });
    return { visibility, byRefs, authorize, authorizeConditional };
  }

  /** A cache that keeps values forever and records what it was asked to keep. */
  function recordingCache() {
    const values = new Map<string, JsonValue>();
    const sets: Array<{ key: string; value: JsonValue; ttl: unknown }> = [];
    const cache: CacheService = {
      get: async <T extends JsonValue>(key: string) =>
        values.get(key) as T | undefined,
      set: async (key, value, options) => {
        sets.push({ key, value, ttl: options?.ttl });
        values.set(key, value);
      },
      delete: async key => {
        values.delete(key);
      },
      withOptions: () => cache,
    };
    return { cache, sets };
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

  describe('with kept read decisions', () => {
    const known = index({
      'mlmodel:default/churn': true,
      'mlmodel:default/secret': true,
    });
    const refs = ['mlmodel:default/churn', 'mlmodel:default/secret'];

    it('keeps a user’s ALLOW per user and token, and then asks no one', async () => {
      const { cache, sets } = recordingCache();
      const { visibility, authorize, authorizeConditional, byRefs } = setUp({
        entities: [],
        index: known,
        decisionCache: { cache, ttlMs: 10_000, auth: mockServices.auth() },
      });
      const expiresAt = new Date('2026-11-28T01:00:00Z');
      const token = { ...bob, expiresAt };

      expect([...(await visibility.visibleOf(refs, token))]).toEqual(refs);
      expect([...(await visibility.visibleOf(refs, token))]).toEqual(refs);

      expect(authorizeConditional).toHaveBeenCalledTimes(1);
      expect(authorizeConditional).toHaveBeenCalledWith(
        [{ permission: catalogEntityReadPermission }],
        { credentials: token },
      );
      expect(authorize).not.toHaveBeenCalled();
      expect(byRefs).not.toHaveBeenCalled();
      expect(sets).toEqual([
        {
          key: `catalog-entity-read:user:default/bob:${expiresAt.getTime()}`,
          value: AuthorizeResult.ALLOW,
          ttl: 10_000,
        },
      ]);

      // Another token of the same user (new claims) is decided anew.
      await visibility.visibleOf(refs, {
        ...bob,
        expiresAt: new Date('2026-11-28T02:00:00Z'),
      });
      expect(authorizeConditional).toHaveBeenCalledTimes(2);
    });

    it('keeps a DENY: the user sees nothing, even models the index knows', async () => {
      const { cache } = recordingCache();
      const { visibility, authorize, byRefs } = setUp({
        entities: [],
        index: known,
        overall: AuthorizeResult.DENY,
        decisionCache: { cache, ttlMs: 10_000, auth: mockServices.auth() },
      });
      expect((await visibility.visibleOf(refs, bob)).size).toBe(0);
      expect(authorize).not.toHaveBeenCalled();
      expect(byRefs).not.toHaveBeenCalled();
    });

    it('keeps only that a decision is conditional, and applies it per model on every call', async () => {
      const { cache, sets } = recordingCache();
      const { visibility, authorize, authorizeConditional } = setUp({
        entities: [],
        index: known,
        overall: AuthorizeResult.CONDITIONAL,
        denied: ['mlmodel:default/secret'],
        decisionCache: { cache, ttlMs: 10_000, auth: mockServices.auth() },
      });

      for (let i = 0; i < 2; i++) {
        expect([...(await visibility.visibleOf(refs, bob))]).toEqual([
          'mlmodel:default/churn',
        ]);
      }

      expect(authorizeConditional).toHaveBeenCalledTimes(1);
      expect(authorize).toHaveBeenCalledTimes(2);
      expect(sets.map(set => set.value)).toEqual([AuthorizeResult.CONDITIONAL]);
    });

    it('keeps nothing for service callers, whose decisions need no request', async () => {
      const { cache, sets } = recordingCache();
      const { visibility, authorize, authorizeConditional } = setUp({
        entities: [],
        index: known,
        decisionCache: { cache, ttlMs: 10_000, auth: mockServices.auth() },
      });
      const visible = await visibility.visibleOf(
        refs,
        mockCredentials.service('plugin:catalog'),
      );
      expect(visible.size).toBe(2);
      expect(authorizeConditional).not.toHaveBeenCalled();
      expect(authorize).toHaveBeenCalledTimes(1);
      expect(sets).toEqual([]);
    });
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
