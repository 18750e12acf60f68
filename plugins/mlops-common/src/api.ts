/**
 * Request and response types of the mlops backend's HTTP API
 * (`/api/mlops`). Timestamps are ISO 8601 strings in UTC.
 */

/**
 * The value of a training parameter, typed as the MLModel declares it.
 *
 * @public
 */
export type TrainingParameterValue = string | number | boolean;

/**
 * Where a training run executes: a Ray cluster through the Ray Jobs API, or
 * a child process of the backend (development only).
 *
 * @public
 */
export type TrainingExecutorName = 'ray' | 'local';

/**
 * The status of a training run. `pending`: recorded, not yet accepted by the
 * engine. `submitted`: accepted, waiting for resources. `running`,
 * `succeeded`, `failed`, `cancelled` as the engine reports them.
 *
 * @public
 */
export type TrainingRunStatus =
  | 'pending'
  | 'submitted'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/**
 * The statuses a training run never leaves.
 *
 * @public
 */
export const TERMINAL_TRAINING_RUN_STATUSES: ReadonlyArray<TrainingRunStatus> =
  ['succeeded', 'failed', 'cancelled'];

/**
 * Body of `POST /models/:namespace/:name/runs`. The request must carry an
 * `Idempotency-Key` header; repeating a request with the same key returns the
 * run the first one created. Only parameters the MLModel declares in
 * `spec.training.parameters` are accepted; undeclared ones take their
 * declared default.
 *
 * @public
 */
export type CreateTrainingRunRequest = {
  parameters?: Record<string, TrainingParameterValue>;
};

/**
 * Response of `POST /models/:namespace/:name/runs` (HTTP 202).
 *
 * @public
 */
export type CreateTrainingRunResponse = {
  id: string;
  status: TrainingRunStatus;
};

/**
 * A training run of an MLModel.
 *
 * @public
 */
export type TrainingRun = {
  id: string;
  /** The MLModel's entity reference, e.g. `mlmodel:default/churn-classifier`. */
  modelRef: string;
  status: TrainingRunStatus;
  /** Why the run is in its status, e.g. the failure reason. */
  statusMessage?: string;
  executor: TrainingExecutorName;
  /** The engine's id of the run: the Ray `submission_id`, or the local process id. */
  externalId?: string;
  /** The parameters the run was started with, defaults included. */
  parameters: Record<string, TrainingParameterValue>;
  cancelRequested: boolean;
  /** The user entity reference of whoever started the run. */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The model version a succeeded run registered. */
  modelVersion?: string;
  artifactUri?: string;
  metrics?: Record<string, number>;
};

/**
 * A page of training runs, newest first. Pass `nextCursor` as `cursor` to
 * read the next page; it is absent on the last page.
 *
 * @public
 */
export type TrainingRunList = {
  items: TrainingRun[];
  nextCursor?: string;
};

/**
 * A slice of a training run's log, from `GET /runs/:id/logs?after=<offset>`.
 * Offsets count UTF-16 code units (JavaScript string indices) from the start
 * of the log. Follow a live log by requesting `after=nextOffset` (with
 * `wait=<seconds>` to long-poll) until `complete` is true.
 *
 * @public
 */
export type TrainingRunLogs = {
  runId: string;
  /** The offset of the first character of `text`. */
  offset: number;
  text: string;
  /** The offset to request next. */
  nextOffset: number;
  /** True when the run has ended and `text` reaches the end of its log. */
  complete: boolean;
  /** True when the beginning of the log was dropped to bound its size. */
  truncated?: boolean;
};

/**
 * A registered version of an MLModel, created when a training run succeeds.
 *
 * @public
 */
export type ModelVersion = {
  modelRef: string;
  /** The version, as a string (MLflow's versions are strings). */
  version: string;
  runId?: string;
  artifactUri?: string;
  metrics: Record<string, number>;
  /** Where the version is registered: MLflow's model registry or the plugin's own tables. */
  registry: 'mlflow' | 'internal';
  /** The MLflow registered model name, for `registry: 'mlflow'`. */
  registeredModelName?: string;
  createdAt: string;
};

/**
 * A page of model versions, newest first.
 *
 * @public
 */
export type ModelVersionList = {
  items: ModelVersion[];
  nextCursor?: string;
};

/**
 * How a deployment shifts traffic to the new version.
 *
 * @public
 */
export type DeploymentStrategyName = 'all-at-once' | 'canary';

/**
 * Body of `POST /models/:namespace/:name/deployments`. `weight` is the share
 * of traffic (0 < weight < 1) a canary sends to the new version until it is
 * promoted or rolled back. An optional `Idempotency-Key` header makes the
 * request repeatable.
 *
 * @public
 */
export type CreateDeploymentRequest =
  | { version: string; strategy: 'all-at-once' }
  | { version: string; strategy: 'canary'; weight: number };

/**
 * The status of a deployment. `canary` waits for promote or rollback;
 * `succeeded`, `failed` and `rolled-back` are final.
 *
 * @public
 */
export type DeploymentStatus =
  | 'pending'
  | 'deploying'
  | 'canary'
  | 'promoting'
  | 'succeeded'
  | 'failed'
  | 'rolling-back'
  | 'rolled-back';

/**
 * The statuses a deployment never leaves.
 *
 * @public
 */
export const TERMINAL_DEPLOYMENT_STATUSES: ReadonlyArray<DeploymentStatus> = [
  'succeeded',
  'failed',
  'rolled-back',
];

/**
 * The serving target of a deployment, from the MLModel's `spec.serving`.
 *
 * @public
 */
export type DeploymentTargetName = 'lambda' | 'ray-serve';

/**
 * A deployment of a model version to its serving target.
 *
 * @public
 */
export type Deployment = {
  id: string;
  modelRef: string;
  version: string;
  target: DeploymentTargetName;
  strategy: DeploymentStrategyName;
  /** The canary's traffic share, for `strategy: 'canary'`. */
  weight?: number;
  status: DeploymentStatus;
  statusMessage?: string;
  /** What the deployment changed on the target, e.g. the Lambda alias and versions. */
  details: DeploymentDetails;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
};

/**
 * Target-specific facts of a deployment.
 *
 * @public
 */
export type DeploymentDetails =
  | {
      target: 'lambda';
      functionName: string;
      alias: string;
      region?: string;
      /** The Lambda version published for this deployment. */
      publishedVersion?: string;
      /** The version the alias pointed to before, the rollback target. */
      previousVersion?: string;
    }
  | {
      target: 'ray-serve';
      application: string;
      routePrefix?: string;
      /** Whether the application existed before, i.e. rollback redeploys rather than deletes. */
      hadPreviousApplication?: boolean;
    };

/**
 * A page of deployments, newest first.
 *
 * @public
 */
export type DeploymentList = {
  items: Deployment[];
  nextCursor?: string;
};

/**
 * The overall health of an MLModel.
 *
 * @public
 */
export type ModelHealthStatus =
  | 'healthy'
  | 'degraded'
  | 'unhealthy'
  | 'unknown';

/**
 * The drift part of a model's health: a digest of the model's latest
 * succeeded {@link DriftReport}. `reportId` is that report's `id` (read it
 * with `GET /drift-reports/:id`), `computedAt` its `finishedAt`, and the
 * other fields come from its `dataset` part.
 *
 * @public
 */
export type ModelDriftSummary = {
  reportId: string;
  computedAt: string;
  /** Whether the dataset as a whole drifted: `DriftReport.dataset.drifted`. */
  datasetDrift: boolean;
  /** The share of tested columns that drifted, 0..1: `DriftReport.dataset.driftShare`. */
  driftShare: number;
  /** The number of tested columns: `DriftReport.dataset.columnCount`. */
  columnCount: number;
  /** `DriftReport.dataset.driftedColumns`. */
  driftedColumns: string[];
};

/**
 * A drift test, named as in Evidently (same values as the MLModel's
 * `spec.monitoring.thresholds.columns[].method`).
 *
 * @public
 */
export type DriftMethodName =
  | 'ks'
  | 'chisquare'
  | 'z'
  | 'wasserstein'
  | 'jensenshannon'
  | 'psi'
  | 'kl_div'
  | 'hellinger';

/**
 * The status of a drift report. `pending`: recorded, waiting for a worker;
 * `running`: claimed by one backend instance and being computed;
 * `succeeded` and `failed` are final (`error` says why a report failed).
 *
 * @public
 */
export type DriftReportStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/**
 * The statuses a drift report never leaves.
 *
 * @public
 */
export const TERMINAL_DRIFT_REPORT_STATUSES: ReadonlyArray<DriftReportStatus> =
  ['succeeded', 'failed'];

/**
 * The data one side of a drift report was read from.
 *
 * @public
 */
export type DriftReportSource = {
  /** The URL or path the data was read from (through the backend's UrlReader). */
  source: string;
  /** The Dataset entity the data belongs to, for the reference side. */
  datasetRef?: string;
  format?: 'csv' | 'parquet' | 'jsonl';
  /** Rows read, once the report has succeeded. */
  rows?: number;
};

/**
 * Histogram of one column, reference and current side by side, for charts.
 * Counts are rows after dropping NaN, ±inf and missing values.
 *
 * - `numerical`: `edges` are the shared bin edges (length = bins + 1,
 *   equal-width over the combined range, NumPy's Sturges rule, so the bins
 *   match the binned drift tests); `reference[i]` and `current[i]` count
 *   the rows in bin i = [edges[i], edges[i+1]) (the last bin is closed).
 * - `categorical` (also boolean columns): the most frequent categories of
 *   reference and current combined (at most 50 by default), most frequent
 *   first; `other` sums the counts of the categories left out, when any are.
 *
 * @public
 */
export type DriftHistogram =
  | {
      kind: 'numerical';
      edges: number[];
      reference: number[];
      current: number[];
    }
  | {
      kind: 'categorical';
      categories: string[];
      reference: number[];
      current: number[];
      other?: { reference: number; current: number };
    };

/**
 * The drift test of one column.
 *
 * @public
 */
export type DriftColumnResult = {
  column: string;
  /** The column's type, from the Dataset's `spec.schema` (or inferred). */
  type: 'numerical' | 'categorical' | 'boolean' | 'text' | 'datetime';
  method: DriftMethodName;
  /**
   * ks: D; chisquare: χ²; z: z; distance methods: the distance. `null`
   * stands for +∞ (chi-square with a category only the current data has),
   * which JSON cannot carry.
   */
  statistic: number | null;
  /** The p-value for ks, chisquare and z; `null` for distance methods. */
  pValue: number | null;
  threshold: number;
  /** How the score is compared with the threshold: ks `<=`, chisquare and z `<`, distances `>=`. */
  comparison: '<=' | '<' | '>=';
  drifted: boolean;
  /** Rows compared after dropping NaN, ±inf and missing values. */
  referenceCount: number;
  currentCount: number;
  histogram: DriftHistogram;
};

/**
 * The dataset-level verdict of a drift report (Evidently's dataset drift).
 *
 * @public
 */
export type DriftDatasetResult = {
  /** The share of tested columns that drifted, 0..1. */
  driftShare: number;
  /** `driftShare >= threshold`. */
  drifted: boolean;
  /** The share at or above which the dataset drifted (default 0.5). */
  threshold: number;
  /** The number of tested columns. */
  columnCount: number;
  driftedColumns: string[];
};

/**
 * A drift report of an MLModel: its current data compared with its
 * reference (by default the training Dataset), column by column.
 *
 * @public
 */
export type DriftReport = {
  id: string;
  /** The MLModel's entity reference, e.g. `mlmodel:default/churn-classifier`. */
  entityRef: string;
  status: DriftReportStatus;
  /** Why a `failed` report failed, naming the column or the source. */
  error?: string;
  /** The user entity reference that requested the report, or `schedule`. */
  triggeredBy: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  reference: DriftReportSource;
  current: DriftReportSource;
  /** The method requested for every column; Evidently's default selection when unset. */
  method?: DriftMethodName;
  /** Present once the report has succeeded. */
  dataset?: DriftDatasetResult;
  /** Present once the report has succeeded (only in `GET /drift-reports/:id`). */
  columns?: DriftColumnResult[];
  /** Columns that were not tested (text, datetime), with the reason. */
  skippedColumns?: Array<{ column: string; reason: string }>;
};

/**
 * A drift report without its per-column results, as listed.
 *
 * @public
 */
export type DriftReportSummary = Omit<DriftReport, 'columns'>;

/**
 * A page of an MLModel's drift reports, newest first. Pass `nextCursor` as
 * `cursor` to read the next page; it is absent on the last page.
 *
 * @public
 */
export type DriftReportList = {
  items: DriftReportSummary[];
  nextCursor?: string;
};

/**
 * Body of `POST /models/:namespace/:name/drift-reports` (optional). `method`
 * applies one test to every column instead of Evidently's default
 * selection; `currentLocation` reads the current data from another URL than
 * the MLModel's `spec.monitoring.current` (same format, subject to
 * `backend.reading.allow`).
 *
 * @public
 */
export type CreateDriftReportRequest = {
  method?: DriftMethodName;
  currentLocation?: string;
};

/**
 * Response of `POST /models/:namespace/:name/drift-reports` (HTTP 202): the
 * report is computed in the background; poll `GET /drift-reports/:id`.
 *
 * @public
 */
export type CreateDriftReportResponse = {
  id: string;
};

/**
 * Response of `GET /models/:namespace/:name/health`. `reasons` explains a
 * status other than `healthy`; `deployments` holds the latest deployment per
 * serving target.
 *
 * @public
 */
export type ModelHealth = {
  modelRef: string;
  status: ModelHealthStatus;
  reasons: string[];
  lastRun: TrainingRun | null;
  deployments: Deployment[];
  drift: ModelDriftSummary | null;
};

/**
 * At most this many entity references per `POST /health/query`.
 *
 * @public
 */
export const MODEL_HEALTH_QUERY_MAX_REFS = 100;

/**
 * Body of `POST /health/query`: the MLModels whose health to read, as entity
 * references (`mlmodel:default/churn-classifier`; the kind and the default
 * namespace may be left out), at most {@link MODEL_HEALTH_QUERY_MAX_REFS}.
 *
 * @public
 */
export type ModelHealthQueryRequest = {
  entityRefs: string[];
};

/**
 * The answer for one entity reference of a health query: its health, or
 * `NotFound` when the model does not exist or the caller cannot see it.
 * `entityRef` is the reference as the request sent it.
 *
 * @public
 */
export type ModelHealthQueryItem =
  | { entityRef: string; health: ModelHealth }
  | { entityRef: string; error: 'NotFound' };

/**
 * Response of `POST /health/query`: one item per requested reference, in
 * request order.
 *
 * @public
 */
export type ModelHealthQueryResponse = {
  items: ModelHealthQueryItem[];
};
