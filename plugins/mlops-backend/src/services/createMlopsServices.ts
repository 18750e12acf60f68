import {
  AuthService,
  CacheService,
  LoggerService,
  PermissionsService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import path from 'node:path';
import { DriftWorkerPool } from '@synth/plugin-mlops-drift';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { MlflowClient } from '@synth/plugin-mlops-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { MlopsOptions } from '../config';
import { MlopsStore } from '../database/MlopsStore';
import { HttpTransport } from '../engines/http';
import { RayJobsClient } from '../engines/RayJobsClient';
import { RayServeClient } from '../engines/RayServeClient';
import { DefaultDeploymentService } from './DeploymentService/DefaultDeploymentService';
import { DeploymentProcessor } from './DeploymentService/DeploymentProcessor';
import { LambdaTarget } from './DeploymentService/LambdaTarget';
import { RayServeTarget } from './DeploymentService/RayServeTarget';
import { DeploymentTarget } from './DeploymentService/types';
import { readDriftConfig } from './DriftService/config';
import { DefaultDriftService } from './DriftService/DefaultDriftService';
import { DriftDataReader } from './DriftService/DriftDataReader';
import {
  DriftExecutor,
  LocalDriftExecutor,
} from './DriftService/DriftExecutor';
import { RayDriftExecutor } from './DriftService/RayDriftExecutor';
import { RemoteSourcePolicy } from './DriftService/remoteSources';
import { DriftRunner } from './DriftService/DriftRunner';
import { DriftScheduler } from './DriftService/DriftScheduler';
import { HealthService } from './HealthService/HealthService';
import { ModelAccess } from './ModelAccess';
import { CatalogModelIndex, ModelVisibility } from './ModelVisibility';
import { ModelVersionRegistrar } from './ModelVersionRegistrar';
import { Notifier } from './Notifier';
import { Reconciler } from './Reconciler';
import { DefaultTrainingService } from './TrainingService/DefaultTrainingService';
import { LocalExecutor } from './TrainingService/LocalExecutor';
import { RayExecutor } from './TrainingService/RayExecutor';
import { RunProcessor } from './TrainingService/RunProcessor';

export type MlopsServices = ReturnType<typeof createMlopsServices>;

/**
 * Builds the plugin's services from its options. Kept apart from the plugin
 * so tests can build the same graph around a test database and fakes.
 */
export function createMlopsServices(deps: {
  options: MlopsOptions;
  store: MlopsStore;
  logger: LoggerService;
  catalog: CatalogService;
  permissions: PermissionsService;
  urlReader?: UrlReaderService;
  notifications?: NotificationService;
  /** Service credentials for the drift scheduler's and the model index's catalog reads. */
  auth?: AuthService;
  /** The plugin's cache, for the health routes' kept read decisions. */
  cache?: CacheService;
  /** The root config, for `mlops.drift`. */
  config?: Config;
  leaseOwner: string;
  /** The MLflow model registry (`mlops.mlflow`); without it versions stay in the plugin's tables. */
  mlflow?: MlflowClient;
  /** Overrides for tests. */
  transport?: HttpTransport;
  lambdaTarget?: DeploymentTarget;
}) {
  const { options, store, logger, leaseOwner } = deps;
  const notifier = new Notifier({
    notifications: deps.notifications,
    logger,
  });
  const registrar = new ModelVersionRegistrar({
    store,
    mlflow: deps.mlflow,
  });
  const ray = options.ray
    ? new RayExecutor({
        client: new RayJobsClient({
          baseUrl: options.ray.url,
          token: options.ray.token,
          timeoutMs: options.ray.requestTimeoutMs,
          transport: deps.transport,
        }),
        urlReader: deps.urlReader,
        maxWorkingDirBytes: options.training.maxWorkingDirBytes,
      })
    : undefined;

  // The processor and the local executor refer to each other.
  let processor: RunProcessor | undefined = undefined;
  const local = new LocalExecutor({
    store,
    logger,
    config: options.local,
    maxWorkingDirBytes: options.training.maxWorkingDirBytes,
    maxLogChars: options.training.maxLogChars,
    leaseMs: options.reconciler.leaseMs,
    leaseOwner,
    urlReader: deps.urlReader,
    onExit: (run, outcome) => processor!.finishLocal(run, outcome),
  });
  processor = new RunProcessor({
    store,
    logger,
    leaseOwner,
    leaseMs: options.reconciler.leaseMs,
    engineRetryTimeoutMs: options.training.engineRetryTimeoutMs,
    maxLogChars: options.training.maxLogChars,
    ray,
    local,
    registrar,
    notifier,
  });

  const targets: Partial<Record<'lambda' | 'ray-serve', DeploymentTarget>> = {
    lambda:
      deps.lambdaTarget ??
      new LambdaTarget({
        ...options.lambda,
        // Local runs' outputs (file: artefacts) may be zipped and deployed;
        // no other local path.
        localArtifactRoots: options.local.enabled
          ? [path.dirname(local.outputDirOf('run'))]
          : [],
      }),
  };
  if (options.rayServe) {
    targets['ray-serve'] = new RayServeTarget({
      client: new RayServeClient({
        baseUrl: options.rayServe.url,
        token: options.rayServe.token,
        timeoutMs: options.rayServe.requestTimeoutMs,
        transport: deps.transport,
      }),
      importPath: options.rayServe.importPath,
      deployTimeoutMs: options.rayServe.deployTimeoutMs,
    });
  }
  const deploymentProcessor = new DeploymentProcessor({
    store,
    logger,
    leaseOwner,
    leaseMs: options.reconciler.leaseMs,
    engineRetryTimeoutMs: options.training.engineRetryTimeoutMs,
    targets,
    notifier,
  });

  const models = new ModelAccess({
    catalog: deps.catalog,
    permissions: deps.permissions,
  });
  const training = new DefaultTrainingService({
    store,
    config: options,
    processor,
    ray,
    local,
  });
  const deployments = new DefaultDeploymentService({
    store,
    processor: deploymentProcessor,
  });
  const modelIndex =
    deps.auth && options.health.modelIndex
      ? new CatalogModelIndex({
          catalog: deps.catalog,
          auth: deps.auth,
          logger,
          maxAgeMs: options.health.modelIndex.maxAgeMs,
        })
      : undefined;
  const health = new HealthService({
    store,
    visibility: new ModelVisibility({
      catalog: deps.catalog,
      permissions: deps.permissions,
      index: modelIndex,
      decisionCache:
        deps.cache && deps.auth && options.health.readDecisionTtlMs > 0
          ? {
              cache: deps.cache,
              ttlMs: options.health.readDecisionTtlMs,
              auth: deps.auth,
            }
          : undefined,
    }),
  });
  const reconciler = new Reconciler({
    store,
    runs: processor,
    deployments: deploymentProcessor,
    logger,
    batchSize: options.reconciler.batchSize,
  });

  const driftConfig = readDriftConfig(deps.config);
  const driftPool = new DriftWorkerPool({ size: driftConfig.workers });
  // The local executor always exists; the Ray one with a Ray cluster. The
  // configured one computes reports whose model does not choose.
  const driftExecutors: Partial<Record<'local' | 'ray', DriftExecutor>> = {
    local: new LocalDriftExecutor({
      reader: new DriftDataReader({
        urlReader: deps.urlReader,
        localDataRoots: driftConfig.localDataRoots,
      }),
      pool: driftPool,
    }),
  };
  if (options.ray) {
    driftExecutors.ray = new RayDriftExecutor({
      client: new RayJobsClient({
        baseUrl: options.ray.url,
        token: options.ray.token,
        timeoutMs: options.ray.requestTimeoutMs,
        transport: deps.transport,
      }),
      policy: RemoteSourcePolicy.fromConfig(
        deps.config,
        driftConfig.localDataRoots,
      ),
      ...driftConfig.ray,
    });
  }
  const driftExecutor = driftExecutors[driftConfig.executor];
  if (!driftExecutor) {
    throw new Error(
      "mlops.drift.executor is 'ray' but no Ray cluster is configured: set mlops.executors.ray.url",
    );
  }
  const driftRunner = new DriftRunner({
    store,
    executor: driftExecutor,
    executors: driftExecutors,
    notifier,
    logger,
    leaseOwner,
    leaseMs: driftConfig.leaseMs,
    maxAttempts: driftConfig.maxAttempts,
    maxConcurrent: driftConfig.maxConcurrentReports,
  });
  const drift = new DefaultDriftService({
    store,
    catalog: deps.catalog,
    runner: driftRunner,
    histogramCategories: driftConfig.histogramCategories,
  });
  const driftScheduler = deps.auth
    ? new DriftScheduler({
        store,
        catalog: deps.catalog,
        auth: deps.auth,
        runner: driftRunner,
        logger,
        config: driftConfig,
      })
    : undefined;

  return {
    store,
    models,
    training,
    deployments,
    health,
    reconciler,
    runProcessor: processor,
    deploymentProcessor,
    local,
    ray,
    drift,
    driftRunner,
    driftScheduler,
    shutdown: async () => {
      await local.shutdown();
      await driftPool.close();
    },
  };
}
