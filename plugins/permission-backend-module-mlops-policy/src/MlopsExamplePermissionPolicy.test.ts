import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  mlopsModelDeployPermission,
  mlopsModelDriftRunPermission,
  mlopsModelRollbackPermission,
  mlopsModelTrainPermission,
} from '@synth/plugin-mlops-common';
import { MlopsExamplePermissionPolicy } from './MlopsExamplePermissionPolicy';

describe('MlopsExamplePermissionPolicy', () => {
  const policy = new MlopsExamplePermissionPolicy({
    userInfo: mockServices.userInfo({
      ownershipEntityRefs: ['user:default/guest', 'group:default/customer-ml'],
    }),
  });
  const user = {
    credentials: mockCredentials.user('user:default/guest'),
    info: {
      userEntityRef: 'user:default/guest',
      ownershipEntityRefs: [],
    },
  };

  it.each([
    mlopsModelTrainPermission,
    mlopsModelDeployPermission,
    mlopsModelRollbackPermission,
    mlopsModelDriftRunPermission,
  ])('lets only owners use $name', async permission => {
    expect(await policy.handle({ permission }, user)).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/guest', 'group:default/customer-ml'],
        },
      },
    });
    expect(await policy.handle({ permission })).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('allows everything else, reads included', async () => {
    const read = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
      resourceType: 'catalog-entity',
    });
    expect(await policy.handle({ permission: read }, user)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await policy.handle({ permission: read })).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('uses permissions in exactly the shape createPermission makes', () => {
    expect(mlopsModelTrainPermission).toEqual(
      createPermission({
        name: 'mlops.model.train',
        attributes: { action: 'create' },
        resourceType: 'catalog-entity',
      }),
    );
  });
});
