import { screen, within } from '@testing-library/react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { renderEntityCard } from '../../__testUtils__/renderEntityCard';
import {
  churnCatalog,
  churnDataset,
  churnModel,
} from '../../__testUtils__/fixtures';
import { DatasetSchemaCard } from './DatasetSchemaCard';
import { DatasetUsageCard } from './DatasetUsageCard';

describe('DatasetSchemaCard', () => {
  it('shows where the data lives and each column with its type', async () => {
    await renderEntityCard(<DatasetSchemaCard />, {
      entity: churnDataset,
      catalog: churnCatalog,
    });

    expect(screen.getByText('tabular')).toBeInTheDocument();
    expect(screen.getByText('parquet')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /data\.example\.com\/churn/ }),
    ).toHaveAttribute('href', 'https://data.example.com/churn/');

    const schema = screen.getByRole('table', { name: 'Schema' });
    const rows = within(schema).getAllByRole('row').slice(1);
    expect(rows.map(row => row.textContent)).toEqual([
      'tenure_monthsnumericalWhole months since the start.',
      'contract_typecategorical',
      'churnedtargetbooleanLabel.',
    ]);
  });

  it('shows a relative location as text and says when there is no schema', async () => {
    const local = {
      ...churnDataset,
      spec: {
        ...churnDataset.spec,
        location: '../data/churn.csv',
        schema: undefined,
      },
    };
    await renderEntityCard(<DatasetSchemaCard />, {
      entity: local,
      catalog: [],
    });

    expect(screen.getByText('../data/churn.csv')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(screen.getByText('No schema declared.')).toBeInTheDocument();
  });

  it('refuses politely on an entity that is not a dataset', async () => {
    await renderEntityCard(<DatasetSchemaCard />, {
      entity: churnModel,
      catalog: [],
    });
    expect(
      screen.getByText('This entity is not a Dataset.'),
    ).toBeInTheDocument();
  });
});

describe('DatasetUsageCard', () => {
  it('lists the features derived from the dataset and the models trained on it', async () => {
    await renderEntityCard(<DatasetUsageCard />, {
      entity: churnDataset,
      catalog: churnCatalog,
    });

    const features = await screen.findByRole('list', {
      name: 'Features derived from it',
    });
    expect(
      within(features).getByRole('link', { name: /Tenure in months/ }),
    ).toHaveAttribute('href', '/catalog/default/feature/tenure-months');

    const models = await screen.findByRole('list', {
      name: 'Models trained on it',
    });
    expect(
      within(models).getByRole('link', { name: /Churn classifier/ }),
    ).toBeInTheDocument();
    expect(
      within(models).getByText('mlmodel:deleted-model'),
    ).toBeInTheDocument();
    expect(within(models).getByText('(not in catalog)')).toBeInTheDocument();
  });

  it('says when nothing is built from the dataset', async () => {
    await renderEntityCard(<DatasetUsageCard />, {
      entity: { ...churnDataset, relations: [] },
      catalog: [],
    });

    expect(
      screen.getByText('No features are derived from this dataset.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No models are trained on this dataset.'),
    ).toBeInTheDocument();
  });

  it('reports a failed catalog lookup in place of the list', async () => {
    await renderEntityCard(<DatasetUsageCard />, {
      entity: churnDataset,
      catalog: [],
      extraApis: [
        [
          catalogApiRef,
          catalogApiMock.mock({
            getEntitiesByRefs: async () => {
              throw new Error('catalog unavailable');
            },
          }),
        ],
      ],
    });

    expect(
      await screen.findByText(
        'Could not look up models trained on it: catalog unavailable',
      ),
    ).toBeInTheDocument();
  });
});
