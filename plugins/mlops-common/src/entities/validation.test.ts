import { MLMODEL_KIND } from './constants';
import { fullMLModel, mutate } from './__testUtils__/fixtures';
import { mlModelEntityV1alpha1Schema } from './MLModelEntityV1alpha1';
import { createMlopsKindValidator, readEntityPath } from './validation';

describe('createMlopsKindValidator', () => {
  it('needs a schema that names its kinds and apiVersions', () => {
    expect(() =>
      createMlopsKindValidator(MLMODEL_KIND, { allOf: [{ $ref: 'Entity' }] }),
    ).toThrow('The schema has no enum for kind in its allOf parts');
  });

  it('answers false for data that is not of its kind', async () => {
    const validator = createMlopsKindValidator(
      MLMODEL_KIND,
      mlModelEntityV1alpha1Schema,
    );
    await expect(validator.check(mutate(fullMLModel, 'kind', 3))).resolves.toBe(
      false,
    );
    await expect(
      validator.check(mutate(fullMLModel, 'apiVersion', undefined)),
    ).resolves.toBe(false);
    await expect(validator.check(fullMLModel)).resolves.toBe(true);
  });

  it('names an entity without a usable name', async () => {
    const validator = createMlopsKindValidator(
      MLMODEL_KIND,
      mlModelEntityV1alpha1Schema,
    );
    await expect(
      validator.check(mutate(fullMLModel, 'metadata', {})),
    ).rejects.toThrow(
      "Invalid MLModel entity mlmodel:default/<unnamed>: /metadata must have required property 'name'",
    );
  });
});

describe('readEntityPath', () => {
  it('reads strings and string arrays with their JSON pointers', () => {
    expect(readEntityPath(fullMLModel, 'spec.owner')).toEqual([
      { value: 'customer-ml', pointer: '/spec/owner' },
    ]);
    expect(readEntityPath(fullMLModel, 'spec.serving.providesApis')).toEqual([
      {
        value: 'churn-prediction-api',
        pointer: '/spec/serving/providesApis/0',
      },
    ]);
  });

  it('skips missing paths and values that are not strings', () => {
    expect(readEntityPath(fullMLModel, 'spec.serving.missing.deeper')).toEqual(
      [],
    );
    expect(readEntityPath(fullMLModel, 'spec.modelCard')).toEqual([]);
    expect(
      readEntityPath(
        mutate(fullMLModel, 'spec.trainedOn', ['a', 3, 'b']),
        'spec.trainedOn',
      ),
    ).toEqual([
      { value: 'a', pointer: '/spec/trainedOn/0' },
      { value: 'b', pointer: '/spec/trainedOn/2' },
    ]);
  });
});
