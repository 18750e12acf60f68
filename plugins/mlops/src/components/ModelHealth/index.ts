export { ModelHealthIndicator } from './ModelHealthIndicator';
