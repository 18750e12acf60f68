import { CatalogClient } from '@backstage/catalog-client';
import {
  DefaultCatalogGraphApi,
  catalogGraphApiRef,
  catalogGraphRouteRef,
} from '@backstage/plugin-catalog-graph';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  MockFetchApi,
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { Route, Routes } from 'react-router-dom';
import { setupServer } from 'msw/node';
import {
  EntityDatasetSchemaCard,
  EntityDatasetUsageCard,
  EntityFeatureCard,
  EntityMlLineageCard,
  EntityModelCard,
  MlCatalogPage,
  MlopsClient,
  mlopsApiRef,
  mlopsPlugin,
  rootRouteRef,
} from './index';
import { createFakeCatalog } from './__testUtils__/fakeCatalog';
import {
  churnCatalog,
  churnDataset,
  churnModel,
  tenureFeature,
} from './__testUtils__/fixtures';

const server = setupServer();
registerMswTestHooks(server);

const discoveryApi = mockApis.discovery({ baseUrl: 'http://backstage:7007' });
const fetchApi = new MockFetchApi();

function apis() {
  return [
    [catalogApiRef, new CatalogClient({ discoveryApi, fetchApi })],
    [mlopsApiRef, new MlopsClient({ discoveryApi, fetchApi })],
    [catalogGraphApiRef, new DefaultCatalogGraphApi()],
  ] as const;
}

const pageRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
  '/catalog-graph': catalogGraphRouteRef,
};
const mountedRoutes = { ...pageRoutes, '/ml': rootRouteRef };

describe('mlops plugin on the legacy frontend system', () => {
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  beforeEach(() => {
    const catalog = createFakeCatalog(churnCatalog);
    server.use(
      ...catalog.handlers,
      http.get('*/api/mlops/models/:namespace/:name/health', () =>
        HttpResponse.json({ status: 'healthy', reasons: [] }),
      ),
      http.post('*/api/mlops/health/query', async ({ request }) => {
        const { entityRefs } = (await request.json()) as {
          entityRefs: string[];
        };
        return HttpResponse.json({
          items: entityRefs.map(entityRef => ({
            entityRef,
            health: { status: 'healthy', reasons: [] },
          })),
        });
      }),
    );
  });

  it('is the mlops plugin and provides the mlops API', async () => {
    expect(mlopsPlugin.getId()).toBe('mlops');
    const [factory] = [...mlopsPlugin.getApis()];
    expect(factory.api).toBe(mlopsApiRef);
    const client = factory.factory({ discoveryApi, fetchApi });
    await expect(
      (client as MlopsClient).getModelHealth(
        'mlmodel:default/churn-classifier',
      ),
    ).resolves.toEqual({
      status: 'healthy',
      reasons: [],
      // What the answer leaves out reads as "none yet".
      lastRun: null,
      deployments: [],
      drift: null,
    });
  });

  it('renders the ML catalog page with its header', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis()}>
        <Routes>
          <Route path="/ml" element={<MlCatalogPage />} />
        </Routes>
      </TestApiProvider>,
      { mountedRoutes: pageRoutes, routeEntries: ['/ml'] },
    );

    expect(
      await screen.findByRole('heading', { name: 'ML Catalog' }),
    ).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Models' });
    expect(
      await within(table).findByText('Churn classifier'),
    ).toBeInTheDocument();
    expect(await within(table).findByText('healthy')).toBeInTheDocument();
  });

  it('renders the model card and lineage on a model page', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis()}>
        <EntityProvider entity={churnModel}>
          <EntityModelCard />
          <EntityMlLineageCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );

    expect(await screen.findByText('Model card')).toBeInTheDocument();
    expect(await screen.findByText('Lineage')).toBeInTheDocument();
    expect(
      await screen.findByRole('list', { name: 'Training datasets' }),
    ).toBeInTheDocument();
  });

  it('renders the dataset cards on a dataset page', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis()}>
        <EntityProvider entity={churnDataset}>
          <EntityDatasetSchemaCard />
          <EntityDatasetUsageCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );

    expect(
      await screen.findByRole('table', { name: 'Schema' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('list', { name: 'Models trained on it' }),
    ).toBeInTheDocument();
  });

  it('renders the feature card on a feature page', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis()}>
        <EntityProvider entity={tenureFeature}>
          <EntityFeatureCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes },
    );

    expect(
      await screen.findByRole('list', { name: 'Source dataset' }),
    ).toBeInTheDocument();
  });
});
