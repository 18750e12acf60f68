export { ModelHealthContent } from './ModelHealthContent';
export { ModelHealthCard } from './ModelHealthCard';
