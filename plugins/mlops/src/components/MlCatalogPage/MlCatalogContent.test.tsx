import { CatalogClient } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  MockFetchApi,
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ModelHealth } from '@synth/plugin-mlops-common';
import { MlopsClient, mlopsApiRef } from '../../api';
import { modelHealth } from '../../__testUtils__/health';
import { createFakeCatalog } from '../../__testUtils__/fakeCatalog';
import { churnCatalog, generateModels } from '../../__testUtils__/fixtures';
import { MlCatalogContent } from './MlCatalogContent';

const server = setupServer();
registerMswTestHooks(server);

const discoveryApi = mockApis.discovery({ baseUrl: 'http://backstage:7007' });
const fetchApi = new MockFetchApi();

/** The `entityRefs` of every health query the page sent, in order. */
const healthQueries: string[][] = [];

/**
 * The batch health route: each listed model name has its status, every other
 * reference is NotFound.
 */
function healthHandler(statuses: Record<string, string> = {}) {
  healthQueries.length = 0;
  return http.post(
    'http://backstage:7007/api/mlops/health/query',
    async ({ request }) => {
      const { entityRefs } = (await request.json()) as { entityRefs: string[] };
      healthQueries.push(entityRefs);
      return HttpResponse.json({
        items: entityRefs.map(entityRef => {
          const name = entityRef.split('/')[1];
          const status = statuses[name];
          return status
            ? {
                entityRef,
                health: modelHealth(
                  status as ModelHealth['status'],
                  [`${name} is ${status}`],
                  entityRef,
                ),
              }
            : { entityRef, error: 'NotFound' };
        }),
      });
    },
  );
}

async function renderCatalog(initialPath = '/ml') {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, new CatalogClient({ discoveryApi, fetchApi })],
        [mlopsApiRef, new MlopsClient({ discoveryApi, fetchApi })],
      ]}
    >
      <MlCatalogContent />
    </TestApiProvider>,
    {
      routeEntries: [initialPath],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

function rowNames(): string[] {
  const table = screen.getByRole('table', {
    name: /models|datasets|features/i,
  });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getAllByRole('cell')[0].textContent ?? '');
}

describe('MlCatalogContent', () => {
  it('lists the first page of models, asking the catalog only for the fields the table shows', async () => {
    const catalog = createFakeCatalog([...churnCatalog, ...generateModels(45)]);
    server.use(
      ...catalog.handlers,
      healthHandler({ 'churn-classifier': 'degraded' }),
    );

    await renderCatalog();

    expect(await screen.findByText('Churn classifier')).toBeInTheDocument();
    expect(await screen.findByText('1–20 of 46')).toBeInTheDocument();
    expect(rowNames()).toHaveLength(20);
    expect(rowNames()[0]).toBe('Churn classifier');

    const [first] = catalog.queries();
    expect(first.searchParams.getAll('filter')).toEqual(['kind=MLModel']);
    expect(first.searchParams.get('limit')).toBe('20');
    expect(first.searchParams.get('orderField')).toBe('metadata.name,asc');
    // The rows come without a count; the count is a request of its own.
    expect(first.searchParams.get('totalItems')).toBe('exclude');
    const counts = catalog.counts();
    expect(counts).toHaveLength(1);
    expect(counts[0].searchParams.getAll('filter')).toEqual(['kind=MLModel']);
    expect(counts[0].searchParams.get('orderField')).toBe('metadata.name,asc');
    expect(counts[0].searchParams.has('totalItems')).toBe(false);
    const fields = first.searchParams.get('fields')!.split(',');
    expect(fields).toEqual(
      expect.arrayContaining(['metadata.name', 'spec.owner', 'spec.framework']),
    );
    expect(fields).not.toContain('spec.modelCard');
    expect(fields).not.toContain('relations');
    // Filter options are only fetched once a filter is opened.
    expect(
      catalog.requests.filter(u => u.pathname.endsWith('/entity-facets')),
    ).toEqual([]);

    // The health column shows what the backend says, and "unknown" where it has nothing.
    const churnRow = screen.getByText('Churn classifier').closest('tr')!;
    expect(
      await within(churnRow).findByLabelText(
        'degraded: churn-classifier is degraded',
      ),
    ).toHaveTextContent('degraded');
    const otherRow = screen.getByText('Model 001').closest('tr')!;
    expect(
      await within(otherRow).findByLabelText(
        'unknown: No health data: the mlops backend does not report health for this model',
      ),
    ).toHaveTextContent('unknown');
    // One health request for the whole page, for exactly its rows.
    expect(healthQueries).toEqual([
      [
        'mlmodel:default/churn-classifier',
        ...generateModels(19).map(e => stringifyEntityRef(e)),
      ],
    ]);
  });

  it('asks for the health of each page in one request and shows each row its own answer', async () => {
    const catalog = createFakeCatalog(generateModels(45));
    server.use(
      ...catalog.handlers,
      healthHandler({
        'model-002': 'healthy',
        'model-021': 'unhealthy',
        'model-022': 'degraded',
      }),
    );

    await renderCatalog();
    const table = await screen.findByRole('table', { name: 'Models' });
    const row = (name: string) =>
      within(table).getByText(name).closest('tr')! as HTMLElement;
    expect(
      await within(row('Model 002')).findByText('healthy'),
    ).toBeInTheDocument();
    expect(
      within(row('Model 003')).getByLabelText(/^unknown: No health data/),
    ).toBeInTheDocument();
    expect(healthQueries).toHaveLength(1);
    expect(healthQueries[0]).toHaveLength(20);

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await within(table).findByText('Model 021')).toBeInTheDocument();
    expect(
      await within(row('Model 021')).findByLabelText(
        'unhealthy: model-021 is unhealthy',
      ),
    ).toBeInTheDocument();
    expect(
      within(row('Model 022')).getByLabelText(
        'degraded: model-022 is degraded',
      ),
    ).toBeInTheDocument();
    expect(
      within(row('Model 040')).getByLabelText(/^unknown: No health data/),
    ).toBeInTheDocument();
    expect(healthQueries).toHaveLength(2);
    expect(healthQueries[1]).toEqual(
      generateModels(40)
        .slice(20)
        .map(e => stringifyEntityRef(e)),
    );
  }, 30_000);

  it('reads every row as unknown, with the reason, when the health query fails', async () => {
    const catalog = createFakeCatalog(generateModels(3));
    let queries = 0;
    server.use(
      ...catalog.handlers,
      http.post('http://backstage:7007/api/mlops/health/query', () => {
        queries += 1;
        return HttpResponse.text('upstream timed out', { status: 502 });
      }),
    );

    await renderCatalog();
    const table = await screen.findByRole('table', { name: 'Models' });
    for (const name of ['Model 001', 'Model 002', 'Model 003']) {
      const row = within(table).getByText(name).closest('tr')!;
      expect(
        await within(row).findByLabelText(
          /^unknown: Health could not be read: .*502/,
        ),
      ).toHaveTextContent('unknown');
    }
    expect(queries).toBe(1);
  });

  it('pages forward and back by cursor alone', async () => {
    const catalog = createFakeCatalog(generateModels(45));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog();
    expect(await screen.findByText('Model 001')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Previous page' }),
    ).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Model 021')).toBeInTheDocument();
    expect(screen.getByText('21–40 of 45')).toBeInTheDocument();
    expect(screen.queryByText('Model 001')).not.toBeInTheDocument();

    const second = catalog.queries()[1];
    expect(second.searchParams.get('cursor')).toBeTruthy();
    expect(second.searchParams.get('limit')).toBe('20');
    expect(second.searchParams.get('fields')).toContain('spec.owner');
    expect(second.searchParams.has('filter')).toBe(false);
    expect(second.searchParams.has('orderField')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('41–45 of 45')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();

    await userEvent.click(
      screen.getByRole('button', { name: 'Previous page' }),
    );
    expect(await screen.findByText('21–40 of 45')).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous page' }),
    );
    expect(await screen.findByText('1–20 of 45')).toBeInTheDocument();
    expect(screen.getByText('Model 001')).toBeInTheDocument();
    // Paging reuses the count of the first page.
    expect(catalog.counts()).toHaveLength(1);
    // Four pages through user-event take 20-30 s on a busy two-core machine.
  }, 60_000);

  it('shows the first page before the catalog has counted the models', async () => {
    const catalog = createFakeCatalog(generateModels(45));
    let releaseCount = () => {};
    const countHeld = new Promise<void>(resolve => {
      releaseCount = resolve;
    });
    server.use(
      http.get('*/api/catalog/entities/by-query', async ({ request }) => {
        if (new URL(request.url).searchParams.get('limit') === '0') {
          await countHeld;
        }
        return undefined;
      }),
      ...catalog.handlers,
      healthHandler(),
    );

    await renderCatalog();
    expect(await screen.findByText('Model 001')).toBeInTheDocument();
    expect(screen.getByText('1–20 of …')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeEnabled();

    releaseCount();
    expect(await screen.findByText('1–20 of 45')).toBeInTheDocument();
  });

  it('keeps the count when only the page size changes', async () => {
    const catalog = createFakeCatalog(generateModels(45));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog();
    expect(await screen.findByText('1–20 of 45')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Rows/ }));
    await userEvent.click(await screen.findByRole('option', { name: '10' }));

    expect(await screen.findByText('1–10 of 45')).toBeInTheDocument();
    expect(catalog.queries().at(-1)!.searchParams.get('limit')).toBe('10');
    expect(catalog.counts()).toHaveLength(1);
  });

  it('filters by owner with options from the catalog facets', async () => {
    const catalog = createFakeCatalog(generateModels(30));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog();
    expect(await screen.findByText('1–20 of 30')).toBeInTheDocument();

    const filters = screen.getByRole('group', { name: 'Filters' });
    await userEvent.click(
      within(filters).getByRole('button', { name: /Owner/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'risk-ml (10)' }),
    );

    expect(await screen.findByText('1–10 of 10')).toBeInTheDocument();
    const last = catalog.queries().at(-1)!;
    expect(last.searchParams.getAll('filter')).toEqual([
      'kind=MLModel,spec.owner=risk-ml',
    ]);
    const facetRequests = catalog.requests.filter(u =>
      u.pathname.endsWith('/entity-facets'),
    );
    expect(facetRequests).toHaveLength(1);
    expect(facetRequests[0].searchParams.getAll('facet')).toEqual([
      'spec.owner',
    ]);
    expect(facetRequests[0].searchParams.getAll('filter')).toEqual([
      'kind=MLModel',
    ]);
    const table = screen.getByRole('table', { name: 'Models' });
    for (const row of within(table).getAllByRole('row').slice(1)) {
      expect(within(row).getByText('risk-ml')).toBeInTheDocument();
    }
  });

  it('says so in the menu when filter options cannot be loaded', async () => {
    const catalog = createFakeCatalog(generateModels(3));
    server.use(...catalog.handlers, healthHandler());
    server.use(
      http.get('*/api/catalog/entity-facets', () =>
        HttpResponse.json(
          { error: { name: 'Error', message: 'facets timed out' } },
          { status: 500 },
        ),
      ),
    );

    await renderCatalog();
    expect(await screen.findByText('1–3 of 3')).toBeInTheDocument();

    const filters = screen.getByRole('group', { name: 'Filters' });
    await userEvent.click(
      within(filters).getByRole('button', { name: /Lifecycle/ }),
    );
    expect(
      await screen.findByRole('option', {
        name: /^Options could not be loaded: .*500/,
      }),
    ).toHaveAttribute('aria-disabled', 'true');
    // The table is unaffected.
    expect(screen.getByText('Model 001')).toBeInTheDocument();
  });

  it('restores filters, search and sort from the URL', async () => {
    const catalog = createFakeCatalog(generateModels(30));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog(
      '/ml?owner=customer-ml&tag=even&q=model&sort=type&order=desc',
    );

    expect(await screen.findByText('1–5 of 5')).toBeInTheDocument();
    const [first] = catalog.queries();
    expect(first.searchParams.getAll('filter')).toEqual([
      'kind=MLModel,spec.owner=customer-ml,metadata.tags=even',
    ]);
    expect(first.searchParams.get('fullTextFilterTerm')).toBe('model');
    expect(first.searchParams.get('fullTextFilterFields')).toBe(
      'metadata.name,metadata.title',
    );
    expect(first.searchParams.get('orderField')).toBe('spec.type,desc');
    expect(screen.getByLabelText('Search')).toHaveValue('model');
  });

  it('searches by name or title on the server', async () => {
    const catalog = createFakeCatalog(generateModels(30));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog();
    expect(await screen.findByText('1–20 of 30')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Search'), 'model 02');

    expect(await screen.findByText('1–10 of 10')).toBeInTheDocument();
    expect(rowNames()).toEqual(
      Array.from({ length: 10 }, (_, i) => `Model 0${20 + i}`),
    );
    const last = catalog.queries().at(-1)!;
    expect(last.searchParams.get('fullTextFilterTerm')).toBe('model 02');
  });

  it('sorts by a column on the server, toggling the direction', async () => {
    const catalog = createFakeCatalog(generateModels(6));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog();
    expect(await screen.findByText('1–6 of 6')).toBeInTheDocument();

    await userEvent.click(
      within(screen.getByRole('table')).getByRole('button', { name: 'Owner' }),
    );
    await waitFor(() =>
      expect(catalog.queries().at(-1)!.searchParams.get('orderField')).toBe(
        'spec.owner,asc',
      ),
    );
    await waitFor(() => expect(rowNames()[0]).toBe('Model 003'));

    await userEvent.click(
      within(screen.getByRole('table')).getByRole('button', { name: 'Owner' }),
    );
    await waitFor(() =>
      expect(catalog.queries().at(-1)!.searchParams.get('orderField')).toBe(
        'spec.owner,desc',
      ),
    );
    await waitFor(() => expect(rowNames()[0]).toBe('Model 002'));
  });

  it('explains an empty result and clears the filters', async () => {
    const catalog = createFakeCatalog(generateModels(3));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog('/ml?q=no-such-model');

    expect(
      await screen.findByText('No models match these filters'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getAllByRole('button', { name: 'Clear filters' }).at(-1)!,
    );
    expect(await screen.findByText('1–3 of 3')).toBeInTheDocument();
  });

  it('says when the catalog has no entities of a kind', async () => {
    const catalog = createFakeCatalog(generateModels(3));
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog('/ml?view=features');

    expect(
      await screen.findByText('No features in the catalog yet'),
    ).toBeInTheDocument();
  });

  it('shows a catalog error and recovers on retry', async () => {
    const catalog = createFakeCatalog(generateModels(3));
    server.use(...catalog.handlers, healthHandler());
    // Handlers added later take precedence: the first listing fails once.
    server.use(
      http.get(
        '*/api/catalog/entities/by-query',
        () =>
          HttpResponse.json(
            { error: { name: 'Error', message: 'database is locked' } },
            { status: 503 },
          ),
        { once: true },
      ),
    );

    await renderCatalog();

    expect(
      await screen.findByText(/Could not load models/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is locked/).length).toBeGreaterThan(0);

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('1–3 of 3')).toBeInTheDocument();
  });

  it('switches to the datasets and features views with their own columns', async () => {
    const catalog = createFakeCatalog(churnCatalog);
    server.use(...catalog.handlers, healthHandler());

    await renderCatalog();
    expect(await screen.findByText('Churn classifier')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: 'Datasets' }));
    expect(
      await screen.findByText('Churn training snapshots'),
    ).toBeInTheDocument();
    const datasets = screen.getByRole('table', { name: 'Datasets' });
    expect(within(datasets).getByText('Format')).toBeInTheDocument();
    expect(within(datasets).getByText('parquet')).toBeInTheDocument();
    expect(catalog.queries().at(-1)!.searchParams.getAll('filter')).toEqual([
      'kind=Dataset',
    ]);

    await userEvent.click(screen.getByRole('tab', { name: 'Features' }));
    expect(await screen.findByText('Tenure in months')).toBeInTheDocument();
    const features = screen.getByRole('table', { name: 'Features' });
    expect(within(features).getByText('Source')).toBeInTheDocument();
    expect(
      within(features).getByRole('link', { name: /churn-training-snapshots/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/dataset/churn-training-snapshots',
    );
  });
});
