/**
 * The mlops frontend plugin: an ML catalog of models, datasets and features,
 * with model cards and lineage on their entity pages.
 *
 * This entry point serves apps on the legacy frontend system; apps on the new
 * frontend system install the default export of `@synth/plugin-mlops/alpha`.
 *
 * @packageDocumentation
 */

export { mlopsPlugin } from './plugin';
export {
  EntityDatasetSchemaCard,
  EntityDatasetUsageCard,
  EntityFeatureCard,
  EntityMlLineageCard,
  EntityMlopsHealthCard,
  EntityMlopsHealthContent,
  EntityModelCard,
  MlCatalogPage,
} from './extensions';
export { rootRouteRef } from './routes';
export * from './api';
export type { MlLineageCardProps } from './components/LineageGraph';
