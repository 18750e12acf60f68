import { Entity, entitySchemaValidator } from '@backstage/catalog-model';
import {
  mlopsReferenceFields,
  RELATION_MLOPS_DERIVED_FROM,
  RELATION_MLOPS_FEATURE_USED_BY,
  RELATION_MLOPS_SOURCE_OF,
  RELATION_MLOPS_TRAINED_ON,
  RELATION_MLOPS_TRAINING_DATASET_OF,
  RELATION_MLOPS_USES_FEATURE,
} from './relations';

const validateEntity = entitySchemaValidator();

function entityWithRelation(type: string): Entity {
  return {
    apiVersion: 'mlops.synth.dev/v1alpha1',
    kind: 'MLModel',
    metadata: { name: 'churn-classifier' },
    spec: {},
    relations: [{ type, targetRef: 'dataset:default/churn-snapshots' }],
  };
}

const relationTypes = [
  ...new Set(
    mlopsReferenceFields.flatMap(field =>
      field.relations.flatMap(pair => [pair.type, pair.reverse]),
    ),
  ),
];

describe('mlops relation types', () => {
  it('covers every custom relation constant', () => {
    expect(relationTypes).toEqual(
      expect.arrayContaining([
        RELATION_MLOPS_TRAINED_ON,
        RELATION_MLOPS_TRAINING_DATASET_OF,
        RELATION_MLOPS_USES_FEATURE,
        RELATION_MLOPS_FEATURE_USED_BY,
        RELATION_MLOPS_DERIVED_FROM,
        RELATION_MLOPS_SOURCE_OF,
      ]),
    );
  });

  it.each(relationTypes)(
    '%s passes the catalog entity schema (relation types are ^\\w+$)',
    type => {
      expect(() => validateEntity(entityWithRelation(type))).not.toThrow();
    },
  );

  it('the entity schema rejects a hyphenated relation type, which is why the prefix is camelCase', () => {
    expect(() => validateEntity(entityWithRelation('mlops-trainedOn'))).toThrow(
      /relations\/0\/type must match pattern/,
    );
  });

  it('prefixes the custom relations with mlops', () => {
    const custom = relationTypes.filter(t => t.startsWith('mlops'));
    expect(custom).toHaveLength(6);
    for (const type of custom) {
      expect(type).toMatch(/^mlops[A-Z][A-Za-z]+$/);
    }
  });
});
