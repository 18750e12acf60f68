/**
 * Node library of the mlops plugin: an MLflow REST client, a Feast registry
 * reader, and the experiment metrics service and router of the model health
 * tab, shared by the catalog providers and the mlops backend.
 *
 * @packageDocumentation
 */

export {
  EngineError,
  FeastRegistryError,
  MlflowError,
} from './http/EngineError';
export type { HttpAuth } from './http/JsonHttpClient';
export { readEngineConnection } from './http/connectionConfig';
export type { EngineConnection } from './http/connectionConfig';
export { collect, paginate } from './http/paginate';
export { mapConcurrent } from './lib/mapConcurrent';
export { MlflowClient, isMlflowNotFound } from './mlflow/MlflowClient';
export type {
  MlflowCallOptions,
  MlflowClientOptions,
} from './mlflow/MlflowClient';
export type * from './mlflow/types';
export { FeastRegistryClient } from './feast/FeastRegistryClient';
export type { FeastRegistryClientOptions } from './feast/FeastRegistryClient';
export { readFeastRegistry } from './feast/readFeastRegistry';
export type * from './feast/types';
export {
  DefaultExperimentMetricsService,
  EXPERIMENT_LIMITS,
} from './experiments/DefaultExperimentMetricsService';
export { createExperimentMetricsRouter } from './experiments/createExperimentMetricsRouter';
export type { ExperimentMetricsRouterOptions } from './experiments/createExperimentMetricsRouter';
export type * from './experiments/types';
