import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { MlopsExamplePermissionPolicy } from './MlopsExamplePermissionPolicy';

/**
 * Installs {@link MlopsExamplePermissionPolicy} as the permission policy.
 *
 * @public
 */
export const permissionModuleMlopsPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'mlops-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new MlopsExamplePermissionPolicy({ userInfo }));
      },
    });
  },
});
