import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { durationToMilliseconds } from '@backstage/types';
import { notificationService } from '@backstage/plugin-notifications-node';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { readMlopsOptions } from './config';
import { DatabaseMlopsStore } from './database/DatabaseMlopsStore';
import { mlopsPermissions } from '@synth/plugin-mlops-common';
import {
  createExperimentMetricsRouter,
  DefaultExperimentMetricsService,
  MlflowClient,
} from '@synth/plugin-mlops-node';
import { createRouter } from './router';
import {
  ReconcilerCatchUp,
  SCHEDULER_JANITOR_INTERVAL_MS,
} from './reliability/ReconcilerCatchUp';
import { createMlopsServices } from './services/createMlopsServices';

/**
 * The mlops backend plugin: training runs on Ray (or the local development
 * executor), deployments to AWS Lambda and Ray Serve, and model health.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        urlReader: coreServices.urlReader,
        auth: coreServices.auth,
        cache: coreServices.cache,
        catalog: catalogServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const options = readMlopsOptions(deps.config);
        const store = await DatabaseMlopsStore.create({
          database: deps.database,
        });
        // One MLflow client for the model registry and the experiment metrics.
        const mlflow = options.mlflow
          ? MlflowClient.fromConfig(
              deps.config.getConfig('mlops.mlflow'),
              'mlops.mlflow',
            )
          : undefined;
        const services = createMlopsServices({
          options,
          store,
          logger: deps.logger,
          catalog: deps.catalog,
          permissions: deps.permissions,
          urlReader: deps.urlReader,
          notifications: deps.notifications,
          auth: deps.auth,
          cache: deps.cache,
          config: deps.config,
          mlflow,
          leaseOwner: `${os.hostname()}:${process.pid}:${randomUUID().slice(
            0,
            8,
          )}`,
        });

        deps.permissionsRegistry.addPermissions([...mlopsPermissions]);

        // A backend killed mid-pass leaves the global task locked until its
        // timeout plus a janitor round; the catch-up bridges that gap.
        const catchUp = new ReconcilerCatchUp({
          pass: signal => services.reconciler.runOnce(signal),
          logger: deps.logger,
          frequencyMs: durationToMilliseconds(options.reconciler.frequency),
          windowMs:
            durationToMilliseconds(options.reconciler.timeout) +
            SCHEDULER_JANITOR_INTERVAL_MS,
        });
        await deps.scheduler.scheduleTask({
          id: 'mlops-reconciler',
          scope: 'global',
          frequency: options.reconciler.frequency,
          timeout: options.reconciler.timeout,
          fn: signal => catchUp.runScheduled(signal),
        });
        deps.lifecycle.addStartupHook(() => {
          void catchUp.start();
        });
        deps.lifecycle.addShutdownHook(() => catchUp.stop());
        await services.driftScheduler?.schedule(deps.scheduler);
        deps.lifecycle.addShutdownHook(() => services.shutdown());

        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            auditor: deps.auditor,
            models: services.models,
            training: services.training,
            deployments: services.deployments,
            health: services.health,
            drift: services.drift,
          }),
        );
        // GET /models/:namespace/:name/experiment: the model's MLflow runs
        // and metric histories, read server-side with the backend's MLflow
        // credentials for callers who can see the model in the catalog.
        deps.httpRouter.use(
          createExperimentMetricsRouter({
            service: new DefaultExperimentMetricsService({ client: mlflow }),
            httpAuth: deps.httpAuth,
            catalog: deps.catalog,
          }),
        );
        deps.logger.info(
          `mlops: executors ${
            [
              options.ray && `ray (${options.ray.url})`,
              options.local.enabled && 'local',
            ]
              .filter(Boolean)
              .join(', ') || 'none'
          }; model registry ${
            options.mlflow ? `MLflow (${options.mlflow.url})` : 'internal'
          }`,
        );
      },
    });
  },
});
