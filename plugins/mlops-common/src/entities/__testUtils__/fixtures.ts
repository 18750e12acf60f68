import { Entity } from '@backstage/catalog-model';
import { MLOPS_API_VERSION_V1ALPHA1 } from '../constants';
import { DatasetEntityV1alpha1 } from '../DatasetEntityV1alpha1';
import { FeatureEntityV1alpha1 } from '../FeatureEntityV1alpha1';
import { MLModelEntityV1alpha1 } from '../MLModelEntityV1alpha1';

/**
 * Entities that use every field of their kind, shared by the tests of this
 * package. Not exported from the package.
 */
export const fullMLModel: MLModelEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'MLModel',
  metadata: {
    name: 'churn-classifier',
    description: 'Predicts which subscribers cancel within 30 days.',
    tags: ['churn', 'xgboost'],
  },
  spec: {
    type: 'classification',
    lifecycle: 'production',
    owner: 'customer-ml',
    system: 'customer-intelligence',
    framework: 'xgboost',
    modelCard: {
      intendedUse: 'Rank subscribers for retention offers.',
      limitations: 'Trained on EU subscribers only.',
      ethicalConsiderations: 'Does not use age or gender.',
      metrics: [
        {
          name: 'auc',
          value: 0.87,
          split: 'test',
          description: 'ROC AUC on the held-out month.',
        },
      ],
    },
    trainedOn: ['churn-training-snapshots'],
    features: ['tenure-months', 'feature:default/monthly-charges'],
    dependsOn: ['resource:default/churn-model-bucket'],
    training: {
      engine: 'ray',
      entrypoint: 'python train.py',
      workingDir: './training',
      runtimeEnv: {
        pip: ['xgboost==2.1.1', 'pandas==2.2.2'],
        env_vars: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' },
      },
      parameters: [
        {
          name: 'max_depth',
          type: 'integer',
          description: 'Maximum tree depth.',
          default: 6,
          minimum: 2,
          maximum: 12,
        },
        {
          name: 'learning_rate',
          type: 'number',
          default: 0.1,
          enum: [0.05, 0.1, 0.3],
        },
        {
          name: 'objective',
          type: 'string',
          default: 'binary:logistic',
          enum: ['binary:logistic', 'binary:hinge'],
        },
        { name: 'early_stopping', type: 'boolean', default: true },
      ],
    },
    serving: {
      target: 'lambda',
      functionName: 'churn-classifier',
      alias: 'live',
      region: 'eu-west-1',
      providesApis: ['churn-prediction-api'],
    },
    monitoring: {
      current: './data/churn-current.csv',
      format: 'csv',
      reference: 'dataset:default/churn-training-snapshots',
      executor: 'local',
      schedule: { frequency: 'PT6H' },
      thresholds: {
        driftShare: 0.5,
        columns: {
          monthly_charges: { method: 'ks', threshold: 0.05 },
          contract_type: { method: 'jensenshannon', threshold: 0.1 },
        },
      },
    },
  },
};

export const fullDataset: DatasetEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'Dataset',
  metadata: {
    name: 'churn-training-snapshots',
    description: 'Monthly subscriber snapshots labelled with churn.',
  },
  spec: {
    type: 'tabular',
    lifecycle: 'production',
    owner: 'customer-ml',
    system: 'customer-intelligence',
    location: './data/churn-reference.csv',
    format: 'csv',
    schema: {
      columns: [
        {
          name: 'customer_id',
          type: 'categorical',
          description: 'Subscriber id.',
        },
        { name: 'tenure_months', type: 'numerical' },
        { name: 'churned', type: 'boolean' },
      ],
      target: 'churned',
    },
  },
};

export const fullFeature: FeatureEntityV1alpha1 = {
  apiVersion: MLOPS_API_VERSION_V1ALPHA1,
  kind: 'Feature',
  metadata: {
    name: 'tenure-months',
    description: 'Whole months since the subscription started.',
  },
  spec: {
    type: 'numerical',
    lifecycle: 'production',
    owner: 'customer-ml',
    system: 'customer-intelligence',
    source: 'churn-training-snapshots',
    entity: { name: 'customer', joinKey: 'customer_id' },
    group: 'customer_profile',
    transformation: "date_diff('month', subscription_start, snapshot_date)",
  },
};

/**
 * Returns a deep copy of the entity with the value at a dot-separated path
 * replaced, or removed when the value is undefined. Numeric segments index
 * arrays.
 */
export function mutate<T extends Entity>(
  entity: T,
  path: string,
  value: unknown,
): T {
  const copy = structuredClone(entity);
  const segments = path.split('.');
  let current: any = copy;
  for (const segment of segments.slice(0, -1)) {
    current = current[segment];
  }
  const last = segments[segments.length - 1];
  if (value === undefined) {
    if (Array.isArray(current)) {
      current.splice(Number(last), 1);
    } else {
      delete current[last];
    }
  } else {
    current[last] = value;
  }
  return copy;
}
