/**
 * Catalog backend module with entity providers that import MLflow registered
 * models as MLModels, and Feast projects, data sources, feature views and
 * features as Systems, Datasets and Features.
 *
 * @packageDocumentation
 */

export { catalogModuleMlopsImport as default } from './module';
export { MlflowEntityProvider } from './providers/MlflowEntityProvider';
export { FeastEntityProvider } from './providers/FeastEntityProvider';
export {
  ANNOTATION_MLFLOW_ALIASES,
  ANNOTATION_MLFLOW_LATEST_VERSION,
} from '@synth/plugin-mlops-common';
