import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ANNOTATION_MLFLOW_EXPERIMENT,
  ANNOTATION_MLFLOW_REGISTERED_MODEL,
} from '@synth/plugin-mlops-common';
import { EngineError } from '../http/EngineError';
import { mapConcurrent } from '../lib/mapConcurrent';
import { MlflowClient } from '../mlflow/MlflowClient';
import { MlflowExperiment, MlflowRun } from '../mlflow/types';
import {
  ExperimentMetricsService,
  ExperimentRunSummary,
  MetricHistoryPoint,
  ModelExperiment,
  ModelExperimentOptions,
} from './types';

/** Upper bounds of one answer (reliability-security.md S21). */
export const EXPERIMENT_LIMITS = {
  maxRuns: 100,
  defaultRuns: 20,
  maxMetricKeys: 25,
  maxPoints: 10_000,
  defaultPoints: 1_000,
} as const;

const NUMERIC_ID = /^\d+$/;

function checkRange(value: number, min: number, max: number, what: string) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${what} must be an integer from ${min} to ${max}`);
  }
}

function summary(run: MlflowRun): ExperimentRunSummary {
  return {
    runId: run.runId,
    runName: run.runName,
    status: run.status,
    startTime: run.startTime,
    endTime: run.endTime,
    params: Object.fromEntries(run.params.map(p => [p.key, p.value])),
    metrics: Object.fromEntries(run.metrics.map(m => [m.key, m.value])),
  };
}

/**
 * Reads a model's MLflow experiment for the health tab, server-side, with
 * the backend's own MLflow credentials.
 *
 * The experiment comes from the entity's annotations (constants of
 * `@synth/plugin-mlops-common`): `mlops.synth.dev/mlflow-experiment` (an
 * experiment id or name), else the experiment of the run that produced the
 * newest version of `mlops.synth.dev/mlflow-registered-model`.
 *
 * @public
 */
export class DefaultExperimentMetricsService
  implements ExperimentMetricsService
{
  private readonly client?: MlflowClient;

  /**
   * Reads the MLflow connection from `mlops.mlflow` (`baseUrl`, `token` or
   * `username` + `password`, `requestTimeout`). Without it the service
   * answers every call with `ServiceUnavailableError`.
   */
  static fromConfig(config: Config): DefaultExperimentMetricsService {
    const mlflow = config.getOptionalConfig('mlops.mlflow');
    return new DefaultExperimentMetricsService({
      client: mlflow
        ? MlflowClient.fromConfig(mlflow, 'mlops.mlflow')
        : undefined,
    });
  }

  constructor(options: { client?: MlflowClient }) {
    this.client = options.client;
  }

  async getModelExperiment(
    entity: Entity,
    options: ModelExperimentOptions = {},
  ): Promise<ModelExperiment> {
    const maxRuns = options.maxRuns ?? EXPERIMENT_LIMITS.defaultRuns;
    const maxPoints = options.maxPoints ?? EXPERIMENT_LIMITS.defaultPoints;
    checkRange(maxRuns, 1, EXPERIMENT_LIMITS.maxRuns, 'maxRuns');
    checkRange(maxPoints, 1, EXPERIMENT_LIMITS.maxPoints, 'maxPoints');
    if (
      options.metricKeys &&
      options.metricKeys.length > EXPERIMENT_LIMITS.maxMetricKeys
    ) {
      throw new InputError(
        `At most ${EXPERIMENT_LIMITS.maxMetricKeys} metric keys can be read at once`,
      );
    }
    const client = this.client;
    if (!client) {
      throw new ServiceUnavailableError(
        'MLflow is not configured; set mlops.mlflow.baseUrl',
      );
    }
    const { signal } = options;
    const ref = stringifyEntityRef(entity);

    return this.mapErrors(async () => {
      const { experiment, registeredModel } = await this.resolveExperiment(
        client,
        entity,
        ref,
        signal,
      );
      const { items: runs } = await client.searchRuns(
        {
          experimentIds: [experiment.experimentId],
          runViewType: 'ACTIVE_ONLY',
          orderBy: ['attributes.start_time DESC'],
          maxResults: maxRuns,
        },
        { signal },
      );

      let historyRun: MlflowRun | undefined = runs[0];
      if (options.runId) {
        historyRun = runs.find(r => r.runId === options.runId);
        if (!historyRun) {
          historyRun = await client
            .getRun(options.runId, { signal })
            .catch(error => {
              if (error instanceof EngineError && error.notFound) {
                throw new NotFoundError(`MLflow has no run ${options.runId}`);
              }
              throw error;
            });
        }
        if (historyRun.experimentId !== experiment.experimentId) {
          throw new InputError(
            `Run ${options.runId} belongs to experiment ${historyRun.experimentId}, not to experiment ${experiment.experimentId} of ${ref}`,
          );
        }
      }

      const metricHistories: Record<string, MetricHistoryPoint[]> = {};
      const truncatedMetrics: string[] = [];
      if (historyRun) {
        const keys = (
          options.metricKeys ?? [...new Set(historyRun.metrics.map(m => m.key))]
        )
          .slice()
          .sort()
          .slice(0, EXPERIMENT_LIMITS.maxMetricKeys);
        const runId = historyRun.runId;
        const histories = await mapConcurrent(keys, 4, key =>
          client.getMetricHistory(runId, key, { limit: maxPoints, signal }),
        );
        keys.forEach((key, i) => {
          metricHistories[key] = histories[i].metrics
            .map(m => ({
              step: m.step,
              timestamp: m.timestamp,
              value: m.value,
            }))
            .sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
          if (histories[i].truncated) {
            truncatedMetrics.push(key);
          }
        });
      }

      return {
        experimentId: experiment.experimentId,
        experimentName: experiment.name,
        registeredModel,
        runs: runs.map(summary),
        metricHistoryRunId: historyRun?.runId,
        metricHistories,
        truncatedMetrics,
      };
    });
  }

  private async resolveExperiment(
    client: MlflowClient,
    entity: Entity,
    ref: string,
    signal?: AbortSignal,
  ): Promise<{ experiment: MlflowExperiment; registeredModel?: string }> {
    const annotations = entity.metadata.annotations ?? {};
    const experimentRef = annotations[ANNOTATION_MLFLOW_EXPERIMENT]?.trim();
    const registeredModel =
      annotations[ANNOTATION_MLFLOW_REGISTERED_MODEL]?.trim() || undefined;

    if (experimentRef) {
      if (NUMERIC_ID.test(experimentRef)) {
        try {
          return {
            experiment: await client.getExperiment(experimentRef, { signal }),
            registeredModel,
          };
        } catch (error) {
          if (!(error instanceof EngineError && error.notFound)) {
            throw error;
          }
          // An experiment may also be named with digits only.
        }
      }
      try {
        return {
          experiment: await client.getExperimentByName(experimentRef, {
            signal,
          }),
          registeredModel,
        };
      } catch (error) {
        if (error instanceof EngineError && error.notFound) {
          throw new NotFoundError(
            `MLflow has no experiment '${experimentRef}' (annotation ${ANNOTATION_MLFLOW_EXPERIMENT} of ${ref})`,
          );
        }
        throw error;
      }
    }

    if (registeredModel) {
      let versions;
      try {
        versions = await client.getLatestVersions(registeredModel, [], {
          signal,
        });
      } catch (error) {
        if (error instanceof EngineError && error.notFound) {
          throw new NotFoundError(
            `MLflow has no registered model '${registeredModel}' (annotation ${ANNOTATION_MLFLOW_REGISTERED_MODEL} of ${ref})`,
          );
        }
        throw error;
      }
      const newest = versions
        .filter(v => v.runId)
        .sort((a, b) => Number(b.version) - Number(a.version))[0];
      if (!newest?.runId) {
        throw new NotFoundError(
          `The MLflow registered model '${registeredModel}' of ${ref} has no version created from a run, so it names no experiment; set the annotation ${ANNOTATION_MLFLOW_EXPERIMENT}`,
        );
      }
      let run: MlflowRun;
      try {
        run = await client.getRun(newest.runId, { signal });
      } catch (error) {
        if (error instanceof EngineError && error.notFound) {
          throw new NotFoundError(
            `The run ${newest.runId} of version ${newest.version} of the MLflow registered model '${registeredModel}' no longer exists; set the annotation ${ANNOTATION_MLFLOW_EXPERIMENT}`,
          );
        }
        throw error;
      }
      return {
        experiment: await client.getExperiment(run.experimentId, { signal }),
        registeredModel,
      };
    }

    throw new NotFoundError(
      `${ref} names no MLflow experiment: it has neither the annotation ${ANNOTATION_MLFLOW_EXPERIMENT} nor ${ANNOTATION_MLFLOW_REGISTERED_MODEL}`,
    );
  }

  /** MLflow failures as the HTTP errors a route should answer with. */
  private async mapErrors<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof EngineError) {
        if (error.notFound) {
          throw new NotFoundError(error.message, error);
        }
        throw new ServiceUnavailableError(error.message, error);
      }
      throw error;
    }
  }
}
