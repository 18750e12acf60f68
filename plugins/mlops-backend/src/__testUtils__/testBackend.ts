import {
  BackstageCredentials,
  createServiceFactory,
  SchedulerServiceTaskInvocationDefinition,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { mlopsPlugin } from '../plugin';
import { OWNER } from './fixtures';

/** Who may act on what: group ref → member user refs. */
export const DEFAULT_MEMBERS: Record<string, string[]> = {
  [OWNER]: ['user:default/alice', 'user:default/mock'],
};

/**
 * A permissions mock that behaves like the example policy: the mlops
 * permissions are allowed to members of the owning group and denied to
 * everyone else; everything else (reading the catalog) is allowed.
 */
export function ownerPermissions(
  entities: Entity[],
  members: Record<string, string[]> = DEFAULT_MEMBERS,
) {
  const owners = new Map(
    entities.map(e => [
      stringifyEntityRef(e),
      (e.relations ?? [])
        .filter(r => r.type === 'ownedBy')
        .map(r => r.targetRef),
    ]),
  );
  return mockServices.permissions.mock({
    // Reading the catalog is allowed to all; the mlops permissions depend
    // on the model's owner.
    authorizeConditional: async (requests: any[]) =>
      requests.map(request =>
        request.permission.name.startsWith('mlops.')
          ? {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: { rule: 'IS_ENTITY_OWNER', params: {} },
            }
          : { result: AuthorizeResult.ALLOW },
      ) as any,
    authorize: async (requests: any[], options?: any) => {
      const user = (options?.credentials as BackstageCredentials<any>)
        ?.principal?.userEntityRef;
      return requests.map(request => {
        if (!request.permission.name.startsWith('mlops.')) {
          return { result: AuthorizeResult.ALLOW };
        }
        const ownerRefs = owners.get(request.resourceRef) ?? [];
        const allowed = ownerRefs.some(owner =>
          (members[owner] ?? []).includes(user),
        );
        return {
          result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        };
      }) as any;
    },
  });
}

export async function startMlopsTestBackend(options: {
  entities: Entity[];
  config?: JsonObject;
  knex?: Knex;
  members?: Record<string, string[]>;
}) {
  const notifications = { send: jest.fn(async () => {}) };
  const auditEvents: Array<{
    eventId: string;
    meta?: unknown;
    outcome?: string;
    error?: string;
  }> = [];
  const auditor = mockServices.auditor.mock({
    createEvent: async (opts: any) => {
      const event: (typeof auditEvents)[number] = {
        eventId: opts.eventId,
        meta: opts.meta,
      };
      auditEvents.push(event);
      return {
        success: async () => {
          event.outcome = 'success';
        },
        fail: async ({ error }: { error: Error }) => {
          event.outcome = 'fail';
          event.error = error.name;
        },
      };
    },
  });
  const tasks = new Map<string, SchedulerServiceTaskInvocationDefinition>();
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: async task => {
      tasks.set(task.id, task);
    },
  });
  const permissions = ownerPermissions(options.entities, options.members);
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
      catalogServiceMock.factory({ entities: options.entities }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => notifications,
      }),
      auditor.factory,
      permissions.factory,
      scheduler.factory,
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
    ],
  });
  return Object.assign(backend, {
    notifications,
    auditEvents,
    permissions,
    /** Runs one reconciler pass. */
    reconcile: async () => {
      await tasks.get('mlops-reconciler')!.fn(new AbortController().signal);
    },
  });
}

/** Polls `fn` until it returns a value or the time is up. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) {
        return value as T;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${options.what ?? 'a condition'}${
          last ? `: ${last}` : ''
        }`,
      );
    }
    await new Promise(r => setTimeout(r, options.intervalMs ?? 200));
  }
}
