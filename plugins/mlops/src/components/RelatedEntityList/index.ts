export { RelatedEntityList, UnresolvedEntityRef } from './RelatedEntityList';
export { useResolvedEntities } from './useResolvedEntities';
export type { ResolvedEntity } from './useResolvedEntities';
