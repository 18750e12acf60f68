import { Server } from 'node:http';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import request from 'supertest';
import { catalogModuleMlopsEntityModel } from '../module';

/** A processing error reported by the catalog, as the error handler sees it. */
export interface ReportedError {
  entityRef: string;
  messages: string[];
}

/**
 * Starts a real catalog backend with this module, reading the given file
 * locations, and collects the processing errors the catalog reports.
 */
export async function startCatalog(
  options: { locations?: string[] } = {},
): Promise<{
  server: Server;
  stop: () => Promise<void>;
  errors: ReportedError[];
}> {
  const errors: ReportedError[] = [];
  const errorCollector = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-error-collector',
    register(reg) {
      reg.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.setOnProcessingErrorHandler(event => {
            errors.push({
              entityRef: `${event.unprocessedEntity.kind}:${
                event.unprocessedEntity.metadata.namespace ?? 'default'
              }/${event.unprocessedEntity.metadata.name}`.toLocaleLowerCase(
                'en-US',
              ),
              messages: event.errors.map(e => e.message),
            });
          });
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleMlopsEntityModel,
      errorCollector,
      mockServices.rootConfig.factory({
        data: {
          catalog: {
            rules: [
              {
                allow: [
                  'Component',
                  'System',
                  'API',
                  'Resource',
                  'Location',
                  'Group',
                  'User',
                  'MLModel',
                  'Dataset',
                  'Feature',
                ],
              },
            ],
            locations: (options.locations ?? []).map(target => ({
              type: 'file',
              target,
            })),
            processingInterval: { seconds: 1 },
          },
        },
      }),
    ],
  });
  return {
    server: backend.server,
    stop: () => backend.stop(),
    errors,
  };
}

/** Fetches every entity of the catalog through its REST API. */
export async function listEntities(
  server: Parameters<typeof request>[0],
): Promise<Entity[]> {
  const entities: Entity[] = [];
  let cursor: string | undefined;
  do {
    const response = await request(server)
      .get('/api/catalog/entities/by-query')
      .query(cursor ? { cursor } : { limit: 500 });
    expect(response.status).toBe(200);
    entities.push(...response.body.items);
    cursor = response.body.pageInfo?.nextCursor;
  } while (cursor);
  return entities;
}

/** Polls until the check passes, rethrowing its last failure at the deadline. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }
}
