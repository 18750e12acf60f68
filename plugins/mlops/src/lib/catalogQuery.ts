import {
  EntityFilterQuery,
  QueryEntitiesInitialRequest,
} from '@backstage/catalog-client';
import {
  DATASET_KIND,
  FEATURE_KIND,
  MLMODEL_KIND,
} from '@synth/plugin-mlops-common';

/** One of the three views of the ML catalog page. */
export type MlCatalogView = 'models' | 'datasets' | 'features';

/** A filter of the ML catalog page. */
export type MlCatalogFilterKey =
  | 'owner'
  | 'lifecycle'
  | 'type'
  | 'framework'
  | 'tag'
  | 'system';

/** A column the ML catalog can be sorted by. */
export type MlCatalogSortKey = 'name' | 'owner' | 'type' | 'lifecycle';

export type MlCatalogSortOrder = 'asc' | 'desc';

/** Everything that decides which entities the ML catalog lists, in URL form. */
export type MlCatalogQuery = {
  view: MlCatalogView;
  filters: Partial<Record<MlCatalogFilterKey, string>>;
  search: string;
  sort: MlCatalogSortKey;
  order: MlCatalogSortOrder;
};

export type MlCatalogViewDefinition = {
  kind: string;
  label: string;
  /** Lower-case plural noun for empty states, e.g. `models`. */
  noun: string;
  filters: MlCatalogFilterKey[];
};

export const ML_CATALOG_VIEWS: Record<MlCatalogView, MlCatalogViewDefinition> =
  {
    models: {
      kind: MLMODEL_KIND,
      label: 'Models',
      noun: 'models',
      filters: ['owner', 'lifecycle', 'type', 'framework', 'tag', 'system'],
    },
    datasets: {
      kind: DATASET_KIND,
      label: 'Datasets',
      noun: 'datasets',
      filters: ['owner', 'lifecycle', 'type', 'tag', 'system'],
    },
    features: {
      kind: FEATURE_KIND,
      label: 'Features',
      noun: 'features',
      filters: ['owner', 'lifecycle', 'type', 'tag', 'system'],
    },
  };

export const ML_CATALOG_VIEW_KEYS = Object.keys(
  ML_CATALOG_VIEWS,
) as MlCatalogView[];

export const FILTER_LABELS: Record<MlCatalogFilterKey, string> = {
  owner: 'Owner',
  lifecycle: 'Lifecycle',
  type: 'Type',
  framework: 'Framework',
  tag: 'Tag',
  system: 'System',
};

/** The entity field each filter matches. */
export const FILTER_FIELDS: Record<MlCatalogFilterKey, string> = {
  owner: 'spec.owner',
  lifecycle: 'spec.lifecycle',
  type: 'spec.type',
  framework: 'spec.framework',
  tag: 'metadata.tags',
  system: 'spec.system',
};

/**
 * The entity field each sortable column orders by. Only fields every entity
 * of the three kinds has: the catalog leaves out entities that lack the field
 * it orders by, so sorting by an optional field such as `spec.framework`
 * would hide rows.
 */
export const SORT_FIELDS: Record<MlCatalogSortKey, string> = {
  name: 'metadata.name',
  owner: 'spec.owner',
  type: 'spec.type',
  lifecycle: 'spec.lifecycle',
};

/** The fields the text search looks in. */
export const SEARCH_FIELDS = ['metadata.name', 'metadata.title'];

/**
 * The only parts of each entity the table needs; everything else stays on the
 * server, which keeps the first payload small (D11).
 */
export const LIST_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'spec.owner',
  'spec.type',
  'spec.lifecycle',
  'spec.framework',
  'spec.format',
  'spec.source',
];

export const PAGE_SIZES = [10, 20, 50, 100];
export const DEFAULT_PAGE_SIZE = 20;

export const DEFAULT_QUERY: MlCatalogQuery = {
  view: 'models',
  filters: {},
  search: '',
  sort: 'name',
  order: 'asc',
};

function isOneOf<T extends string>(
  values: ReadonlyArray<T>,
  value: string | null,
): value is T {
  return value !== null && (values as ReadonlyArray<string>).includes(value);
}

/** Reads the query from the page's search parameters; unknown values fall back to defaults. */
export function parseMlCatalogQuery(params: URLSearchParams): MlCatalogQuery {
  const viewParam = params.get('view');
  const view = isOneOf(ML_CATALOG_VIEW_KEYS, viewParam)
    ? viewParam
    : DEFAULT_QUERY.view;
  const filters: MlCatalogQuery['filters'] = {};
  for (const key of ML_CATALOG_VIEWS[view].filters) {
    const value = params.get(key)?.trim();
    if (value) {
      filters[key] = value;
    }
  }
  const sortParam = params.get('sort');
  const orderParam = params.get('order');
  return {
    view,
    filters,
    search: params.get('q')?.trim() ?? '',
    sort: isOneOf(Object.keys(SORT_FIELDS) as MlCatalogSortKey[], sortParam)
      ? sortParam
      : DEFAULT_QUERY.sort,
    order: isOneOf(['asc', 'desc'] as MlCatalogSortOrder[], orderParam)
      ? orderParam
      : DEFAULT_QUERY.order,
  };
}

/** Writes the query as search parameters, leaving out defaults. */
export function formatMlCatalogQuery(query: MlCatalogQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.view !== DEFAULT_QUERY.view) {
    params.set('view', query.view);
  }
  for (const key of ML_CATALOG_VIEWS[query.view].filters) {
    const value = query.filters[key];
    if (value) {
      params.set(key, value);
    }
  }
  if (query.search) {
    params.set('q', query.search);
  }
  if (query.sort !== DEFAULT_QUERY.sort) {
    params.set('sort', query.sort);
  }
  if (query.order !== DEFAULT_QUERY.order) {
    params.set('order', query.order);
  }
  return params;
}

/** The catalog filter of a view: its kind and the chosen filter values. */
export function buildEntityFilter(query: MlCatalogQuery): EntityFilterQuery {
  const filter: Record<string, string> = {
    kind: ML_CATALOG_VIEWS[query.view].kind,
  };
  for (const key of ML_CATALOG_VIEWS[query.view].filters) {
    const value = query.filters[key];
    if (value) {
      filter[FILTER_FIELDS[key]] = value;
    }
  }
  return filter;
}

/**
 * The first by-query request of a listing. Later pages send only the cursor
 * from the previous answer (with the same fields and limit), since the catalog
 * keeps filter, order and search inside the cursor.
 */
export function buildInitialRequest(
  query: MlCatalogQuery,
  limit: number,
): QueryEntitiesInitialRequest {
  const request: QueryEntitiesInitialRequest = {
    filter: buildEntityFilter(query),
    fields: LIST_FIELDS,
    limit,
    orderFields: { field: SORT_FIELDS[query.sort], order: query.order },
  };
  if (query.search) {
    request.fullTextFilter = { term: query.search, fields: SEARCH_FIELDS };
  }
  return request;
}
