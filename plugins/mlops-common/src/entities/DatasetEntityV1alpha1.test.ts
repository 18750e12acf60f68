import { MLOPS_API_VERSION_V1ALPHA1 } from './constants';
import {
  datasetEntityV1alpha1Validator as validator,
  isDatasetEntity,
} from './DatasetEntityV1alpha1';
import { fullDataset, mutate } from './__testUtils__/fixtures';

const PREFIX =
  'Invalid Dataset entity dataset:default/churn-training-snapshots: ';

describe('datasetEntityV1alpha1Validator', () => {
  it('accepts an entity that uses every field', async () => {
    await expect(validator.check(fullDataset)).resolves.toBe(true);
  });

  it('accepts a minimal entity', async () => {
    await expect(
      validator.check({
        apiVersion: MLOPS_API_VERSION_V1ALPHA1,
        kind: 'Dataset',
        metadata: { name: 'd' },
        spec: {
          type: 'other',
          lifecycle: 'experimental',
          owner: 'team-a',
          location: 'https://data.example.com/d.parquet',
          format: 'parquet',
        },
      }),
    ).resolves.toBe(true);
  });

  it.each([
    ['another kind', 'kind', 'Feature'],
    ['another apiVersion', 'apiVersion', 'backstage.io/v1alpha1'],
  ])('ignores %s', async (_name, path, value) => {
    await expect(
      validator.check(mutate(fullDataset, path, value)),
    ).resolves.toBe(false);
  });

  it.each<[string, unknown]>([
    ...['tabular', 'timeseries', 'text', 'image', 'other'].map(
      t => ['spec.type', t] as [string, unknown],
    ),
    ...['csv', 'parquet', 'jsonl'].map(
      f => ['spec.format', f] as [string, unknown],
    ),
    ...['numerical', 'categorical', 'boolean', 'text', 'datetime'].map(
      t => ['spec.schema.columns.1.type', t] as [string, unknown],
    ),
    ['spec.location', 'https://github.com/acme/ml-data/blob/main/churn.csv'],
    ['spec.location', 's3://synth-ml/churn/'],
    ['spec.location', '/srv/data/churn.csv'],
    ['spec.location', '../data/churn.csv'],
    ['spec.owner', 'user:default/guest'],
    ['spec.schema.target', undefined],
    ['spec.schema.columns.0.description', undefined],
  ])('accepts %s = %j', async (path, value) => {
    await expect(
      validator.check(mutate(fullDataset, path, value)),
    ).resolves.toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['spec', 'churn', '/spec must be object'],
    ['spec.schema', ['customer_id'], '/spec/schema must be object'],
    ['spec.type', undefined, "/spec must have required property 'type'"],
    [
      'spec.lifecycle',
      undefined,
      "/spec must have required property 'lifecycle'",
    ],
    ['spec.owner', undefined, "/spec must have required property 'owner'"],
    [
      'spec.location',
      undefined,
      "/spec must have required property 'location'",
    ],
    ['spec.format', undefined, "/spec must have required property 'format'"],
    [
      'spec.path',
      './x.csv',
      '/spec must NOT have additional properties - additionalProperty: path',
    ],
    [
      'spec.type',
      'table',
      '/spec/type must be equal to one of the allowed values',
    ],
    [
      'spec.lifecycle',
      '',
      '/spec/lifecycle must NOT have fewer than 1 characters',
    ],
    ['spec.owner', 'team a', '/spec/owner must match pattern'],
    [
      'spec.owner',
      'system:customer-intelligence',
      '/spec/owner must reference an entity of kind Group or User',
    ],
    [
      'spec.system',
      'group:customer-ml',
      '/spec/system must reference an entity of kind System',
    ],
    ['spec.system', 'system:', '/spec/system must match pattern'],
    ['spec.location', 'data/churn.csv', '/spec/location must match pattern'],
    ['spec.location', 'https://', '/spec/location must match pattern'],
    ['spec.location', './my data.csv', '/spec/location must match pattern'],
    [
      'spec.location',
      '',
      '/spec/location must NOT have fewer than 1 characters',
    ],
    [
      'spec.format',
      'xlsx',
      '/spec/format must be equal to one of the allowed values',
    ],
    [
      'spec.schema.columns',
      undefined,
      "/spec/schema must have required property 'columns'",
    ],
    [
      'spec.schema.columns',
      [],
      '/spec/schema/columns must NOT have fewer than 1 items',
    ],
    [
      'spec.schema.primaryKey',
      'customer_id',
      '/spec/schema must NOT have additional properties',
    ],
    [
      'spec.schema.target',
      '',
      '/spec/schema/target must NOT have fewer than 1 characters',
    ],
    [
      'spec.schema.columns.0.name',
      undefined,
      "/spec/schema/columns/0 must have required property 'name'",
    ],
    [
      'spec.schema.columns.0.type',
      undefined,
      "/spec/schema/columns/0 must have required property 'type'",
    ],
    [
      'spec.schema.columns.0.name',
      '',
      '/spec/schema/columns/0/name must NOT have fewer than 1 characters',
    ],
    [
      'spec.schema.columns.0.type',
      'integer',
      '/spec/schema/columns/0/type must be equal to one of the allowed values',
    ],
    [
      'spec.schema.columns.0.description',
      '',
      '/spec/schema/columns/0/description must NOT have fewer than 1 characters',
    ],
    [
      'spec.schema.columns.0.nullable',
      true,
      '/spec/schema/columns/0 must NOT have additional properties',
    ],
    [
      'spec.schema.columns.1.name',
      'customer_id',
      '/spec/schema/columns must not declare the column "customer_id" more than once',
    ],
    [
      'spec.schema.target',
      'is_churned',
      '/spec/schema/target must name one of the columns, got "is_churned"',
    ],
  ])('rejects %s = %j', async (path, value, expected) => {
    await expect(
      validator.check(mutate(fullDataset, path, value)),
    ).rejects.toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringContaining(`${PREFIX}${expected}`),
      }),
    );
  });
});

describe('isDatasetEntity', () => {
  it('recognises Dataset entities of the mlops group only', () => {
    expect(isDatasetEntity(fullDataset)).toBe(true);
    expect(isDatasetEntity(mutate(fullDataset, 'kind', 'Feature'))).toBe(false);
    expect(
      isDatasetEntity(
        mutate(fullDataset, 'apiVersion', 'datahub.example.com/v1'),
      ),
    ).toBe(false);
  });
});
