import {
  RELATION_API_PROVIDED_BY,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_HAS_PART,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PART_OF,
  RELATION_PROVIDES_API,
} from '@backstage/catalog-model';
import {
  DATASET_KIND,
  FEATURE_KIND,
  MLMODEL_KIND,
  MlopsKind,
} from './constants';

/**
 * An MLModel was trained on a Dataset. Reverse of
 * {@link RELATION_MLOPS_TRAINING_DATASET_OF}.
 *
 * @public
 */
export const RELATION_MLOPS_TRAINED_ON = 'mlopsTrainedOn';

/**
 * A Dataset was used to train an MLModel. Reverse of
 * {@link RELATION_MLOPS_TRAINED_ON}.
 *
 * @public
 */
export const RELATION_MLOPS_TRAINING_DATASET_OF = 'mlopsTrainingDatasetOf';

/**
 * An MLModel uses a Feature as an input. Reverse of
 * {@link RELATION_MLOPS_FEATURE_USED_BY}.
 *
 * @public
 */
export const RELATION_MLOPS_USES_FEATURE = 'mlopsUsesFeature';

/**
 * A Feature is an input of an MLModel. Reverse of
 * {@link RELATION_MLOPS_USES_FEATURE}.
 *
 * @public
 */
export const RELATION_MLOPS_FEATURE_USED_BY = 'mlopsFeatureUsedBy';

/**
 * A Feature is computed from a Dataset. Reverse of
 * {@link RELATION_MLOPS_SOURCE_OF}.
 *
 * @public
 */
export const RELATION_MLOPS_DERIVED_FROM = 'mlopsDerivedFrom';

/**
 * A Dataset is the source of a Feature. Reverse of
 * {@link RELATION_MLOPS_DERIVED_FROM}.
 *
 * @public
 */
export const RELATION_MLOPS_SOURCE_OF = 'mlopsSourceOf';

/**
 * A relation type together with the type of its reverse.
 *
 * @public
 */
export interface MlopsRelationPair {
  /** The relation from the entity that holds the reference to the target. */
  type: string;
  /** The relation from the target back to the entity. */
  reverse: string;
}

/**
 * A field of an mlops entity that holds entity references, and the relations
 * the catalog emits for each of them.
 *
 * @public
 */
export interface MlopsReferenceField {
  /** The kind whose spec holds the field. */
  kind: MlopsKind;
  /** Dot-separated path to a string or an array of strings, e.g. `spec.trainedOn`. */
  path: string;
  /** The kind assumed when a reference omits it; a reference without a kind is rejected when unset. */
  defaultKind?: string;
  /** The kinds a reference may point at; any kind when unset. Compared case-insensitively. */
  allowedKinds?: string[];
  /** The relations emitted for every reference, each in both directions. */
  relations: MlopsRelationPair[];
}

const OWNERSHIP: MlopsRelationPair = {
  type: RELATION_OWNED_BY,
  reverse: RELATION_OWNER_OF,
};
const SYSTEM: MlopsRelationPair = {
  type: RELATION_PART_OF,
  reverse: RELATION_HAS_PART,
};
const DEPENDENCY: MlopsRelationPair = {
  type: RELATION_DEPENDS_ON,
  reverse: RELATION_DEPENDENCY_OF,
};

function commonFields(kind: MlopsKind): MlopsReferenceField[] {
  return [
    {
      kind,
      path: 'spec.owner',
      defaultKind: 'Group',
      allowedKinds: ['Group', 'User'],
      relations: [OWNERSHIP],
    },
    {
      kind,
      path: 'spec.system',
      defaultKind: 'System',
      allowedKinds: ['System'],
      relations: [SYSTEM],
    },
  ];
}

/**
 * Every field of the MLModel, Dataset and Feature kinds that holds entity
 * references, with the kinds it accepts and the relations it produces. The
 * processor emits relations from this table and the validators check
 * reference kinds against it, so it is the single description of the graph
 * (and the `relationFields` of a future catalog model layer).
 *
 * References without a namespace inherit the namespace of the entity.
 *
 * @public
 */
export const mlopsReferenceFields: ReadonlyArray<MlopsReferenceField> = [
  ...commonFields(MLMODEL_KIND),
  {
    kind: MLMODEL_KIND,
    path: 'spec.trainedOn',
    defaultKind: DATASET_KIND,
    allowedKinds: [DATASET_KIND],
    relations: [
      {
        type: RELATION_MLOPS_TRAINED_ON,
        reverse: RELATION_MLOPS_TRAINING_DATASET_OF,
      },
      DEPENDENCY,
    ],
  },
  {
    kind: MLMODEL_KIND,
    path: 'spec.features',
    defaultKind: FEATURE_KIND,
    allowedKinds: [FEATURE_KIND],
    relations: [
      {
        type: RELATION_MLOPS_USES_FEATURE,
        reverse: RELATION_MLOPS_FEATURE_USED_BY,
      },
      DEPENDENCY,
    ],
  },
  {
    kind: MLMODEL_KIND,
    path: 'spec.dependsOn',
    relations: [DEPENDENCY],
  },
  {
    kind: MLMODEL_KIND,
    path: 'spec.serving.providesApis',
    defaultKind: 'API',
    allowedKinds: ['API'],
    relations: [
      { type: RELATION_PROVIDES_API, reverse: RELATION_API_PROVIDED_BY },
    ],
  },
  {
    kind: MLMODEL_KIND,
    path: 'spec.monitoring.reference',
    defaultKind: DATASET_KIND,
    allowedKinds: [DATASET_KIND],
    relations: [],
  },
  ...commonFields(DATASET_KIND),
  ...commonFields(FEATURE_KIND),
  {
    kind: FEATURE_KIND,
    path: 'spec.source',
    defaultKind: DATASET_KIND,
    allowedKinds: [DATASET_KIND],
    relations: [
      { type: RELATION_MLOPS_DERIVED_FROM, reverse: RELATION_MLOPS_SOURCE_OF },
      DEPENDENCY,
    ],
  },
];
