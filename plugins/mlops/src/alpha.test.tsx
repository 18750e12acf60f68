import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  DefaultCatalogGraphApi,
  catalogGraphApiRef,
  catalogGraphRouteRef,
} from '@backstage/plugin-catalog-graph';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen, within } from '@testing-library/react';
import mlopsPlugin, {
  datasetSchemaEntityCard,
  datasetUsageEntityCard,
  featureEntityCard,
  healthEntityContent,
  lineageEntityCard,
  lineageEntityContent,
  mlCatalogPage,
  modelCardEntityCard,
} from './alpha';
import { MlopsApi, mlopsApiRef } from './api';
import {
  churnCatalog,
  churnDataset,
  churnModel,
  tenureFeature,
} from './__testUtils__/fixtures';
import { modelHealth } from './__testUtils__/health';
import { partialMlopsApi } from './__testUtils__/mlopsApi';

const mlopsApi: MlopsApi = partialMlopsApi({
  getModelHealth: async () => modelHealth('degraded', ['slow']),
  queryModelHealth: async refs =>
    refs.map(ref => ({
      entityRef: String(ref),
      health: modelHealth('degraded', ['slow'], String(ref)),
    })),
});

const apis = [
  [catalogApiRef, catalogApiMock({ entities: churnCatalog })],
  [mlopsApiRef, mlopsApi],
  [catalogGraphApiRef, new DefaultCatalogGraphApi()],
] as const;

// The lineage card links to the catalog graph page of the catalog-graph plugin.
const mountedRoutes = { '/catalog-graph': catalogGraphRouteRef };
// Without the catalog plugin in the test app, entity links need their route.
const pageRoutes = {
  ...mountedRoutes,
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};

const entityCards = [
  modelCardEntityCard,
  datasetSchemaEntityCard,
  datasetUsageEntityCard,
  featureEntityCard,
  lineageEntityCard,
];

describe('mlops plugin on the new frontend system', () => {
  beforeAll(() => {
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  it('is the default export of /alpha', () => {
    expect(mlopsPlugin.pluginId).toBe('mlops');
  });

  it('serves the ML catalog at /ml', async () => {
    await renderTestApp({
      features: [mlopsPlugin],
      initialRouteEntries: ['/ml'],
      apis,
      mountedRoutes: pageRoutes,
    });

    // A whole app boots and loads the page lazily: allow more than the default second.
    const table = await screen.findByRole(
      'table',
      { name: 'Models' },
      { timeout: 10_000 },
    );
    expect(
      await within(table).findByText('Churn classifier'),
    ).toBeInTheDocument();
    expect(await within(table).findByText('degraded')).toBeInTheDocument();
  });

  it('puts the page in the sidebar as "ML Catalog"', () => {
    const tester = createExtensionTester(mlCatalogPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/ml');
    expect(tester.get(coreExtensionData.title)).toBe('ML Catalog');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
  });

  it('shows the model card and lineage, and no dataset or feature card, on a model page', async () => {
    await renderTestApp({
      extensions: [
        createTestEntityPage({ entity: churnModel }),
        ...entityCards,
      ],
      apis,
      mountedRoutes,
    });

    expect(
      await screen.findByText('Model card', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Lineage')).toBeInTheDocument();
    expect(screen.queryByText('Dataset schema')).not.toBeInTheDocument();
    expect(screen.queryByText('Used by')).not.toBeInTheDocument();
    expect(screen.queryByText('Source dataset')).not.toBeInTheDocument();
  });

  it('shows the schema, usage and lineage cards on a dataset page', async () => {
    await renderTestApp({
      extensions: [
        createTestEntityPage({ entity: churnDataset }),
        ...entityCards,
      ],
      apis,
      mountedRoutes,
    });

    expect(
      await screen.findByText('Dataset schema', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Used by')).toBeInTheDocument();
    expect(await screen.findByText('Lineage')).toBeInTheDocument();
    expect(screen.queryByText('Model card')).not.toBeInTheDocument();
  });

  it('shows the feature and lineage cards on a feature page', async () => {
    await renderTestApp({
      extensions: [
        createTestEntityPage({ entity: tenureFeature }),
        ...entityCards,
      ],
      apis,
      mountedRoutes,
    });

    expect(
      await screen.findByRole(
        'list',
        { name: 'Source dataset' },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('Lineage')).toBeInTheDocument();
    expect(screen.queryByText('Model card')).not.toBeInTheDocument();
  });

  it('offers a Lineage tab with the graph on ML entities', async () => {
    await renderTestApp({
      extensions: [
        createTestEntityPage({ entity: churnDataset }),
        lineageEntityContent,
      ],
      apis,
      mountedRoutes,
    });

    expect(
      await screen.findByText('Lineage', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Tenure in months')).toBeInTheDocument();
    expect(await screen.findByText('Churn classifier')).toBeInTheDocument();
  });

  it('adds nothing to the page of an entity outside the ML catalog', async () => {
    // A card for every entity, to know when the page has rendered its cards.
    const everyEntityCard = EntityCardBlueprint.make({
      name: 'control',
      params: {
        loader: async () => <div>Control card</div>,
      },
    });
    await renderTestApp({
      extensions: [
        everyEntityCard,
        createTestEntityPage({
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'web' },
            spec: { type: 'website', lifecycle: 'production', owner: 'x' },
          },
        }),
        ...entityCards,
      ],
      apis,
      mountedRoutes,
    });

    expect(
      await screen.findByText('Control card', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Lineage')).not.toBeInTheDocument();
    expect(screen.queryByText('Model card')).not.toBeInTheDocument();
    expect(screen.queryByText('Dataset schema')).not.toBeInTheDocument();
  });

  it('offers a Health tab on models and not on datasets', async () => {
    const healthApis = [
      ...apis,
      [permissionApiRef, mockApis.permission()],
    ] as const;
    const { unmount } = await renderTestApp({
      extensions: [
        createTestEntityPage({ entity: churnModel }),
        healthEntityContent,
      ],
      apis: healthApis,
      mountedRoutes,
    });

    // The tab's content: the status from the backend, and a panel whose
    // request this test's API does not answer says so instead of going blank.
    expect(
      await screen.findByText('Model health', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('degraded')).toBeInTheDocument();
    expect(await screen.findByText(/Training runs: Error/)).toBeInTheDocument();
    unmount();

    await renderTestApp({
      extensions: [
        createTestEntityPage({ entity: churnDataset }),
        healthEntityContent,
        lineageEntityContent,
      ],
      apis: healthApis,
      mountedRoutes,
    });
    expect(
      await screen.findByText('Lineage', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Health')).not.toBeInTheDocument();
    expect(screen.queryByText('Model health')).not.toBeInTheDocument();
  });
});
