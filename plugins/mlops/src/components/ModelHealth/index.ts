export { ModelHealthStatus } from './ModelHealthStatus';
