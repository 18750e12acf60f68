export { mlopsApiRef } from './MlopsApi';
export type { MlopsApi, MlopsModelRef, MlopsPageRequest } from './MlopsApi';
export { MlopsClient } from './MlopsClient';
