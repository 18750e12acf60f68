import { Entity } from '@backstage/catalog-model';
import {
  datasetEntityV1alpha1Validator,
  DatasetEntityV1alpha1,
  isDatasetEntity,
} from './DatasetEntityV1alpha1';
import {
  featureEntityV1alpha1Validator,
  FeatureEntityV1alpha1,
  isFeatureEntity,
} from './FeatureEntityV1alpha1';
import {
  isMLModelEntity,
  mlModelEntityV1alpha1Validator,
  MLModelEntityV1alpha1,
} from './MLModelEntityV1alpha1';
import { MlopsKindValidator } from './validation';

export * from './annotations';
export * from './constants';
export * from './DatasetEntityV1alpha1';
export * from './FeatureEntityV1alpha1';
export * from './MLModelEntityV1alpha1';
export * from './relations';
export { getMlopsSearchTerms } from './search';
export { createMlopsKindValidator, readEntityPath } from './validation';
export type { MlopsKindValidator } from './validation';

/**
 * One of the mlops entity kinds.
 *
 * @public
 */
export type MlopsEntity =
  | MLModelEntityV1alpha1
  | DatasetEntityV1alpha1
  | FeatureEntityV1alpha1;

/**
 * The validators of the MLModel, Dataset and Feature kinds, for a catalog
 * processor's `validateEntityKind`.
 *
 * @public
 */
export const mlopsEntityValidators: ReadonlyArray<MlopsKindValidator> = [
  mlModelEntityV1alpha1Validator,
  datasetEntityV1alpha1Validator,
  featureEntityV1alpha1Validator,
];

/**
 * Whether the entity is an MLModel, a Dataset or a Feature.
 *
 * @public
 */
export function isMlopsEntity(entity: Entity): entity is MlopsEntity {
  return (
    isMLModelEntity(entity) ||
    isDatasetEntity(entity) ||
    isFeatureEntity(entity)
  );
}
