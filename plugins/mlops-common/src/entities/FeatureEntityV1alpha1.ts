import { Entity } from '@backstage/catalog-model';
import { FEATURE_KIND, MLOPS_API_VERSION_V1ALPHA1 } from './constants';
import { createMlopsKindValidator, MlopsKindValidator } from './validation';
import schema from './Feature.v1alpha1.schema.json';

/**
 * The value type of a Feature.
 *
 * @public
 */
export type FeatureType =
  | 'numerical'
  | 'categorical'
  | 'boolean'
  | 'text'
  | 'datetime'
  | 'embedding';

/**
 * A feature in the catalog.
 *
 * @public
 */
export interface FeatureEntityV1alpha1 extends Entity {
  apiVersion: typeof MLOPS_API_VERSION_V1ALPHA1;
  kind: typeof FEATURE_KIND;
  spec: {
    type: FeatureType;
    lifecycle: string;
    owner: string;
    system?: string;
    /** Entity reference to the Dataset the feature is computed from. */
    source: string;
    /** The business entity the feature describes and its join key. */
    entity: {
      name: string;
      joinKey: string;
    };
    /** The feature view (group) the feature is served from. */
    group?: string;
    /** How the value is computed from the source, e.g. a SQL expression. */
    transformation?: string;
  };
}

/**
 * The JSON schema of {@link FeatureEntityV1alpha1}.
 *
 * @public
 */
export const featureEntityV1alpha1Schema = schema;

/**
 * Validates {@link FeatureEntityV1alpha1} entities. `check` resolves to false
 * for other kinds and throws an `InputError` naming the kind, the entity and
 * the field for an invalid Feature.
 *
 * @public
 */
export const featureEntityV1alpha1Validator: MlopsKindValidator =
  createMlopsKindValidator(FEATURE_KIND, schema);

/**
 * Whether the entity is a {@link FeatureEntityV1alpha1}.
 *
 * @public
 */
export function isFeatureEntity(
  entity: Entity,
): entity is FeatureEntityV1alpha1 {
  return (
    entity.apiVersion === MLOPS_API_VERSION_V1ALPHA1 &&
    entity.kind === FEATURE_KIND
  );
}
