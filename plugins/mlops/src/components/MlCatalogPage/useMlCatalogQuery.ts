import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  MlCatalogQuery,
  formatMlCatalogQuery,
  parseMlCatalogQuery,
} from '../../lib/catalogQuery';

/**
 * The ML catalog query, kept in the page's URL so that a filtered view can be
 * bookmarked, shared and restored with the back button.
 */
export function useMlCatalogQuery(): [
  MlCatalogQuery,
  (update: (current: MlCatalogQuery) => MlCatalogQuery) => void,
] {
  const [searchParams, setSearchParams] = useSearchParams();
  const serialized = searchParams.toString();
  const query = useMemo(
    () => parseMlCatalogQuery(new URLSearchParams(serialized)),
    [serialized],
  );
  const setQuery = useCallback(
    (update: (current: MlCatalogQuery) => MlCatalogQuery) => {
      setSearchParams(
        current => formatMlCatalogQuery(update(parseMlCatalogQuery(current))),
        { replace: true },
      );
    },
    [setSearchParams],
  );
  return [query, setQuery];
}
