import {
  DEFAULT_QUERY,
  buildInitialRequest,
  formatMlCatalogQuery,
  parseMlCatalogQuery,
} from './catalogQuery';

describe('parseMlCatalogQuery', () => {
  it('reads view, filters of that view, search and sort', () => {
    expect(
      parseMlCatalogQuery(
        new URLSearchParams(
          'view=datasets&owner=customer-ml&tag=pii&framework=xgboost&q=+churn+&sort=owner&order=desc',
        ),
      ),
    ).toEqual({
      view: 'datasets',
      // Datasets have no framework filter.
      filters: { owner: 'customer-ml', tag: 'pii' },
      search: 'churn',
      sort: 'owner',
      order: 'desc',
    });
  });

  it('falls back to the defaults for unknown or missing values', () => {
    expect(
      parseMlCatalogQuery(
        new URLSearchParams(
          'view=pipelines&sort=framework&order=sideways&owner=',
        ),
      ),
    ).toEqual(DEFAULT_QUERY);
  });

  it('round-trips through the URL, leaving defaults out', () => {
    const query = {
      view: 'models' as const,
      filters: { lifecycle: 'production', framework: 'xgboost' },
      search: 'fraud',
      sort: 'name' as const,
      order: 'desc' as const,
    };
    const params = formatMlCatalogQuery(query);
    expect(params.toString()).toBe(
      'lifecycle=production&framework=xgboost&q=fraud&order=desc',
    );
    expect(parseMlCatalogQuery(params)).toEqual(query);
    expect(formatMlCatalogQuery(DEFAULT_QUERY).toString()).toBe('');
  });
});

describe('buildInitialRequest', () => {
  it('asks for one page of the kind with the chosen filters, order, search and fields', () => {
    const request = buildInitialRequest(
      {
        view: 'models',
        filters: { owner: 'risk-ml', tag: 'fraud', system: 'payments' },
        search: 'detector',
        sort: 'lifecycle',
        order: 'desc',
      },
      50,
    );
    expect(request).toEqual({
      filter: {
        kind: 'MLModel',
        'spec.owner': 'risk-ml',
        'metadata.tags': 'fraud',
        'spec.system': 'payments',
      },
      fields: expect.arrayContaining(['kind', 'metadata.name', 'spec.owner']),
      limit: 50,
      orderFields: { field: 'spec.lifecycle', order: 'desc' },
      fullTextFilter: {
        term: 'detector',
        fields: ['metadata.name', 'metadata.title'],
      },
    });
  });

  it('sends no text filter without a search term', () => {
    const request = buildInitialRequest(
      { ...DEFAULT_QUERY, view: 'features' },
      20,
    );
    expect(request.filter).toEqual({ kind: 'Feature' });
    expect(request).not.toHaveProperty('fullTextFilter');
  });
});
