import {
  DeploymentStatus,
  DeploymentStrategyName,
  DeploymentTargetName,
  TrainingExecutorName,
  TrainingParameterValue,
  TrainingRunStatus,
} from '@synth/plugin-mlops-common';
import { DriftStore } from './DriftStore';

/**
 * Where a run's working directory comes from, resolved from the MLModel
 * entity when the run is created.
 *
 * - `file`: a directory on the backend's file system (the entity came from a
 *   `file:` location).
 * - `url`: a directory read through the UrlReader (the entity came from a
 *   `url:` location).
 * - `uri`: a URI the engine reads itself (`gcs://`, `s3://`, `https://….zip`),
 *   passed to Ray as `runtime_env.working_dir`.
 */
export type WorkingDirSource =
  | { type: 'file'; path: string }
  | { type: 'url'; url: string }
  | { type: 'uri'; uri: string };

/** The training spec of a run, copied from the entity at creation. */
export type RunSpec = {
  entrypoint: string;
  workingDir: string;
  source: WorkingDirSource;
  pip?: string[];
  envVars?: Record<string, string>;
  /** MLflow registered model name (annotation or default). */
  registeredModelName: string;
};

/** The engine's final word on a run, kept until the run is finalized. */
export type RunOutcome = {
  status: 'succeeded' | 'failed' | 'cancelled';
  message?: string;
  artifactUri?: string;
  metrics?: Record<string, number>;
  finishedAt?: string;
};

export type RunRecord = {
  id: string;
  modelRef: string;
  idempotencyKey: string;
  requestHash: string;
  executor: TrainingExecutorName;
  status: TrainingRunStatus;
  statusMessage?: string;
  parameters: Record<string, TrainingParameterValue>;
  spec: RunSpec;
  ownerRef?: string;
  createdBy: string;
  externalId?: string;
  cancelRequested: boolean;
  attempts: number;
  failureCount: number;
  firstFailureAt?: Date;
  nextCheckAt: Date;
  leaseOwner?: string;
  leaseExpiresAt?: Date;
  artifactUri?: string;
  metrics?: Record<string, number>;
  modelVersion?: string;
  pendingOutcome?: RunOutcome;
  logsArchived: boolean;
  notifiedStatus?: string;
  createdAt: Date;
  updatedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
};

export type NewRun = {
  modelRef: string;
  idempotencyKey: string;
  requestHash: string;
  executor: TrainingExecutorName;
  parameters: Record<string, TrainingParameterValue>;
  spec: RunSpec;
  ownerRef?: string;
  createdBy: string;
};

/** Columns a worker may change on a run. */
export type RunPatch = Partial<
  Pick<
    RunRecord,
    | 'status'
    | 'statusMessage'
    | 'externalId'
    | 'attempts'
    | 'failureCount'
    | 'firstFailureAt'
    | 'nextCheckAt'
    | 'artifactUri'
    | 'metrics'
    | 'modelVersion'
    | 'logsArchived'
    | 'notifiedStatus'
    | 'startedAt'
    | 'finishedAt'
  >
> & {
  pendingOutcome?: RunOutcome | null;
  /** Clear a field: statusMessage, firstFailureAt. */
  clear?: Array<'statusMessage' | 'firstFailureAt'>;
};

export type Page = { limit: number; cursor?: string };
export type PageResult<T> = { items: T[]; nextCursor?: string };

export type LogChunk = { startOffset: number; text: string };

export type LogSlice = {
  /** Offset of the first character of `text`. */
  offset: number;
  text: string;
  /** Offset after the last stored character. */
  end: number;
  /** The first stored offset (greater than 0 when the head was dropped). */
  start: number;
};

export type ModelVersionRecord = {
  modelRef: string;
  version: string;
  runId?: string;
  artifactUri?: string;
  metrics: Record<string, number>;
  registry: 'mlflow' | 'internal';
  registeredModelName?: string;
  seq: number;
  createdAt: Date;
};

export type NewModelVersion = {
  modelRef: string;
  runId: string;
  artifactUri?: string;
  metrics: Record<string, number>;
  registry: 'mlflow' | 'internal';
  registeredModelName?: string;
  /** The registry's version; the next number of the model when absent. */
  version?: string;
};

export type LambdaTargetConfig = {
  target: 'lambda';
  functionName: string;
  alias: string;
  region?: string;
};

export type RayServeTargetConfig = {
  target: 'ray-serve';
  application: string;
  routePrefix?: string;
};

export type TargetConfig = LambdaTargetConfig | RayServeTargetConfig;

/** Progress of a deployment on its target, written step by step. */
export type DeploymentState = {
  /** Lambda: CodeSha256 after UpdateFunctionCode. */
  codeSha256?: string;
  /** Lambda: the version PublishVersion returned. */
  publishedVersion?: string;
  /** Lambda: the version the alias pointed to before the deployment. */
  previousVersion?: string;
  /** Lambda: whether the alias existed before. */
  aliasExisted?: boolean;
  /** Ray Serve: the application's config before the deployment, if any. */
  previousApplication?: Record<string, unknown> | null;
  /** Ray Serve: the application config this deployment applied. */
  application?: Record<string, unknown>;
  /** Ray Serve: when waiting for the application started. */
  waitStartedAt?: string;
  /** What the deployment does next. */
  phase?:
    | 'update-code'
    | 'publish'
    | 'route'
    | 'wait-serve'
    | 'wait-rollback'
    | 'done';
};

export type DeploymentRecord = {
  id: string;
  modelRef: string;
  version: string;
  target: DeploymentTargetName;
  strategy: DeploymentStrategyName;
  weight?: number;
  status: DeploymentStatus;
  statusMessage?: string;
  idempotencyKey?: string;
  requestHash: string;
  targetConfig: TargetConfig;
  artifactUri?: string;
  state: DeploymentState;
  ownerRef?: string;
  createdBy: string;
  failureCount: number;
  firstFailureAt?: Date;
  nextCheckAt: Date;
  leaseOwner?: string;
  leaseExpiresAt?: Date;
  notifiedStatus?: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
};

export type NewDeployment = {
  modelRef: string;
  version: string;
  target: DeploymentTargetName;
  strategy: DeploymentStrategyName;
  weight?: number;
  idempotencyKey?: string;
  requestHash: string;
  targetConfig: TargetConfig;
  artifactUri?: string;
  ownerRef?: string;
  createdBy: string;
};

export type DeploymentPatch = Partial<
  Pick<
    DeploymentRecord,
    | 'status'
    | 'statusMessage'
    | 'state'
    | 'failureCount'
    | 'firstFailureAt'
    | 'nextCheckAt'
    | 'notifiedStatus'
    | 'finishedAt'
  >
> & { clear?: Array<'statusMessage' | 'firstFailureAt'> };

/** Result of creating a row under an idempotency key. */
export type Upserted<T> = { record: T; created: boolean };

/** Which rows a worker may take: not final, due, and not leased by a live worker. */
export type DueQuery = { now: Date; limit: number };

/**
 * Persistence of the mlops backend. Every method is safe to call from
 * several backend instances at once: creation is insert-or-select under a
 * unique index, and workers take rows through expiring leases; updates made
 * under a lease are fenced by the lease owner.
 */
export interface MlopsStore extends DriftStore {
  // ---- training runs
  /** Inserts the run, or returns the run already stored under (model, key). */
  createRun(run: NewRun): Promise<Upserted<RunRecord>>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(modelRef: string, page: Page): Promise<PageResult<RunRecord>>;
  getLatestRun(modelRef: string): Promise<RunRecord | undefined>;
  /** The latest run of each model in one query; models without runs are absent. */
  getLatestRunsByModel(modelRefs: string[]): Promise<Map<string, RunRecord>>;
  /** Ids of pending runs of an executor, oldest first (the local queue). */
  listPendingRuns(executor: 'ray' | 'local', limit: number): Promise<string[]>;
  /** Ids of runs that are not final and due, or final and not yet notified. */
  listDueRuns(query: DueQuery): Promise<string[]>;
  /** Takes the run's lease if it is free or expired; true if taken. */
  claimRun(id: string, owner: string, leaseMs: number): Promise<boolean>;
  renewRunLease(id: string, owner: string, leaseMs: number): Promise<boolean>;
  releaseRun(id: string, owner: string): Promise<void>;
  /**
   * Updates the run if `owner` still holds its lease (or unconditionally
   * when `owner` is undefined) and, with `onlyIfActive`, only while the run
   * is not final. Resolves to whether a row changed.
   */
  updateRun(
    id: string,
    owner: string | undefined,
    patch: RunPatch,
    options?: { onlyIfActive?: boolean },
  ): Promise<boolean>;
  requestCancel(id: string): Promise<void>;

  // ---- logs
  appendLogs(runId: string, chunks: LogChunk[]): Promise<void>;
  /** Replaces the stored log by `text`, which starts at `startOffset`. */
  replaceLogs(runId: string, text: string, startOffset: number): Promise<void>;
  readLogs(runId: string, after: number, maxChars: number): Promise<LogSlice>;

  // ---- model versions
  /** Registers the version of a run; returns the existing one for the run if any. */
  addModelVersion(version: NewModelVersion): Promise<ModelVersionRecord>;
  getModelVersion(
    modelRef: string,
    version: string,
  ): Promise<ModelVersionRecord | undefined>;
  listModelVersions(
    modelRef: string,
    page: Page,
  ): Promise<PageResult<ModelVersionRecord>>;

  // ---- deployments
  /**
   * Inserts the deployment unless another deployment of the model is still
   * active (ConflictError naming it), or returns the deployment already
   * stored under (model, idempotency key).
   */
  createDeployment(
    deployment: NewDeployment,
  ): Promise<Upserted<DeploymentRecord>>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(
    modelRef: string,
    page: Page,
  ): Promise<PageResult<DeploymentRecord>>;
  /** The newest deployment per target of the model. */
  getLatestDeployments(modelRef: string): Promise<DeploymentRecord[]>;
  /**
   * The newest deployment per target of each model, newest first, in one
   * query; models without deployments are absent.
   */
  getLatestDeploymentsByModel(
    modelRefs: string[],
  ): Promise<Map<string, DeploymentRecord[]>>;
  listDueDeployments(query: DueQuery): Promise<string[]>;
  claimDeployment(id: string, owner: string, leaseMs: number): Promise<boolean>;
  renewDeploymentLease(
    id: string,
    owner: string,
    leaseMs: number,
  ): Promise<boolean>;
  releaseDeployment(id: string, owner: string): Promise<void>;
  updateDeployment(
    id: string,
    owner: string | undefined,
    patch: DeploymentPatch,
    options?: { expectStatus?: DeploymentStatus[] },
  ): Promise<boolean>;
}
