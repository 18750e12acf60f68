import { MLOPS_API_GROUP } from './constants';

/**
 * Annotation on an MLModel naming the MLflow experiment (id or name) that
 * holds its training runs.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_EXPERIMENT = `${MLOPS_API_GROUP}/mlflow-experiment`;

/**
 * Annotation on an MLModel naming the MLflow registered model whose versions
 * it deploys.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_REGISTERED_MODEL = `${MLOPS_API_GROUP}/mlflow-registered-model`;

/**
 * Annotation on a Feature or Dataset naming the Feast project that serves it.
 *
 * @public
 */
export const ANNOTATION_FEAST_PROJECT = `${MLOPS_API_GROUP}/feast-project`;
