import { Entity } from '@backstage/catalog-model';
import { ModelExperiment } from '@synth/plugin-mlops-common';

// The answer types live in -common so the frontend can import them.
export type {
  ExperimentRunSummary,
  MetricHistoryPoint,
  ModelExperiment,
} from '@synth/plugin-mlops-common';

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
