import { QueryEntitiesResponse } from '@backstage/catalog-client';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  LIST_FIELDS,
  MlCatalogQuery,
  buildInitialRequest,
  formatMlCatalogQuery,
  parseMlCatalogQuery,
} from '../../lib/catalogQuery';

type StartedRequest = {
  /** The query, page size and cursor the request is for. */
  pageId: string;
  promise: Promise<QueryEntitiesResponse>;
  /** Whether the effect below has taken the answer already. */
  used: boolean;
};

type PagePosition = {
  /** The query and page size the position belongs to. */
  key: string;
  /** The cursor of the page; the first page has none. */
  cursor?: string;
  /** Zero-based page number, for the "21–40 of N" label. */
  index: number;
};

export type EntityPages = {
  loading: boolean;
  error?: Error;
  response?: QueryEntitiesResponse;
  /**
   * How many entities the listing has, once known: counted after the first
   * page has arrived, so the count never delays the rows.
   */
  totalItems?: number;
  /** Zero-based index of the first row on the page. */
  offset: number;
  next?: () => void;
  previous?: () => void;
  retry: () => void;
};

/**
 * Pages through the catalog with the by-query API: the first page sends the
 * filter, order, text search, fields and limit; every later page sends only
 * the cursor the previous answer gave, plus the same fields and limit.
 * Changing the query or the page size starts again from the first page.
 *
 * The first page asks the catalog not to count the matches
 * (`totalItems: 'exclude'`): counting reads every matching entity, which on
 * SQLite with 10,000 models took most of the request's time. The count is a
 * separate request with no rows (`limit: 0`) once the first page is shown,
 * made once per query, not per page or page size.
 */
export function useEntityPages(
  query: MlCatalogQuery,
  pageSize: number,
): EntityPages {
  const catalogApi = useApi(catalogApiRef);
  const key = `${formatMlCatalogQuery(query).toString()}|${pageSize}`;
  const [position, setPosition] = useState<PagePosition>({ key, index: 0 });
  const current: PagePosition =
    position.key === key ? position : { key, index: 0 };

  const fetchPage = () =>
    catalogApi.queryEntities(
      current.cursor
        ? { cursor: current.cursor, fields: LIST_FIELDS, limit: pageSize }
        : { ...buildInitialRequest(query, pageSize), totalItems: 'exclude' },
    );

  // The request for a page starts while the page renders, not after React
  // has committed and painted it, so the catalog works while the browser
  // renders. Each request is used once; a retry asks again.
  const pageId = `${key}|${current.cursor ?? ''}`;
  const started = useRef<StartedRequest>();
  if (started.current?.pageId !== pageId) {
    const promise = fetchPage();
    // Consumed (and its errors handled) by the effect below.
    promise.catch(() => undefined);
    started.current = { pageId, promise, used: false };
  }

  const state = useAsyncRetry(async () => {
    const request = started.current;
    let response: Promise<QueryEntitiesResponse>;
    if (request?.pageId === pageId && !request.used) {
      request.used = true;
      response = request.promise;
    } else {
      response = fetchPage();
    }
    return { key, response: await response };
  }, [catalogApi, pageId]);

  // While another page of the same listing loads, the rows of the last one
  // stay; rows of a different query never show under the new one.
  const response = state.value?.key === key ? state.value.response : undefined;
  // The listing to count: the query of the last first page shown. Changing
  // only the page size keeps the count.
  const queryKey = formatMlCatalogQuery(query).toString();
  const [countedKey, setCountedKey] = useState<string>();
  const shown = response !== undefined;
  useEffect(() => {
    if (shown) {
      setCountedKey(queryKey);
    }
  }, [shown, queryKey]);
  const count = useAsync(async () => {
    if (countedKey === undefined) {
      return undefined;
    }
    const counted = parseMlCatalogQuery(new URLSearchParams(countedKey));
    const answer = await catalogApi.queryEntities({
      ...buildInitialRequest(counted, 0),
      fields: ['metadata.name'],
    });
    return { key: countedKey, totalItems: answer.totalItems };
  }, [catalogApi, countedKey]);
  const totalItems =
    count.value?.key === queryKey ? count.value.totalItems : undefined;

  const nextCursor = state.loading ? undefined : response?.pageInfo.nextCursor;
  const prevCursor = state.loading ? undefined : response?.pageInfo.prevCursor;

  const next = useCallback(() => {
    if (nextCursor) {
      setPosition({ key, cursor: nextCursor, index: current.index + 1 });
    }
  }, [key, nextCursor, current.index]);
  const previous = useCallback(() => {
    if (prevCursor) {
      setPosition({
        key,
        cursor: current.index > 1 ? prevCursor : undefined,
        index: current.index - 1,
      });
    }
  }, [key, prevCursor, current.index]);

  return {
    loading: state.loading,
    error: state.error,
    response,
    totalItems,
    offset: current.index * pageSize,
    next: nextCursor ? next : undefined,
    previous: prevCursor ? previous : undefined,
    retry: state.retry,
  };
}
