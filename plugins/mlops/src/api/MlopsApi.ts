import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  CreateDeploymentRequest,
  CreateDriftReportRequest,
  CreateDriftReportResponse,
  CreateTrainingRunResponse,
  Deployment,
  DeploymentList,
  DriftReport,
  DriftReportList,
  ModelExperiment,
  ModelExperimentQuery,
  ModelHealth,
  ModelHealthQueryItem,
  ModelVersionList,
  TrainingParameterValue,
  TrainingRun,
  TrainingRunList,
  TrainingRunLogs,
} from '@synth/plugin-mlops-common';

/**
 * A reference to an MLModel: an entity reference string
 * (`mlmodel:default/churn-classifier`) or its parts.
 *
 * @public
 */
export type MlopsModelRef = string | CompoundEntityRef;

/**
 * One page of a list: at most `limit` items (1–100) after `cursor`.
 *
 * @public
 */
export type MlopsPageRequest = {
  limit?: number;
  cursor?: string;
  signal?: AbortSignal;
};

/**
 * Client of the mlops backend. Request and response types are those of
 * `@synth/plugin-mlops-common`. Every method rejects with a `ResponseError`
 * when the backend answers with an error status (403 when the permission
 * policy denies the action, 404 for an unknown or invisible model, 503 when
 * an engine is unreachable), and with the fetch error when the backend
 * cannot be reached at all.
 *
 * @public
 */
export interface MlopsApi {
  /** The health of a model, from `GET /models/:namespace/:name/health`. */
  getModelHealth(
    entityRef: MlopsModelRef,
    options?: { signal?: AbortSignal },
  ): Promise<ModelHealth>;

  /**
   * The health of many models (`POST /health/query`, one request per 100
   * references), one item per reference in the order given: the health, or
   * `error: 'NotFound'` for a model that does not exist or that the user
   * cannot see. `entityRef` of each item is the reference as given (a
   * compound reference as its string form).
   */
  queryModelHealth(
    entityRefs: MlopsModelRef[],
    options?: { signal?: AbortSignal },
  ): Promise<ModelHealthQueryItem[]>;

  /** A page of a model's training runs, newest first. */
  listTrainingRuns(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<TrainingRunList>;

  /**
   * Starts a training run. `idempotencyKey` makes a retried request return
   * the run the first one created.
   */
  createTrainingRun(
    entityRef: MlopsModelRef,
    request: {
      parameters?: Record<string, TrainingParameterValue>;
      idempotencyKey: string;
    },
  ): Promise<CreateTrainingRunResponse>;

  getTrainingRun(
    runId: string,
    options?: { signal?: AbortSignal },
  ): Promise<TrainingRun>;

  /**
   * The log of a run after character offset `after`; with `waitSeconds` the
   * backend holds the request until new text arrives or the run ends.
   */
  getTrainingRunLogs(
    runId: string,
    options?: { after?: number; waitSeconds?: number; signal?: AbortSignal },
  ): Promise<TrainingRunLogs>;

  cancelTrainingRun(runId: string): Promise<TrainingRun>;

  /** A page of the versions a model's succeeded runs registered. */
  listModelVersions(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<ModelVersionList>;

  /** A page of a model's deployments, newest first. */
  listDeployments(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<DeploymentList>;

  createDeployment(
    entityRef: MlopsModelRef,
    request: CreateDeploymentRequest,
    options?: { idempotencyKey?: string },
  ): Promise<Deployment>;

  promoteDeployment(deploymentId: string): Promise<Deployment>;

  rollbackDeployment(deploymentId: string): Promise<Deployment>;

  /** Requests a drift report; it is computed in the background. */
  createDriftReport(
    entityRef: MlopsModelRef,
    request?: CreateDriftReportRequest,
  ): Promise<CreateDriftReportResponse>;

  /** A page of a model's drift reports (without column results), newest first. */
  listDriftReports(
    entityRef: MlopsModelRef,
    page?: MlopsPageRequest,
  ): Promise<DriftReportList>;

  /** A drift report with its per-column results. */
  getDriftReport(
    reportId: string,
    options?: { signal?: AbortSignal },
  ): Promise<DriftReport>;

  /**
   * The MLflow experiment the model's annotation names: its recent runs and
   * the metric histories of one run.
   */
  getModelExperiment(
    entityRef: MlopsModelRef,
    query?: ModelExperimentQuery & { signal?: AbortSignal },
  ): Promise<ModelExperiment>;
}

/**
 * Reference to the {@link MlopsApi}.
 *
 * @public
 */
export const mlopsApiRef = createApiRef<MlopsApi>({
  id: 'plugin.mlops.service',
});
