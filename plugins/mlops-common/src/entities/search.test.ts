import { Entity } from '@backstage/catalog-model';
import {
  fullDataset,
  fullFeature,
  fullMLModel,
  mutate,
} from './__testUtils__/fixtures';
import { getMlopsSearchTerms } from './search';

describe('getMlopsSearchTerms', () => {
  it('finds a model by its tags, type, framework, intended use and serving target', () => {
    expect(getMlopsSearchTerms(fullMLModel)).toEqual([
      'churn',
      'xgboost',
      'classification',
      'xgboost',
      'Rank subscribers for retention offers.',
      'lambda',
      'churn-classifier',
    ]);
    const rayServed = mutate(fullMLModel, 'spec.serving', {
      target: 'ray-serve',
      application: 'churn-app',
    });
    expect(getMlopsSearchTerms(rayServed)).toEqual(
      expect.arrayContaining(['ray-serve', 'churn-app']),
    );
  });

  it('finds a dataset by its type, format and columns', () => {
    expect(getMlopsSearchTerms(fullDataset)).toEqual([
      'tabular',
      'csv',
      'customer_id',
      'tenure_months',
      'churned',
    ]);
  });

  it('finds a feature by its type, group and entity', () => {
    expect(getMlopsSearchTerms(fullFeature)).toEqual([
      'numerical',
      'customer_profile',
      'customer',
      'customer_id',
    ]);
  });

  it('returns the tags of other entities and skips missing fields', () => {
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'c', tags: ['python'] },
      spec: { type: 'service' },
    };
    expect(getMlopsSearchTerms(component)).toEqual(['python']);
    const bare = mutate(
      mutate(fullMLModel, 'spec', {
        type: 'other',
        lifecycle: 'x',
        owner: 'y',
      }),
      'metadata.tags',
      undefined,
    );
    expect(getMlopsSearchTerms(bare)).toEqual(['other']);
  });
});
