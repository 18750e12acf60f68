import {
  createComponentExtension,
  createRoutableExtension,
} from '@backstage/core-plugin-api';
import { mlopsPlugin } from './plugin';
import { rootRouteRef } from './routes';

/**
 * The ML catalog page: models, datasets and features with server-side
 * pagination, filters, search and sorting.
 *
 * @public
 */
export const MlCatalogPage = mlopsPlugin.provide(
  createRoutableExtension({
    name: 'MlCatalogPage',
    component: () =>
      import('./components/MlCatalogPage').then(m => m.MlCatalogPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The model card of an MLModel entity.
 *
 * @public
 */
export const EntityModelCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityModelCard',
    component: {
      lazy: () => import('./components/ModelCard').then(m => m.ModelCard),
    },
  }),
);

/**
 * The location, format and column schema of a Dataset entity.
 *
 * @public
 */
export const EntityDatasetSchemaCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityDatasetSchemaCard',
    component: {
      lazy: () =>
        import('./components/DatasetCards').then(m => m.DatasetSchemaCard),
    },
  }),
);

/**
 * The features derived from a Dataset entity and the models trained on it.
 *
 * @public
 */
export const EntityDatasetUsageCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityDatasetUsageCard',
    component: {
      lazy: () =>
        import('./components/DatasetCards').then(m => m.DatasetUsageCard),
    },
  }),
);

/**
 * The definition, source dataset and consuming models of a Feature entity.
 *
 * @public
 */
export const EntityFeatureCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityFeatureCard',
    component: {
      lazy: () => import('./components/FeatureCard').then(m => m.FeatureCard),
    },
  }),
);

/**
 * The ML lineage graph of an MLModel, Dataset or Feature entity.
 *
 * @public
 */
export const EntityMlLineageCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlLineageCard',
    component: {
      lazy: () =>
        import('./components/LineageGraph').then(m => m.MlLineageCard),
    },
  }),
);

/**
 * The Health tab of an MLModel entity page: status with reasons,
 * deployments with Promote, Rollback and Deploy, training runs with live
 * logs, data drift with histograms, and the MLflow experiment's metrics.
 * Mount it with `EntityLayout.Route path="/health" title="Health"` under
 * `EntitySwitch.Case if={isKind('mlmodel')}`.
 *
 * @public
 */
export const EntityMlopsHealthContent = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsHealthContent',
    component: {
      lazy: () =>
        import('./components/ModelHealthTab').then(m => m.ModelHealthContent),
    },
  }),
);

/**
 * A small health card for the overview of an MLModel entity page.
 *
 * @public
 */
export const EntityMlopsHealthCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsHealthCard',
    component: {
      lazy: () =>
        import('./components/ModelHealthTab').then(m => m.ModelHealthCard),
    },
  }),
);
