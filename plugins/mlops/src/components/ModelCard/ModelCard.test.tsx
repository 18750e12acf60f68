import { screen, within } from '@testing-library/react';
import { renderEntityCard } from '../../__testUtils__/renderEntityCard';
import {
  churnCatalog,
  churnDataset,
  churnModel,
} from '../../__testUtils__/fixtures';
import { modelHealth } from '../../__testUtils__/health';
import { partialMlopsApi } from '../../__testUtils__/mlopsApi';
import { ModelCard } from './ModelCard';

describe('ModelCard', () => {
  it('shows the model card with its lineage, endpoints and links', async () => {
    await renderEntityCard(<ModelCard />, {
      entity: churnModel,
      catalog: churnCatalog,
      mlopsApi: partialMlopsApi({
        getModelHealth: async () => modelHealth('healthy', ['all checks pass']),
      }),
    });

    expect(
      screen.getByText('Predicts the probability that a subscriber cancels.'),
    ).toBeInTheDocument();
    expect(screen.getByText('classification')).toBeInTheDocument();
    expect(screen.getByText('xgboost')).toBeInTheDocument();
    expect(screen.getByText('production')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /customer-ml/ })).toHaveAttribute(
      'href',
      '/catalog/default/group/customer-ml',
    );
    expect(
      screen.getByText('Rank active subscribers by churn risk.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Unreliable for brand-new subscribers.'),
    ).toBeInTheDocument();
    expect(await screen.findByText('healthy')).toBeInTheDocument();

    const metrics = screen.getByRole('table', { name: 'Metrics' });
    expect(within(metrics).getByText('roc_auc')).toBeInTheDocument();
    expect(within(metrics).getByText('0.871')).toBeInTheDocument();
    expect(within(metrics).getByText('test')).toBeInTheDocument();

    const datasets = await screen.findByRole('list', {
      name: 'Training datasets',
    });
    expect(
      within(datasets).getByRole('link', { name: /Churn training snapshots/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/dataset/churn-training-snapshots',
    );
    // The second dataset is not in the catalog: shown, but not as a link.
    expect(within(datasets).getByText('(not in catalog)')).toBeInTheDocument();
    expect(
      within(datasets).getByText('dataset:retired-snapshots'),
    ).toBeInTheDocument();
    expect(within(datasets).getAllByRole('link')).toHaveLength(1);

    const features = await screen.findByRole('list', { name: 'Features' });
    expect(
      within(features).getByRole('link', { name: /Tenure in months/ }),
    ).toBeInTheDocument();

    expect(
      screen.getByText(
        'AWS Lambda function churn-classifier, alias live in eu-west-1.',
      ),
    ).toBeInTheDocument();
    const apis = await screen.findByRole('list', { name: 'Endpoint APIs' });
    expect(
      within(apis).getByRole('link', { name: /Churn prediction API/ }),
    ).toBeInTheDocument();

    expect(screen.getByRole('link', { name: /MLflow/ })).toHaveAttribute(
      'href',
      'https://mlflow.example.com/#/models/churn',
    );
    expect(screen.queryByText('Sneaky')).not.toBeInTheDocument();
  });

  it('lists references from the spec before the catalog has turned them into relations', async () => {
    const unprocessed = {
      ...churnModel,
      relations: [],
      spec: { ...churnModel.spec, trainedOn: ['churn-training-snapshots'] },
    };
    await renderEntityCard(<ModelCard />, {
      entity: unprocessed,
      catalog: churnCatalog,
    });

    const datasets = await screen.findByRole('list', {
      name: 'Training datasets',
    });
    expect(
      within(datasets).getByRole('link', { name: /Churn training snapshots/ }),
    ).toBeInTheDocument();
  });

  it('says what is missing from a sparse model', async () => {
    const sparse = {
      apiVersion: churnModel.apiVersion,
      kind: churnModel.kind,
      metadata: { name: 'bare-model', namespace: 'default' },
      spec: { type: 'other', lifecycle: 'experimental', owner: 'user:jane' },
    } as typeof churnModel;

    await renderEntityCard(<ModelCard />, { entity: sparse, catalog: [] });

    expect(screen.getByText('No description.')).toBeInTheDocument();
    expect(screen.getAllByText('Not documented.')).toHaveLength(2);
    expect(screen.getByText('No metrics recorded.')).toBeInTheDocument();
    expect(
      screen.getByText('No training datasets recorded.'),
    ).toBeInTheDocument();
    expect(screen.getByText('No features recorded.')).toBeInTheDocument();
    expect(screen.getByText('Not served.')).toBeInTheDocument();
    expect(screen.getByText('No links.')).toBeInTheDocument();
    expect(await screen.findByText('unknown')).toBeInTheDocument();
  });

  it('refuses politely on an entity that is not a model', async () => {
    await renderEntityCard(<ModelCard />, {
      entity: churnDataset,
      catalog: churnCatalog,
    });

    expect(
      screen.getByText('This entity is not an MLModel.'),
    ).toBeInTheDocument();
  });
});
