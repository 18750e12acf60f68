import { Entity } from '@backstage/catalog-model';
import {
  fullDataset,
  fullFeature,
  fullMLModel,
  mutate,
} from './__testUtils__/fixtures';
import { getMlopsSearchTerms } from './search';

describe('getMlopsSearchTerms', () => {
  it('finds a model by its tags, type, framework, intended use, metrics, serving target and lineage, each word once', () => {
    expect(getMlopsSearchTerms(fullMLModel)).toEqual([
      'churn',
      'xgboost',
      'classification',
      'Rank subscribers for retention offers.',
      'auc',
      'lambda',
      'churn-classifier',
      'churn-training-snapshots',
      'tenure-months',
      'monthly-charges',
    ]);
    const rayServed = mutate(fullMLModel, 'spec.serving', {
      target: 'ray-serve',
      application: 'churn-app',
    });
    expect(getMlopsSearchTerms(rayServed)).toEqual(
      expect.arrayContaining(['ray-serve', 'churn-app']),
    );
    expect(getMlopsSearchTerms(rayServed)).not.toContain('lambda');
  });

  it('uses the name of a full or namespaced reference and skips a malformed one', () => {
    const model = mutate(fullMLModel, 'spec.trainedOn', [
      'dataset:risk/card-transactions',
      'a:b:c/d/e',
    ]);
    const terms = getMlopsSearchTerms(model);
    expect(terms).toContain('card-transactions');
    expect(terms.some(t => t.includes('a:b'))).toBe(false);
  });

  it('finds a dataset by its type, format, columns and target', () => {
    expect(getMlopsSearchTerms(fullDataset)).toEqual([
      'tabular',
      'csv',
      'customer_id',
      'tenure_months',
      'churned',
    ]);
    const renamedTarget = mutate(fullDataset, 'spec.schema.target', 'label');
    expect(getMlopsSearchTerms(renamedTarget)).toContain('label');
  });

  it('finds a feature by its type, group, entity and source dataset', () => {
    expect(getMlopsSearchTerms(fullFeature)).toEqual([
      'numerical',
      'customer_profile',
      'customer',
      'customer_id',
      'churn-training-snapshots',
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
