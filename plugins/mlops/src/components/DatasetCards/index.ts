export { DatasetSchemaCard } from './DatasetSchemaCard';
export { DatasetUsageCard } from './DatasetUsageCard';
