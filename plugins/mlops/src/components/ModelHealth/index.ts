export {
  ModelHealthIndicator,
  ModelHealthLabel,
  type ModelHealthState,
} from './ModelHealthIndicator';
