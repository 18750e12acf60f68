import { MLOPS_API_VERSION_V1ALPHA1 } from './constants';
import {
  featureEntityV1alpha1Validator as validator,
  isFeatureEntity,
} from './FeatureEntityV1alpha1';
import { fullFeature, mutate } from './__testUtils__/fixtures';

const PREFIX = 'Invalid Feature entity feature:default/tenure-months: ';

describe('featureEntityV1alpha1Validator', () => {
  it('accepts an entity that uses every field', async () => {
    await expect(validator.check(fullFeature)).resolves.toBe(true);
  });

  it('accepts a minimal entity', async () => {
    await expect(
      validator.check({
        apiVersion: MLOPS_API_VERSION_V1ALPHA1,
        kind: 'Feature',
        metadata: { name: 'f' },
        spec: {
          type: 'boolean',
          lifecycle: 'experimental',
          owner: 'team-a',
          source: 'dataset:events',
          entity: { name: 'customer', joinKey: 'customer_id' },
        },
      }),
    ).resolves.toBe(true);
  });

  it.each([
    ['another kind', 'kind', 'MLModel'],
    ['another apiVersion', 'apiVersion', 'feast.dev/v1'],
  ])('ignores %s', async (_name, path, value) => {
    await expect(
      validator.check(mutate(fullFeature, path, value)),
    ).resolves.toBe(false);
  });

  it.each<[string, unknown]>([
    ...[
      'numerical',
      'categorical',
      'boolean',
      'text',
      'datetime',
      'embedding',
    ].map(t => ['spec.type', t] as [string, unknown]),
    ['spec.source', 'dataset:ml/churn-training-snapshots'],
    ['spec.owner', 'user:guest'],
    ['spec.group', undefined],
    ['spec.transformation', undefined],
    ['spec.system', undefined],
  ])('accepts %s = %j', async (path, value) => {
    await expect(
      validator.check(mutate(fullFeature, path, value)),
    ).resolves.toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['spec', 'churn', '/spec must be object'],
    ['spec.type', undefined, "/spec must have required property 'type'"],
    [
      'spec.lifecycle',
      undefined,
      "/spec must have required property 'lifecycle'",
    ],
    ['spec.owner', undefined, "/spec must have required property 'owner'"],
    ['spec.source', undefined, "/spec must have required property 'source'"],
    ['spec.entity', undefined, "/spec must have required property 'entity'"],
    [
      'spec.view',
      'x',
      '/spec must NOT have additional properties - additionalProperty: view',
    ],
    [
      'spec.type',
      'float',
      '/spec/type must be equal to one of the allowed values',
    ],
    [
      'spec.lifecycle',
      '',
      '/spec/lifecycle must NOT have fewer than 1 characters',
    ],
    [
      'spec.owner',
      'api:churn',
      '/spec/owner must reference an entity of kind Group or User',
    ],
    [
      'spec.system',
      'component:x',
      '/spec/system must reference an entity of kind System',
    ],
    [
      'spec.source',
      'mlmodel:churn-classifier',
      '/spec/source must reference an entity of kind Dataset',
    ],
    ['spec.source', 'dataset:a/b/c', '/spec/source must match pattern'],
    [
      'spec.source',
      ['churn-training-snapshots'],
      '/spec/source must be string',
    ],
    [
      'spec.entity.name',
      undefined,
      "/spec/entity must have required property 'name'",
    ],
    [
      'spec.entity.joinKey',
      undefined,
      "/spec/entity must have required property 'joinKey'",
    ],
    ['spec.entity.name', 'a customer', '/spec/entity/name must match pattern'],
    [
      'spec.entity.joinKey',
      'customer-id',
      '/spec/entity/joinKey must match pattern',
    ],
    [
      'spec.entity.valueType',
      'string',
      '/spec/entity must NOT have additional properties',
    ],
    ['spec.entity', 'customer', '/spec/entity must be object'],
    ['spec.group', 'customer profile', '/spec/group must match pattern'],
    [
      'spec.transformation',
      '',
      '/spec/transformation must NOT have fewer than 1 characters',
    ],
  ])('rejects %s = %j', async (path, value, expected) => {
    await expect(
      validator.check(mutate(fullFeature, path, value)),
    ).rejects.toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringContaining(`${PREFIX}${expected}`),
      }),
    );
  });
});

describe('isFeatureEntity', () => {
  it('recognises Feature entities of the mlops group only', () => {
    expect(isFeatureEntity(fullFeature)).toBe(true);
    expect(isFeatureEntity(mutate(fullFeature, 'kind', 'Dataset'))).toBe(false);
    expect(
      isFeatureEntity(mutate(fullFeature, 'apiVersion', 'feast.dev/v1')),
    ).toBe(false);
  });
});
