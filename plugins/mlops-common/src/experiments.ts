import { MLOPS_API_GROUP } from './entities/constants';

/**
 * Annotation on an MLModel imported from MLflow: the newest version of its
 * MLflow registered model, e.g. `7`.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_LATEST_VERSION = `${MLOPS_API_GROUP}/mlflow-latest-version`;

/**
 * Annotation on an MLModel imported from MLflow: the aliases of its MLflow
 * registered model and their versions, sorted by alias, e.g.
 * `challenger=8,champion=7`. Read it with {@link parseMlflowAliases}.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_ALIASES = `${MLOPS_API_GROUP}/mlflow-aliases`;

/**
 * The aliases of an {@link ANNOTATION_MLFLOW_ALIASES} value, in its order:
 * `challenger=8,champion=7` gives `[{ alias: 'challenger', version: '8' },
 * { alias: 'champion', version: '7' }]`. Items without an alias or a version
 * are left out.
 *
 * @public
 */
export function parseMlflowAliases(
  value: string | undefined,
): Array<{ alias: string; version: string }> {
  return (value ?? '').split(',').flatMap(item => {
    const at = item.lastIndexOf('=');
    const alias = item.slice(0, at).trim();
    const version = item.slice(at + 1).trim();
    return at > 0 && alias && version ? [{ alias, version }] : [];
  });
}

/**
 * A training run of a model's experiment, as the health tab shows it.
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
 * A model's MLflow experiment: its most recent runs and the metric histories
 * of one of them. The answer of
 * `GET /api/mlops/models/:namespace/:name/experiment`.
 *
 * @public
 */
export type ModelExperiment = {
  experimentId: string;
  experimentName: string;
  /** The MLflow registered model of the entity, when it names one. */
  registeredModel?: string;
  /** Most recent first. */
  runs: ExperimentRunSummary[];
  /** The run whose histories `metricHistories` holds: the requested one, else the most recent. */
  metricHistoryRunId?: string;
  /** Values per metric key, in step order. */
  metricHistories: Record<string, MetricHistoryPoint[]>;
  /** Metric keys whose history was cut at the point limit. */
  truncatedMetrics: string[];
};

/**
 * Query parameters of `GET /api/mlops/models/:namespace/:name/experiment`.
 *
 * @public
 */
export type ModelExperimentQuery = {
  /** How many of the most recent runs to list, 1 to 100. Default 20. */
  maxRuns?: number;
  /** The run whose metric histories to read; default the most recent run. */
  runId?: string;
  /** The metric keys to read histories of (repeat the parameter); default every metric of the run (at most 25). */
  metric?: string | string[];
  /** Values per metric history, 1 to 10,000. Default 1,000. */
  maxPoints?: number;
};
