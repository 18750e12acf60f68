import { Entity } from '@backstage/catalog-model';

const API_VERSION = 'mlops.synth.dev/v1alpha1';

/** An MLModel as the example catalog writes one. */
export const churnModel: Entity = {
  apiVersion: API_VERSION,
  kind: 'MLModel',
  metadata: {
    name: 'churn-classifier',
    title: 'Churn classifier',
    description: 'Predicts the probability that a subscriber cancels.',
    tags: ['churn', 'retention'],
  },
  spec: {
    type: 'classification',
    lifecycle: 'production',
    owner: 'customer-ml',
    framework: 'xgboost',
    modelCard: {
      intendedUse: 'Target retention offers.',
      metrics: [{ name: 'roc_auc', value: 0.87 }],
    },
    trainedOn: ['churn-training-snapshots'],
    features: ['tenure-months', 'feature:default/monthly-charges'],
    serving: {
      target: 'lambda',
      functionName: 'churn-scorer',
      alias: 'live',
    },
  },
};

export const churnDataset: Entity = {
  apiVersion: API_VERSION,
  kind: 'Dataset',
  metadata: {
    name: 'churn-training-snapshots',
    description: 'Monthly subscriber snapshots labelled with churn.',
    tags: ['subscribers'],
  },
  spec: {
    type: 'tabular',
    lifecycle: 'production',
    owner: 'customer-ml',
    location: '/data/churn.csv',
    format: 'parquet',
    schema: {
      columns: [
        { name: 'customer_id', type: 'categorical' },
        { name: 'monthly_charges', type: 'numerical' },
        { name: 'contract_type', type: 'categorical' },
        { name: 'churned', type: 'boolean' },
      ],
      target: 'churned',
    },
  },
};

export const tenureFeature: Entity = {
  apiVersion: API_VERSION,
  kind: 'Feature',
  metadata: { name: 'tenure-months' },
  spec: {
    type: 'numerical',
    lifecycle: 'production',
    owner: 'customer-ml',
    source: 'dataset:default/churn-training-snapshots',
    entity: { name: 'customer', joinKey: 'customer_id' },
    group: 'customer_profile',
  },
};

/** A Component with tags, which this module leaves to the default transformer. */
export const paymentsService: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-service',
    description: 'Takes card payments.',
    tags: ['kotlin'],
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments' },
};
