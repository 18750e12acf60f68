/**
 * A key/value tag of an MLflow object.
 *
 * @public
 */
export type MlflowTag = { key: string; value: string };

/**
 * A version of a registered model. `version` is a string, as MLflow sends it.
 *
 * @public
 */
export type MlflowModelVersion = {
  name: string;
  version: string;
  /** Deprecated MLflow stage (`None`, `Staging`, `Production`, `Archived`). */
  currentStage?: string;
  description?: string;
  source?: string;
  runId?: string;
  /** `PENDING_REGISTRATION`, `FAILED_REGISTRATION` or `READY`. */
  status?: string;
  aliases: string[];
  tags: MlflowTag[];
  creationTimestamp?: number;
  lastUpdatedTimestamp?: number;
};

/**
 * An alias of a registered model and the version it points at.
 *
 * @public
 */
export type MlflowModelAlias = { alias: string; version: string };

/**
 * A registered model of the MLflow model registry.
 *
 * @public
 */
export type MlflowRegisteredModel = {
  name: string;
  description?: string;
  tags: MlflowTag[];
  aliases: MlflowModelAlias[];
  /** The newest version per stage, as MLflow reports it. */
  latestVersions: MlflowModelVersion[];
  creationTimestamp?: number;
  lastUpdatedTimestamp?: number;
};

/**
 * An MLflow experiment.
 *
 * @public
 */
export type MlflowExperiment = {
  experimentId: string;
  name: string;
  artifactLocation?: string;
  /** `active` or `deleted`. */
  lifecycleStage?: string;
  tags: MlflowTag[];
};

/**
 * One value of a metric.
 *
 * @public
 */
export type MlflowMetric = {
  key: string;
  value: number;
  timestamp: number;
  step: number;
};

/**
 * An MLflow run: its info and the latest value of each metric.
 *
 * @public
 */
export type MlflowRun = {
  runId: string;
  runName?: string;
  experimentId: string;
  /** `RUNNING`, `SCHEDULED`, `FINISHED`, `FAILED` or `KILLED`. */
  status: string;
  startTime?: number;
  endTime?: number;
  lifecycleStage?: string;
  userId?: string;
  metrics: MlflowMetric[];
  params: Array<{ key: string; value: string }>;
  tags: MlflowTag[];
};

/**
 * One page of a paginated MLflow listing.
 *
 * @public
 */
export type MlflowPage<T> = { items: T[]; nextPageToken?: string };

/**
 * Which runs a search returns: MLflow's `run_view_type`.
 *
 * @public
 */
export type MlflowRunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
