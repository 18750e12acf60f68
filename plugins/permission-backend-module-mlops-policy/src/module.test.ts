import {
  coreServices,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { notificationService } from '@backstage/plugin-notifications-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogModuleMlopsEntityModel from '@synth/plugin-catalog-backend-module-mlops-entity-model';
// The end-to-end test runs the policy with the plugin whose permissions it decides.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@synth/plugin-mlops-backend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import permissionModuleMlopsPolicy from './index';

jest.setTimeout(120_000);

const CATALOG = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-a }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-b }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: guest }
spec: { memberOf: [team-a] }
---
apiVersion: mlops.synth.dev/v1alpha1
kind: MLModel
metadata: { name: model-a }
spec:
  type: classification
  lifecycle: experimental
  owner: team-a
  training: { entrypoint: python3 -c pass, workingDir: ./training }
---
apiVersion: mlops.synth.dev/v1alpha1
kind: MLModel
metadata: { name: model-b }
spec:
  type: classification
  lifecycle: experimental
  owner: team-b
  training: { entrypoint: python3 -c pass, workingDir: ./training }
`;

const SERVICE_TOKEN_PREFIX = 'mock-service-token:';

/**
 * The mock httpAuth drops the actor of on-behalf-of tokens, so the permission
 * backend would take a plugin's request on behalf of a user for a direct user
 * request. This one keeps it, as real auth does.
 */
const onBehalfOfHttpAuth = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const base = mockServices.httpAuth({ pluginId: plugin.getId() });
    const httpAuth: HttpAuthService = {
      credentials: (async (req: any, options?: any) => {
        const token = /^Bearer (\S+)$/.exec(
          req.headers.authorization ?? '',
        )?.[1];
        if (token?.startsWith(SERVICE_TOKEN_PREFIX)) {
          const { obo, target } = JSON.parse(
            token.slice(SERVICE_TOKEN_PREFIX.length),
          );
          if (
            obo &&
            (!target || target === plugin.getId()) &&
            (!options?.allow || options.allow.includes('user'))
          ) {
            return mockCredentials.user(obo, {
              actor: { subject: 'plugin:test' },
            });
          }
        }
        return base.credentials(req, options);
      }) as HttpAuthService['credentials'],
      issueUserCookie: (res, options) => base.issueUserCookie(res, options),
    };
    return httpAuth;
  },
});

/**
 * The example policy end to end: the real catalog, permission backend and
 * mlops backend. The catalog resolves the conditional decision against the
 * model's ownedBy relation.
 */
describe('the example policy with the real catalog and permission backend', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-policy-'));
  fs.mkdirSync(path.join(dir, 'training'));
  fs.writeFileSync(path.join(dir, 'catalog.yaml'), CATALOG);
  const membership: Record<string, string[]> = {
    'user:default/guest': ['user:default/guest', 'group:default/team-a'],
    'user:default/stranger': ['user:default/stranger'],
  };

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets owners train and others only read', async () => {
    const { server } = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleMlopsEntityModel,
        permissionPlugin,
        permissionModuleMlopsPolicy,
        mlopsPlugin,
        onBehalfOfHttpAuth,
        mockServices.userInfo.mock({
          getUserInfo: async credentials => {
            const ref = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: membership[ref] ?? [ref],
            };
          },
        }).factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: [{ allow: ['Group', 'User', 'MLModel', 'Location'] }],
              locations: [
                { type: 'file', target: path.join(dir, 'catalog.yaml') },
              ],
              processingInterval: { seconds: 1 },
            },
            mlops: {
              executors: {
                local: {
                  enabled: true,
                  workspaceDir: path.join(dir, 'ws'),
                },
              },
            },
          },
        }),
      ],
    });
    const guest = mockCredentials.user.header('user:default/guest');
    const stranger = mockCredentials.user.header('user:default/stranger');

    // Wait until the catalog has processed both models with their relations.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/mlmodel/default/model-b')
        .set('authorization', guest);
      if (res.status === 200 && res.body.relations?.length) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the catalog did not process the models: ${
            res.status
          } ${JSON.stringify(res.body)}`,
        );
      }
      await new Promise(r => setTimeout(r, 500));
    }

    const train = (model: string, who: string, key: string) =>
      request(server)
        .post(`/api/mlops/models/default/${model}/runs`)
        .set('authorization', who)
        .set('idempotency-key', key)
        .send({});

    const owned = await train('model-a', guest, 'a-1');
    expect(owned.status).toBe(202);
    expect((await train('model-b', guest, 'b-1')).status).toBe(403);
    expect((await train('model-a', stranger, 'a-2')).status).toBe(403);

    // Reading is open to everyone.
    for (const who of [guest, stranger]) {
      await request(server)
        .get('/api/mlops/models/default/model-b/runs')
        .set('authorization', who)
        .expect(200);
      await request(server)
        .get(`/api/mlops/runs/${owned.body.id}`)
        .set('authorization', who)
        .expect(200);
    }
    // ...but cancelling is an owner's action.
    await request(server)
      .post(`/api/mlops/runs/${owned.body.id}/cancel`)
      .set('authorization', stranger)
      .expect(403);
  });
});
