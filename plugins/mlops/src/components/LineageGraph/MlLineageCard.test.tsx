import { Entity } from '@backstage/catalog-model';
import {
  DefaultCatalogGraphApi,
  catalogGraphApiRef,
  catalogGraphRouteRef,
} from '@backstage/plugin-catalog-graph';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { renderEntityCard } from '../../__testUtils__/renderEntityCard';
import {
  churnCatalog,
  churnDataset,
  churnModel,
  customerMlGroup,
} from '../../__testUtils__/fixtures';
import { MlLineageCard } from './MlLineageCard';

const Location = () => (
  <div data-testid="location">{useLocation().pathname}</div>
);

describe('MlLineageCard', () => {
  beforeAll(() => {
    // jsdom does not lay out SVG; the graph measures its node labels.
    Object.defineProperty(window.SVGElement.prototype, 'getBBox', {
      configurable: true,
      value: () => ({ x: 0, y: 0, width: 120, height: 20 }),
    });
  });

  async function renderLineage(entity: Entity = churnModel) {
    return renderEntityCard(
      <>
        <MlLineageCard />
        <Location />
      </>,
      {
        entity,
        catalog: churnCatalog,
        extraApis: [[catalogGraphApiRef, new DefaultCatalogGraphApi()]],
        extraRoutes: { '/catalog-graph': catalogGraphRouteRef },
      },
    );
  }

  it('draws the datasets, features and APIs around a model, and no other relations', async () => {
    await renderLineage();

    expect(await screen.findByText('Lineage')).toBeInTheDocument();
    // The graph lays out after the catalog answers and a short debounce.
    expect(
      await screen.findByText('Churn classifier', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Churn training snapshots'),
    ).toBeInTheDocument();
    expect(await screen.findByText('Tenure in months')).toBeInTheDocument();
    expect(await screen.findByText('Churn prediction API')).toBeInTheDocument();
    // Edges read as data flow.
    expect(screen.getByText('trains')).toBeInTheDocument();
    expect(screen.getByText('feeds')).toBeInTheDocument();
    expect(screen.getByText('serves')).toBeInTheDocument();
    // Ownership is not lineage.
    expect(
      screen.queryByText(customerMlGroup.metadata.name),
    ).not.toBeInTheDocument();
    // The missing dataset is left out of the graph instead of breaking it.
    expect(screen.queryByText(/retired-snapshots/)).not.toBeInTheDocument();
  });

  it('links each node to its entity page', async () => {
    await renderLineage(churnDataset);

    await userEvent.click(
      await screen.findByText('Tenure in months', {}, { timeout: 5000 }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        '/catalog/default/feature/tenure-months',
      ),
    );
  });

  it('links to the full catalog graph with the lineage relations selected', async () => {
    await renderLineage();

    const link = await screen.findByRole('link', { name: /View graph/ });
    const href = decodeURIComponent(link.getAttribute('href')!);
    expect(href).toContain('rootEntityRefs[]=mlmodel:default/churn-classifier');
    expect(href).toContain('selectedRelations[]=mlopsTrainedOn');
    expect(href).toContain('selectedKinds[]=Dataset');
  });
});
