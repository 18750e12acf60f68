import { Entity } from '@backstage/catalog-model';

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
 * of one of them.
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
 * What to read of a model's experiment.
 *
 * @public
 */
export type ModelExperimentOptions = {
  /** How many of the most recent runs to list, 1 to 100. Default 20. */
  maxRuns?: number;
  /** The run whose metric histories to read; default the most recent run. */
  runId?: string;
  /** The metric keys to read histories of; default every metric of the run (at most 25). */
  metricKeys?: string[];
  /** Values per metric history, 1 to 10,000. Default 1,000. */
  maxPoints?: number;
  signal?: AbortSignal;
};

/**
 * Reads the MLflow experiment of an MLModel entity.
 *
 * @public
 */
export interface ExperimentMetricsService {
  /**
   * The experiment named by the entity's annotations, its recent runs and
   * the metric histories of one run. Throws `NotFoundError` when the entity
   * names no experiment or MLflow does not know it, `InputError` for a run
   * outside the experiment, and `ServiceUnavailableError` when MLflow cannot
   * be reached or is not configured.
   */
  getModelExperiment(
    entity: Entity,
    options?: ModelExperimentOptions,
  ): Promise<ModelExperiment>;
}
