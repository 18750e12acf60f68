export { mlopsApiRef } from './MlopsApi';
export type { MlopsApi, ModelHealth, ModelHealthStatus } from './MlopsApi';
export { MlopsClient } from './MlopsClient';
