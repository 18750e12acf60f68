import {
  LoggerService,
  PermissionsService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { MlopsOptions } from '../config';
import { MlopsStore } from '../database/MlopsStore';
import { HttpTransport } from '../engines/http';
import { MlflowClient } from '../engines/MlflowClient';
import { RayJobsClient } from '../engines/RayJobsClient';
import { RayServeClient } from '../engines/RayServeClient';
import { DefaultDeploymentService } from './DeploymentService/DefaultDeploymentService';
import { DeploymentProcessor } from './DeploymentService/DeploymentProcessor';
import { LambdaTarget } from './DeploymentService/LambdaTarget';
import { RayServeTarget } from './DeploymentService/RayServeTarget';
import { DeploymentTarget } from './DeploymentService/types';
import { HealthService } from './HealthService/HealthService';
import { ModelAccess } from './ModelAccess';
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
  leaseOwner: string;
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
    mlflow: options.mlflow
      ? new MlflowClient({
          baseUrl: options.mlflow.url,
          token: options.mlflow.token,
          timeoutMs: options.mlflow.requestTimeoutMs,
          transport: deps.transport,
        })
      : undefined,
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
    lambda: deps.lambdaTarget ?? new LambdaTarget({ ...options.lambda }),
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
  const health = new HealthService({ store });
  const reconciler = new Reconciler({
    store,
    runs: processor,
    deployments: deploymentProcessor,
    logger,
    batchSize: options.reconciler.batchSize,
  });

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
    shutdown: () => local.shutdown(),
  };
}
