import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { MlopsEntitiesProcessor } from './processor';

/**
 * Adds the MLModel, Dataset and Feature kinds to the catalog.
 *
 * @public
 */
export const catalogModuleMlopsEntityModel = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mlops-entity-model',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ catalog, config }) {
        catalog.addProcessor(MlopsEntitiesProcessor.fromConfig(config));
      },
    });
  },
});
