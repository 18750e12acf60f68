import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { readFeastProviderConfigs, readMlflowProviderConfigs } from './config';
import { FeastEntityProvider } from './providers/FeastEntityProvider';
import { MlflowEntityProvider } from './providers/MlflowEntityProvider';

/**
 * Adds an entity provider to the catalog for every entry of
 * `catalog.providers.mlflow` and `catalog.providers.feast`.
 *
 * @public
 */
export const catalogModuleMlopsImport = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mlops-import',
  register(reg) {
    reg.registerInit({
      deps: {
        catalogProcessing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({
        catalogProcessing,
        config,
        logger,
        scheduler,
        auth,
        catalog,
      }) {
        const deps = { logger, scheduler, auth, catalog };
        const providers = [
          ...readMlflowProviderConfigs(config).map(settings =>
            MlflowEntityProvider.fromConfig(settings, deps),
          ),
          ...readFeastProviderConfigs(config).map(settings =>
            FeastEntityProvider.fromConfig(settings, deps),
          ),
        ];
        if (providers.length === 0) {
          logger.info(
            'mlops-import: no catalog.providers.mlflow or catalog.providers.feast configured',
          );
          return;
        }
        catalogProcessing.addEntityProvider(providers);
      },
    });
  },
});
