import { Entity } from '@backstage/catalog-model';
import {
  DatasetEntityV1alpha1,
  FeatureEntityV1alpha1,
  MLModelEntityV1alpha1,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';

/** A model trained on one existing and one missing dataset, served through an API. */
export const churnModel: MLModelEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'MLModel',
  metadata: {
    name: 'churn-classifier',
    namespace: 'default',
    title: 'Churn classifier',
    description: 'Predicts the probability that a subscriber cancels.',
    tags: ['churn'],
    links: [
      { url: 'https://mlflow.example.com/#/models/churn', title: 'MLflow' },
      // A link that must never be rendered (S20).
      // eslint-disable-next-line no-script-url
      { url: 'javascript:alert(1)', title: 'Sneaky' },
    ],
  },
  spec: {
    type: 'classification',
    lifecycle: 'production',
    owner: 'customer-ml',
    system: 'customer-intelligence',
    framework: 'xgboost',
    modelCard: {
      intendedUse: 'Rank active subscribers by churn risk.',
      limitations: 'Unreliable for brand-new subscribers.',
      metrics: [
        {
          name: 'roc_auc',
          value: 0.871,
          split: 'test',
          description: 'Held-out ROC AUC.',
        },
      ],
    },
    trainedOn: ['churn-training-snapshots', 'retired-snapshots'],
    features: ['tenure-months'],
    serving: {
      target: 'lambda',
      functionName: 'churn-classifier',
      alias: 'live',
      region: 'eu-west-1',
      providesApis: ['churn-prediction-api'],
    },
  },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/customer-ml' },
    {
      type: 'mlopsTrainedOn',
      targetRef: 'dataset:default/churn-training-snapshots',
    },
    { type: 'mlopsTrainedOn', targetRef: 'dataset:default/retired-snapshots' },
    {
      type: 'dependsOn',
      targetRef: 'dataset:default/churn-training-snapshots',
    },
    { type: 'mlopsUsesFeature', targetRef: 'feature:default/tenure-months' },
    { type: 'providesApi', targetRef: 'api:default/churn-prediction-api' },
  ],
};

export const churnDataset: DatasetEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'Dataset',
  metadata: {
    name: 'churn-training-snapshots',
    namespace: 'default',
    title: 'Churn training snapshots',
    description: 'Month-end snapshot of every active subscriber.',
  },
  spec: {
    type: 'tabular',
    lifecycle: 'production',
    owner: 'customer-ml',
    location: 'https://data.example.com/churn/',
    format: 'parquet',
    schema: {
      target: 'churned',
      columns: [
        {
          name: 'tenure_months',
          type: 'numerical',
          description: 'Whole months since the start.',
        },
        { name: 'contract_type', type: 'categorical' },
        { name: 'churned', type: 'boolean', description: 'Label.' },
      ],
    },
  },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/customer-ml' },
    { type: 'mlopsSourceOf', targetRef: 'feature:default/tenure-months' },
    {
      type: 'mlopsTrainingDatasetOf',
      targetRef: 'mlmodel:default/churn-classifier',
    },
    {
      type: 'mlopsTrainingDatasetOf',
      targetRef: 'mlmodel:default/deleted-model',
    },
  ],
};

export const tenureFeature: FeatureEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'Feature',
  metadata: {
    name: 'tenure-months',
    namespace: 'default',
    title: 'Tenure in months',
  },
  spec: {
    type: 'numerical',
    lifecycle: 'production',
    owner: 'customer-ml',
    source: 'churn-training-snapshots',
    entity: { name: 'customer', joinKey: 'customer_id' },
    group: 'customer_profile',
    transformation: "date_diff('month', subscription_start, snapshot_date)",
  },
  relations: [
    {
      type: 'mlopsDerivedFrom',
      targetRef: 'dataset:default/churn-training-snapshots',
    },
    {
      type: 'mlopsFeatureUsedBy',
      targetRef: 'mlmodel:default/churn-classifier',
    },
  ],
};

export const churnApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: {
    name: 'churn-prediction-api',
    namespace: 'default',
    title: 'Churn prediction API',
  },
  spec: {
    type: 'openapi',
    lifecycle: 'production',
    owner: 'customer-ml',
    definition: '{}',
  },
  relations: [
    { type: 'apiProvidedBy', targetRef: 'mlmodel:default/churn-classifier' },
  ],
};

export const customerMlGroup: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'customer-ml', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

/** Everything above: the churn lineage with one dangling reference each way. */
export const churnCatalog: Entity[] = [
  churnModel,
  churnDataset,
  tenureFeature,
  churnApi,
  customerMlGroup,
];

/** `count` generated models for pagination tests, with names model-001… */
export function generateModels(count: number): MLModelEntityV1alpha1[] {
  const owners = ['customer-ml', 'risk-ml', 'commerce-ml'];
  const lifecycles = ['production', 'experimental'];
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return {
      apiVersion: MLOPS_API_VERSION_V1ALPHA1,
      kind: 'MLModel',
      metadata: {
        name: `model-${n}`,
        namespace: 'default',
        title: `Model ${n}`,
        tags: i % 2 === 0 ? ['even'] : ['odd'],
      },
      spec: {
        type: i % 3 === 0 ? 'regression' : 'classification',
        lifecycle: lifecycles[i % lifecycles.length],
        owner: owners[i % owners.length],
        ...(i % 4 === 0 ? {} : { framework: 'xgboost' }),
      },
    };
  });
}
