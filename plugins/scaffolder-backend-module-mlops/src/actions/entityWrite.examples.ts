import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Write an MLModel served by a Lambda alias, trained on a Dataset, with the API of its endpoint',
    example: yaml.stringify({
      steps: [
        {
          id: 'write-model',
          action: 'mlops:entity:write',
          name: 'Write catalog-info.yaml',
          input: {
            entities: [
              {
                apiVersion: 'mlops.synth.dev/v1alpha1',
                kind: 'MLModel',
                metadata: {
                  name: 'churn-lite',
                  description: 'Predicts churn from usage and billing data.',
                },
                spec: {
                  type: 'classification',
                  lifecycle: 'experimental',
                  owner: 'group:default/customer-ml',
                  framework: 'scikit-learn',
                  trainedOn: ['dataset:default/churn-training-snapshots'],
                  training: {
                    entrypoint: 'python train.py',
                    workingDir: '.',
                  },
                  serving: {
                    target: 'lambda',
                    functionName: 'churn-lite',
                    alias: 'live',
                    providesApis: ['api:default/churn-lite-api'],
                  },
                },
              },
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'API',
                metadata: { name: 'churn-lite-api' },
                spec: {
                  type: 'openapi',
                  lifecycle: 'experimental',
                  owner: 'group:default/customer-ml',
                  definition:
                    'openapi: 3.0.3\ninfo:\n  title: churn-lite\n  version: 1.0.0\npaths: {}\n',
                },
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description: 'Write a Dataset with its column schema to a chosen file',
    example: yaml.stringify({
      steps: [
        {
          id: 'write-dataset',
          action: 'mlops:entity:write',
          name: 'Write the Dataset',
          input: {
            path: 'datasets/churn-snapshots.yaml',
            entities: [
              {
                apiVersion: 'mlops.synth.dev/v1alpha1',
                kind: 'Dataset',
                metadata: { name: 'churn-snapshots' },
                spec: {
                  type: 'tabular',
                  lifecycle: 'production',
                  owner: 'group:default/customer-ml',
                  location: './data/churn.csv',
                  format: 'csv',
                  schema: {
                    target: 'churned',
                    columns: [
                      { name: 'tenure_months', type: 'numerical' },
                      { name: 'churned', type: 'boolean' },
                    ],
                  },
                },
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description: 'Replace an existing file with a Feature',
    example: yaml.stringify({
      steps: [
        {
          id: 'write-feature',
          action: 'mlops:entity:write',
          name: 'Write the Feature',
          input: {
            overwrite: true,
            entities: [
              {
                apiVersion: 'mlops.synth.dev/v1alpha1',
                kind: 'Feature',
                metadata: { name: 'tenure-months' },
                spec: {
                  type: 'numerical',
                  lifecycle: 'production',
                  owner: 'group:default/customer-ml',
                  source: 'dataset:default/churn-snapshots',
                  entity: { name: 'customer', joinKey: 'customer_id' },
                },
              },
            ],
          },
        },
      ],
    }),
  },
];
