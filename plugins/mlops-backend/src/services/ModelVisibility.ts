import {
  AuthService,
  BackstageCredentials,
  CacheService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  isMLModelEntity,
  MLMODEL_KIND,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';
import { modelRefOf } from './ModelAccess';

/** Which MLModels exist, as far as a recent read of the catalog knows. */
export interface ModelIndex {
  /**
   * `true` if the model was in the catalog at the last read, `false` if it
   * was not, `undefined` when there is no read young enough to say.
   */
  has(modelRef: string): boolean | undefined;
}

/**
 * The normalised references of every MLModel in the catalog, read with the
 * plugin's own service credentials (so the catalog answers without asking
 * the permission backend) and only their names. A lookup on a snapshot older
 * than `maxAgeMs` starts a new read in the background and still answers from
 * the old snapshot until it is replaced (stale-while-revalidate). A failed
 * read is logged and tried again on a lookup 5 s later; before the first
 * successful read, and once the last one is older than twice `maxAgeMs`, it
 * knows nothing. Nothing is read while nobody asks.
 */
export class CatalogModelIndex implements ModelIndex {
  private snapshot?: { refs: Set<string>; readAt: number };
  private reading?: Promise<void>;
  private lastAttemptAt = -Infinity;

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      /** How old a snapshot may be before a lookup starts a new read. */
      maxAgeMs: number;
      /** Entities per catalog page. Default 500. */
      pageSize?: number;
      now?: () => number;
    },
  ) {}

  has(modelRef: string): boolean | undefined {
    const now = (this.options.now ?? Date.now)();
    const { snapshot } = this;
    const due = !snapshot || now - snapshot.readAt >= this.options.maxAgeMs;
    // A failed read is tried again after 5 s (or the maximum age if shorter).
    const retryGap = Math.min(this.options.maxAgeMs, 5_000);
    if (!this.reading && due && now - this.lastAttemptAt >= retryGap) {
      void this.refresh();
    }
    if (!snapshot || now - snapshot.readAt > 2 * this.options.maxAgeMs) {
      // Too old to answer for: a refresh has been failing for a while.
      return undefined;
    }
    return snapshot.refs.has(modelRef);
  }

  /** Reads the catalog now (one read at a time); resolves when it is done. */
  refresh(): Promise<void> {
    if (!this.reading) {
      this.reading = this.read().finally(() => {
        this.reading = undefined;
      });
    }
    return this.reading;
  }

  private async read(): Promise<void> {
    const { catalog, auth, logger } = this.options;
    const now = this.options.now ?? Date.now;
    const startedAt = now();
    this.lastAttemptAt = startedAt;
    try {
      const credentials = await auth.getOwnServiceCredentials();
      const refs = new Set<string>();
      for await (const page of catalog.streamEntities(
        {
          filter: {
            kind: MLMODEL_KIND,
            apiVersion: MLOPS_API_VERSION_V1ALPHA1,
          },
          fields: ['kind', 'apiVersion', 'metadata.namespace', 'metadata.name'],
          pageSize: this.options.pageSize ?? 500,
        },
        { credentials },
      )) {
        for (const entity of page.filter(isMLModelEntity)) {
          refs.add(modelRefOf(stringifyEntityRef(entity)));
        }
      }
      // The read's start is its age: a model deleted while it ran may be in it.
      this.snapshot = { refs, readAt: startedAt };
      logger.debug(
        `mlops: model index holds ${refs.size} MLModels (read in ${
          now() - startedAt
        } ms)`,
      );
    } catch (error) {
      logger.warn(
        `mlops: could not read the MLModels of the catalog for the model index; until a read succeeds, health lookups ask the catalog about models the index does not know, and about every model once the last read is older than twice the maximum age: ${error}`,
      );
    }
  }
}

/**
 * Which MLModels a caller can see, the way the catalog would decide: the
 * permission policy's `catalog.entity.read` decision for each model (a
 * conditional decision is applied by the catalog itself, through the
 * permission backend), and the model's existence from the model index. A
 * model the index does not know (created since its last read, or the index
 * not read yet) is looked up in the catalog with the caller's credentials,
 * so a new model is visible at once; a deleted one may still count as
 * existing until the index is read again (at most its maximum age, about as
 * long as the catalog takes to notice a deletion at the source).
 *
 * With `decisionCache`, a user's decision on `catalog.entity.read` as a
 * whole (which depends only on the user's token and the policy) is kept for
 * `ttlMs`, per user and token expiry, so repeated reads under an `ALLOW` or
 * `DENY` make no permission request at all; under a conditional decision
 * only that it is conditional is kept, and the conditions are applied per
 * model by the permission backend on every call.
 *
 * Costs at most one permission request per call instead of a catalog
 * request, which itself asks the permission backend: the health routes are
 * read on every model page and every ML catalog page.
 */
export class ModelVisibility {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      permissions: PermissionsService;
      /** Without an index every call asks the catalog. */
      index?: ModelIndex;
      /** Where users' read decisions are kept, and how long. */
      decisionCache?: { cache: CacheService; ttlMs: number; auth: AuthService };
    },
  ) {}

  /** The subset of `modelRefs` (normalised MLModel references) the caller can see. */
  async visibleOf(
    modelRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const { index } = this.options;
    const refs = [...new Set(modelRefs)];
    if (refs.length === 0) {
      return new Set();
    }
    if (!index) {
      return this.visibleInCatalog(refs, credentials);
    }
    const visible = new Set<string>();
    // Not in the last read (created since, or missing) or no read young
    // enough: the catalog knows.
    const unknown: string[] = [];
    for (const ref of await this.readableOf(refs, credentials)) {
      if (index.has(ref) === true) {
        visible.add(ref);
      } else {
        unknown.push(ref);
      }
    }
    if (unknown.length > 0) {
      for (const ref of await this.visibleInCatalog(unknown, credentials)) {
        visible.add(ref);
      }
    }
    return visible;
  }

  /** The refs the policy lets the caller read (`catalog.entity.read`). */
  private async readableOf(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const decision = await this.readDecision(credentials);
    if (decision === AuthorizeResult.ALLOW) {
      return refs;
    }
    if (decision === AuthorizeResult.DENY) {
      return [];
    }
    const decisions = await this.options.permissions.authorize(
      refs.map(ref => ({
        permission: catalogEntityReadPermission,
        resourceRef: ref,
      })),
      { credentials },
    );
    return refs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW);
  }

  /** The refs the catalog shows the caller as MLModels of our apiVersion. */
  private async visibleInCatalog(
    refs: string[],
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const { items } = await this.options.catalog.getEntitiesByRefs(
      {
        entityRefs: refs,
        fields: ['kind', 'apiVersion', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    );
    return new Set(
      refs.filter((_, i) => {
        const entity = items[i];
        return (
          entity !== undefined && entity !== null && isMLModelEntity(entity)
        );
      }),
    );
  }

  /**
   * The user's kept decision on `catalog.entity.read` as a whole, or a fresh
   * one that is then kept; undefined when there is no cache, the caller is
   * not a user (service callers are decided without a request) or the
   * decision is conditional.
   */
  private async readDecision(
    credentials: BackstageCredentials,
  ): Promise<AuthorizeResult.ALLOW | AuthorizeResult.DENY | undefined> {
    const { decisionCache, permissions } = this.options;
    if (
      !decisionCache ||
      !decisionCache.auth.isPrincipal(credentials, 'user')
    ) {
      return undefined;
    }
    // Per user and token: a new token (new ownership claims) decides anew.
    const key = `catalog-entity-read:${credentials.principal.userEntityRef}:${
      credentials.expiresAt?.getTime() ?? 'none'
    }`;
    let result = await decisionCache.cache.get<string>(key);
    if (!isKeptResult(result)) {
      const [decision] = await permissions.authorizeConditional(
        [{ permission: catalogEntityReadPermission }],
        { credentials },
      );
      result = decision.result;
      // Only that it is conditional is kept, never the conditions.
      await decisionCache.cache.set(key, result, { ttl: decisionCache.ttlMs });
    }
    return result === AuthorizeResult.CONDITIONAL
      ? undefined
      : (result as AuthorizeResult.ALLOW | AuthorizeResult.DENY);
  }
}

function isKeptResult(value: unknown): value is AuthorizeResult {
  return (
    value === AuthorizeResult.ALLOW ||
    value === AuthorizeResult.DENY ||
    value === AuthorizeResult.CONDITIONAL
  );
}
