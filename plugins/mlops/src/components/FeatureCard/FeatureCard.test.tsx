import { screen, within } from '@testing-library/react';
import { renderEntityCard } from '../../__testUtils__/renderEntityCard';
import {
  churnCatalog,
  churnDataset,
  tenureFeature,
} from '../../__testUtils__/fixtures';
import { FeatureCard } from './FeatureCard';

describe('FeatureCard', () => {
  it('shows the type, definition, source dataset and the models using the feature', async () => {
    await renderEntityCard(<FeatureCard />, {
      entity: tenureFeature,
      catalog: churnCatalog,
    });

    expect(screen.getByText('numerical')).toBeInTheDocument();
    expect(
      screen.getByText('customer (join key customer_id)'),
    ).toBeInTheDocument();
    expect(screen.getByText('customer_profile')).toBeInTheDocument();
    expect(
      screen.getByText("date_diff('month', subscription_start, snapshot_date)"),
    ).toBeInTheDocument();

    const source = await screen.findByRole('list', { name: 'Source dataset' });
    expect(
      within(source).getByRole('link', { name: /Churn training snapshots/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/dataset/churn-training-snapshots',
    );

    const models = await screen.findByRole('list', { name: 'Models using it' });
    expect(
      within(models).getByRole('link', { name: /Churn classifier/ }),
    ).toBeInTheDocument();
  });

  it('shows a source dataset missing from the catalog as an unresolved reference', async () => {
    const orphan = {
      ...tenureFeature,
      spec: { ...tenureFeature.spec, source: 'vanished-dataset' },
      relations: [
        {
          type: 'mlopsDerivedFrom',
          targetRef: 'dataset:default/vanished-dataset',
        },
      ],
    };
    await renderEntityCard(<FeatureCard />, {
      entity: orphan,
      catalog: churnCatalog,
    });

    const source = await screen.findByRole('list', { name: 'Source dataset' });
    expect(
      within(source).getByText('dataset:vanished-dataset'),
    ).toBeInTheDocument();
    expect(within(source).queryByRole('link')).not.toBeInTheDocument();
    expect(screen.getByText('No models use this feature.')).toBeInTheDocument();
  });

  it('refuses politely on an entity that is not a feature', async () => {
    await renderEntityCard(<FeatureCard />, {
      entity: churnDataset,
      catalog: [],
    });
    expect(
      screen.getByText('This entity is not a Feature.'),
    ).toBeInTheDocument();
  });
});
