/*
 * A real backend process with the mlops plugin, for the restart tests: the
 * default backend services (database, scheduler with its global task locks,
 * HTTP server) and mocks only for auth, permissions, the catalog and
 * notifications. Configured by the MLOPS_TEST_BACKEND environment variable
 * (JSON: { config, catalogFile }). Run with
 *   node --require @backstage/cli/config/nodeTransform.cjs backendProcess.ts
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mlopsPlugin } from '../plugin';
import { trainableModel } from './fixtures';

const { config, catalogFile } = JSON.parse(
  process.env.MLOPS_TEST_BACKEND ?? '{}',
);

const backend = createBackend();
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(mockServices.rootConfig.factory({ data: config }));
backend.add(
  mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
);
backend.add(
  catalogServiceMock.factory({ entities: [trainableModel(catalogFile)] }),
);
backend.add(
  createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({ send: async () => {} }),
  }),
);
backend.add(mlopsPlugin);
backend.start().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
