export { mlopsApiRef } from './MlopsApi';
export type { MlopsApi, MlopsModelRef, MlopsPageRequest } from './MlopsApi';
export { MlopsClient } from './MlopsClient';
export type {
  ExperimentRunSummary,
  MetricHistoryPoint,
  ModelExperiment,
  ModelExperimentQuery,
} from './experimentTypes';
