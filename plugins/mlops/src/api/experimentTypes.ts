/**
 * Response types of `GET /models/:namespace/:name/experiment`. The backend
 * declares them in `@synth/plugin-mlops-node` (`experiments/types.ts`), a
 * node library a browser bundle cannot depend on; these copies have the
 * same shape and must change with it.
 */

/**
 * A run of a model's MLflow experiment.
 *
 * @public
 */
export type ExperimentRunSummary = {
  runId: string;
  runName?: string;
  /** `RUNNING`, `SCHEDULED`, `FINISHED`, `FAILED` or `KILLED`. */
  status: string;
  /** Milliseconds since the epoch. */
  startTime?: number;
  /** Milliseconds since the epoch; unset while the run is active. */
  endTime?: number;
  params: Record<string, string>;
  /** The latest value of each metric. */
  metrics: Record<string, number>;
};

/**
 * One recorded value of a metric.
 *
 * @public
 */
export type MetricHistoryPoint = {
  step: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  value: number;
};

/**
 * A model's MLflow experiment: its most recent runs and the metric
 * histories of one of them.
 *
 * @public
 */
export type ModelExperiment = {
  experimentId: string;
  experimentName: string;
  registeredModel?: string;
  /** Most recent first. */
  runs: ExperimentRunSummary[];
  /** The run whose histories `metricHistories` holds. */
  metricHistoryRunId?: string;
  /** Values per metric key, in step order. */
  metricHistories: Record<string, MetricHistoryPoint[]>;
  /** Metric keys whose history was cut at the point limit. */
  truncatedMetrics: string[];
};

/**
 * What to read of a model's experiment.
 *
 * @public
 */
export type ModelExperimentQuery = {
  /** How many of the most recent runs to list, 1 to 100. */
  maxRuns?: number;
  /** The run whose metric histories to read; default the most recent. */
  runId?: string;
  /** The metric keys to read histories of; default every metric of the run. */
  metricKeys?: string[];
  signal?: AbortSignal;
};
