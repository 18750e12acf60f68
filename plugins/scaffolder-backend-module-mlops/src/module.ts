import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  createEntityWriteAction,
  createPublishLocalAction,
  createTrainingTriggerAction,
} from './actions';

/**
 * The scaffolder actions of the mlops plugin.
 *
 * @public
 */
export const scaffolderModuleMlops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mlops',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, catalog, config, discovery, auth }) {
        scaffolder.addActions(
          createEntityWriteAction({ catalog }),
          createPublishLocalAction({ config, catalog }),
          createTrainingTriggerAction({ discovery, auth }),
        );
      },
    });
  },
});
