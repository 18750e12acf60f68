import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';

/** A reference and the entity it points at, or undefined when the catalog has none. */
export type ResolvedEntity = {
  entityRef: string;
  entity?: Entity;
};

const RESOLVE_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'metadata.description',
  'spec.type',
];

/**
 * Looks the references up in the catalog in one request, keeping the order
 * of `entityRefs`; references the catalog cannot resolve come back without an
 * entity.
 */
export function useResolvedEntities(entityRefs: string[]): {
  loading: boolean;
  error?: Error;
  value?: ResolvedEntity[];
} {
  const catalogApi = useApi(catalogApiRef);
  const key = entityRefs.join('\n');
  return useAsync(async () => {
    if (entityRefs.length === 0) {
      return [];
    }
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs,
      fields: RESOLVE_FIELDS,
    });
    return entityRefs.map((entityRef, index) => ({
      entityRef,
      entity: items[index] ?? undefined,
    }));
    // The key stands for the list of references.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
}
