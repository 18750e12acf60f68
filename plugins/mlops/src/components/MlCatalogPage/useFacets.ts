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

/** The values each filter of a view can take, with how many entities have each. */
export function useFacets(view: MlCatalogView): {
  loading: boolean;
  error?: Error;
  value?: Partial<Record<MlCatalogFilterKey, FacetOption[]>>;
} {
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const { kind, filters } = ML_CATALOG_VIEWS[view];
    const { facets } = await catalogApi.getEntityFacets({
      filter: { kind },
      facets: filters.map(key => FILTER_FIELDS[key]),
    });
    const options: Partial<Record<MlCatalogFilterKey, FacetOption[]>> = {};
    for (const key of filters) {
      options[key] = [...(facets[FILTER_FIELDS[key]] ?? [])].sort((a, b) =>
        a.value.localeCompare(b.value),
      );
    }
    return options;
  }, [catalogApi, view]);
}
