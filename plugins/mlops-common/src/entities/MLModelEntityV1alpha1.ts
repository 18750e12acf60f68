import { Entity } from '@backstage/catalog-model';
import { MLMODEL_KIND, MLOPS_API_VERSION_V1ALPHA1 } from './constants';
import { createMlopsKindValidator, MlopsKindValidator } from './validation';
import schema from './MLModel.v1alpha1.schema.json';

/**
 * The task an ML model performs.
 *
 * @public
 */
export type MLModelType =
  | 'classification'
  | 'regression'
  | 'ranking'
  | 'forecasting'
  | 'embedding'
  | 'llm'
  | 'other';

/**
 * A metric recorded on the model card.
 *
 * @public
 */
export type MLModelMetric = {
  name: string;
  value: number;
  /** The data split the metric was measured on, e.g. `validation`. */
  split?: string;
  description?: string;
};

/**
 * The model card of an MLModel.
 *
 * @public
 */
export type MLModelCard = {
  intendedUse?: string;
  limitations?: string;
  ethicalConsiderations?: string;
  metrics?: MLModelMetric[];
};

/**
 * The value type of a declared training parameter.
 *
 * @public
 */
export type MLModelTrainingParameterType =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean';

/**
 * A parameter that the training entrypoint accepts. `default` and `enum`
 * have the declared type; `minimum` and `maximum` apply to number and integer
 * parameters only.
 *
 * @public
 */
export type MLModelTrainingParameter = {
  name: string;
  type: MLModelTrainingParameterType;
  description?: string;
  default?: string | number | boolean;
  enum?: Array<string | number>;
  minimum?: number;
  maximum?: number;
};

/**
 * How an MLModel is trained: a Ray job.
 *
 * @public
 */
export type MLModelTraining = {
  /** The training engine; `ray` when unset. */
  engine?: 'ray';
  /** The shell command of the Ray job, e.g. `python train.py`. */
  entrypoint: string;
  /** The working directory of the job. */
  workingDir: string;
  /** The Ray runtime environment of the job. */
  runtimeEnv?: {
    pip?: string[];
    env_vars?: Record<string, string>;
  };
  parameters?: MLModelTrainingParameter[];
};

/**
 * An MLModel served by an AWS Lambda function alias.
 *
 * @public
 */
export type MLModelLambdaServing = {
  target: 'lambda';
  functionName: string;
  alias: string;
  region?: string;
  /** Entity references to the API entities describing the endpoint. */
  providesApis?: string[];
};

/**
 * An MLModel served by a Ray Serve application.
 *
 * @public
 */
export type MLModelRayServeServing = {
  target: 'ray-serve';
  application: string;
  routePrefix?: string;
  /** Entity references to the API entities describing the endpoint. */
  providesApis?: string[];
};

/**
 * Where an MLModel is served.
 *
 * @public
 */
export type MLModelServing = MLModelLambdaServing | MLModelRayServeServing;

/**
 * A drift test, named as in Evidently.
 *
 * @public
 */
export type MLModelDriftMethod =
  | 'ks'
  | 'chisquare'
  | 'z'
  | 'wasserstein'
  | 'jensenshannon'
  | 'psi'
  | 'kl_div'
  | 'hellinger';

/**
 * Data drift monitoring of an MLModel.
 *
 * @public
 */
export type MLModelMonitoring = {
  /**
   * Where the current data is read from. Relative paths (`./`, `../`) are
   * resolved against the entity's location during processing.
   */
  current: string;
  format: 'csv' | 'parquet' | 'jsonl';
  /** The Dataset to compare against; the first `trainedOn` entry when unset. */
  reference?: string;
  /**
   * Where the reports are computed: `local` (the backend's drift engine) or
   * `ray` (a Ray job reading the data on the cluster). The backend's
   * `mlops.drift.executor` when unset.
   */
  executor?: 'local' | 'ray';
  schedule: {
    /** An ISO 8601 duration (`PT6H`) or a cron expression (`0 6 * * *`). */
    frequency: string;
  };
  thresholds?: {
    /** Share of drifted columns at or above which the dataset drifted. */
    driftShare?: number;
    columns?: Record<string, { method: MLModelDriftMethod; threshold: number }>;
  };
};

/**
 * An ML model in the catalog.
 *
 * @public
 */
export interface MLModelEntityV1alpha1 extends Entity {
  apiVersion: typeof MLOPS_API_VERSION_V1ALPHA1;
  kind: typeof MLMODEL_KIND;
  spec: {
    type: MLModelType;
    lifecycle: string;
    owner: string;
    system?: string;
    framework?: string;
    modelCard?: MLModelCard;
    trainedOn?: string[];
    features?: string[];
    dependsOn?: string[];
    training?: MLModelTraining;
    serving?: MLModelServing;
    monitoring?: MLModelMonitoring;
  };
}

/**
 * The JSON schema of {@link MLModelEntityV1alpha1}.
 *
 * @public
 */
export const mlModelEntityV1alpha1Schema = schema;

/**
 * Validates {@link MLModelEntityV1alpha1} entities. `check` resolves to false
 * for other kinds and throws an `InputError` naming the kind, the entity and
 * the field for an invalid MLModel.
 *
 * @public
 */
export const mlModelEntityV1alpha1Validator: MlopsKindValidator =
  createMlopsKindValidator(MLMODEL_KIND, schema);

/**
 * Whether the entity is an {@link MLModelEntityV1alpha1}.
 *
 * @public
 */
export function isMLModelEntity(
  entity: Entity,
): entity is MLModelEntityV1alpha1 {
  return (
    entity.apiVersion === MLOPS_API_VERSION_V1ALPHA1 &&
    entity.kind === MLMODEL_KIND
  );
}
