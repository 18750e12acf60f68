export { MlLineageCard } from './MlLineageCard';
export type { MlLineageCardProps } from './MlLineageCard';
