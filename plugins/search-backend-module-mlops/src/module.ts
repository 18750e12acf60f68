import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogCollatorExtensionPoint } from '@backstage/plugin-search-backend-module-catalog';
import { mlopsCatalogCollatorEntityTransformer } from './transformer';

/**
 * Makes portal search find MLModel, Dataset and Feature entities by their
 * tags and ML fields: sets the catalog collator's entity transformer to
 * {@link mlopsCatalogCollatorEntityTransformer}.
 *
 * Needs `@backstage/plugin-search-backend-module-catalog` in the backend. The
 * catalog collator accepts one transformer; a backend that sets its own
 * should wrap it with `createMlopsCatalogCollatorEntityTransformer` instead
 * of adding this module.
 *
 * @public
 */
export const searchModuleMlops = createBackendModule({
  pluginId: 'search',
  moduleId: 'mlops',
  register(reg) {
    reg.registerInit({
      deps: { collator: catalogCollatorExtensionPoint },
      async init({ collator }) {
        collator.setEntityTransformer(mlopsCatalogCollatorEntityTransformer);
      },
    });
  },
});
