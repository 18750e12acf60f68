import { ConflictError, InputError } from '@backstage/errors';
import {
  DeploymentRecord,
  DeploymentState,
  RayServeTargetConfig,
} from '../../database/MlopsStore';
import { EngineError } from '../../engines/EngineError';
import {
  RayServeClient,
  ServeApplicationConfig,
  ServeInstanceDetails,
} from '../../engines/RayServeClient';
import { DeploymentTarget, StepResult } from './types';

/** URIs Ray can fetch a working_dir package from. */
const REMOTE_URI = /^(gcs|gs|s3|https?):\/\/\S+$/;

const POLL_MS = 2_000;

/**
 * Deploys model versions as Ray Serve applications through the declarative
 * REST API. The version's artefact URI becomes the application's
 * `runtime_env.working_dir` and `mlops.targets.rayServe.importPath` its
 * import path. Every other application is sent back unchanged (the PUT
 * deletes what it does not name), and the application's previous config is
 * kept for rollback. Ray Serve has no weighted routing between versions, so
 * only all-at-once deployments are offered.
 */
export class RayServeTarget implements DeploymentTarget {
  readonly name = 'ray-serve' as const;

  constructor(
    private readonly options: {
      client: RayServeClient;
      importPath: string;
      deployTimeoutMs: number;
    },
  ) {}

  validate(deployment: { strategy: string; artifactUri?: string }): void {
    if (deployment.strategy !== 'all-at-once') {
      throw new InputError(
        'Ray Serve has no weighted routing between versions; use strategy all-at-once',
      );
    }
    if (!deployment.artifactUri || !REMOTE_URI.test(deployment.artifactUri)) {
      throw new InputError(
        `The artefact '${
          deployment.artifactUri ?? '(none)'
        }' cannot be deployed to Ray Serve: expected a package URI Ray can fetch (gcs://, s3://, https://…zip)`,
      );
    }
  }

  private engineError(message: string): EngineError {
    return new EngineError({ engine: 'Ray Serve', message, retryable: false });
  }

  /** The other applications' configs, refusing to drop imperatively deployed ones. */
  private others(
    details: ServeInstanceDetails,
    application: string,
  ): ServeApplicationConfig[] {
    const others: ServeApplicationConfig[] = [];
    for (const [name, app] of Object.entries(details.applications)) {
      if (name === application || app.status === 'DELETING') {
        // A deleting application is on its way out; leaving it out is what
        // the last PUT asked for.
        continue;
      }
      if (!app.deployed_app_config) {
        throw this.engineError(
          `application '${name}' was not deployed from a config (no deployed_app_config); a declarative PUT would delete it`,
        );
      }
      others.push(app.deployed_app_config);
    }
    return others;
  }

  private buildApplication(
    deployment: DeploymentRecord,
    previous: ServeApplicationConfig | null,
  ): ServeApplicationConfig {
    const config = deployment.targetConfig as RayServeTargetConfig;
    const previousEnv = (previous?.runtime_env ?? {}) as Record<string, any>;
    return {
      ...(previous ?? {}),
      name: config.application,
      route_prefix:
        config.routePrefix ??
        previous?.route_prefix ??
        `/${config.application}`,
      import_path: this.options.importPath,
      runtime_env: {
        ...previousEnv,
        working_dir: deployment.artifactUri,
        env_vars: {
          ...(previousEnv.env_vars ?? {}),
          MLOPS_MODEL_REF: deployment.modelRef,
          MLOPS_MODEL_VERSION: deployment.version,
          MLOPS_DEPLOYMENT_ID: deployment.id,
        },
      },
    };
  }

  async advance(deployment: DeploymentRecord): Promise<StepResult> {
    const config = deployment.targetConfig as RayServeTargetConfig;
    const { client } = this.options;
    const state: DeploymentState = { ...deployment.state };

    if (deployment.status === 'rolling-back') {
      return state.phase === 'wait-rollback'
        ? this.waitFor(deployment, state, 'rollback')
        : this.rollback(deployment);
    }
    if (state.phase === 'wait-serve') {
      return this.waitFor(deployment, state, 'deploy');
    }

    const details = await client.getApplications();
    const ours = details.applications[config.application];
    if (ours && !ours.deployed_app_config) {
      throw this.engineError(
        `application '${config.application}' was not deployed from a config; redeploy it declaratively first`,
      );
    }
    const previous =
      state.previousApplication !== undefined
        ? (state.previousApplication as ServeApplicationConfig | null)
        : ours?.deployed_app_config ?? null;
    const application = this.buildApplication(deployment, previous);
    await client.putApplications({
      applications: [...this.others(details, config.application), application],
    });
    return {
      status: 'deploying',
      state: {
        ...state,
        previousApplication: previous,
        application,
        phase: 'wait-serve',
        waitStartedAt: new Date().toISOString(),
      },
      message: `applied application ${config.application}; waiting for RUNNING`,
      delayMs: POLL_MS,
    };
  }

  private async waitFor(
    deployment: DeploymentRecord,
    state: DeploymentState,
    what: 'deploy' | 'rollback',
  ): Promise<StepResult> {
    const config = deployment.targetConfig as RayServeTargetConfig;
    const details = await this.options.client.getApplications();
    const app = details.applications[config.application];
    const removed = what === 'rollback' && !state.previousApplication;
    const done = what === 'deploy' ? 'succeeded' : 'rolled-back';
    if (removed && !app) {
      return {
        status: done,
        state: { ...state, phase: 'done' },
        message: `rolled back: application ${config.application} removed (it did not exist before)`,
      };
    }
    const expected = (
      (what === 'deploy' ? state.application : state.previousApplication) as
        | ServeApplicationConfig
        | undefined
    )?.runtime_env?.working_dir;
    const applied =
      app?.deployed_app_config?.runtime_env?.working_dir === expected;
    if (app && applied && app.status === 'RUNNING') {
      return {
        status: done,
        state: { ...state, phase: 'done' },
        message:
          what === 'deploy'
            ? `application ${config.application} is RUNNING version ${deployment.version}`
            : `rolled back: application ${config.application} is RUNNING its previous config`,
      };
    }
    if (
      app &&
      applied &&
      (app.status === 'DEPLOY_FAILED' || app.status === 'UNHEALTHY')
    ) {
      return {
        status: 'failed',
        state: { ...state, phase: 'done' },
        message: `${what === 'deploy' ? '' : 'rollback: '}application ${
          config.application
        } is ${app.status}: ${app.message ?? 'no message'}`.trim(),
      };
    }
    const started = Date.parse(state.waitStartedAt ?? '') || Date.now();
    if (Date.now() - started > this.options.deployTimeoutMs) {
      return {
        status: 'failed',
        state: { ...state, phase: 'done' },
        message: `${what === 'deploy' ? '' : 'rollback: '}application ${
          config.application
        } did not become RUNNING within ${Math.round(
          this.options.deployTimeoutMs / 1000,
        )} s (last status ${app?.status ?? 'absent'}${
          app?.message ? `: ${app.message}` : ''
        })`,
      };
    }
    return {
      status: deployment.status,
      state,
      message: `application ${config.application} is ${
        app?.status ?? 'not there yet'
      }`,
      delayMs: POLL_MS,
    };
  }

  async promote(): Promise<StepResult> {
    throw new ConflictError(
      'Only canary deployments can be promoted, and Ray Serve deployments are all-at-once',
    );
  }

  async rollback(deployment: DeploymentRecord): Promise<StepResult> {
    const config = deployment.targetConfig as RayServeTargetConfig;
    const { client } = this.options;
    const details = await client.getApplications();
    const previous = (deployment.state.previousApplication ??
      null) as ServeApplicationConfig | null;
    await client.putApplications({
      applications: [
        ...this.others(details, config.application),
        ...(previous ? [previous] : []),
      ],
    });
    return {
      status: 'rolling-back',
      state: {
        ...deployment.state,
        phase: 'wait-rollback',
        waitStartedAt: new Date().toISOString(),
      },
      message: previous
        ? `restoring the previous config of ${config.application}`
        : `removing ${config.application}, which did not exist before`,
      delayMs: POLL_MS,
    };
  }
}
