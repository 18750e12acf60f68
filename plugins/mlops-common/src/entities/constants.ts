/**
 * The apiVersion group of the MLModel, Dataset and Feature kinds. Every
 * apiVersion, relation prefix and annotation of the mlops catalog model is
 * derived from it.
 *
 * @public
 */
export const MLOPS_API_GROUP = 'mlops.synth.dev';

/**
 * The apiVersion of the v1alpha1 MLModel, Dataset and Feature kinds.
 *
 * @public
 */
export const MLOPS_API_VERSION_V1ALPHA1 =
  `${MLOPS_API_GROUP}/v1alpha1` as const;

/**
 * The kind of an ML model entity.
 *
 * @public
 */
export const MLMODEL_KIND = 'MLModel';

/**
 * The kind of a dataset entity.
 *
 * @public
 */
export const DATASET_KIND = 'Dataset';

/**
 * The kind of a feature entity.
 *
 * @public
 */
export const FEATURE_KIND = 'Feature';

/**
 * The kinds this package defines.
 *
 * @public
 */
export const MLOPS_KINDS = [MLMODEL_KIND, DATASET_KIND, FEATURE_KIND] as const;

/**
 * One of {@link MLOPS_KINDS}.
 *
 * @public
 */
export type MlopsKind = (typeof MLOPS_KINDS)[number];
