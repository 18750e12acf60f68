import { MLOPS_API_GROUP } from '@synth/plugin-mlops-common';

/**
 * Annotation on an imported MLModel: the newest version of its MLflow
 * registered model, e.g. `7`.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_LATEST_VERSION = `${MLOPS_API_GROUP}/mlflow-latest-version`;

/**
 * Annotation on an imported MLModel: the aliases of its MLflow registered
 * model and their versions, sorted by alias, e.g. `challenger=8,champion=7`.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_ALIASES = `${MLOPS_API_GROUP}/mlflow-aliases`;
