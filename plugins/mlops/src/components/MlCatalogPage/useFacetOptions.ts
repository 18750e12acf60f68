import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import {
  FILTER_FIELDS,
  ML_CATALOG_VIEWS,
  MlCatalogFilterKey,
  MlCatalogView,
} from '../../lib/catalogQuery';

export type FacetOption = { value: string; count: number };

/**
 * The values one filter of a view can take, with how many entities have
 * each, from the catalog's facets. Nothing is requested until `enabled`:
 * the page asks when a filter is first opened, so that facet queries (costly
 * on large catalogs) never delay the first page of the table.
 */
export function useFacetOptions(
  view: MlCatalogView,
  key: MlCatalogFilterKey,
  enabled: boolean,
): { loading: boolean; error?: Error; value?: FacetOption[] } {
  const catalogApi = useApi(catalogApiRef);
  const state = useAsync(async () => {
    if (!enabled) {
      return undefined;
    }
    const field = FILTER_FIELDS[key];
    const { facets } = await catalogApi.getEntityFacets({
      filter: { kind: ML_CATALOG_VIEWS[view].kind },
      facets: [field],
    });
    return [...(facets[field] ?? [])].sort((a, b) =>
      a.value.localeCompare(b.value),
    );
  }, [catalogApi, view, key, enabled]);
  return enabled ? state : { loading: false };
}
