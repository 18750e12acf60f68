import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import {
  DeploymentStatus,
  TERMINAL_DEPLOYMENT_STATUSES,
} from '@synth/plugin-mlops-common';
import { NEVER } from '../../database/DatabaseMlopsStore';
import {
  DeploymentPatch,
  DeploymentRecord,
  MlopsStore,
} from '../../database/MlopsStore';
import { EngineError } from '../../engines/EngineError';
import { backoffMs } from '../../lib/backoff';
import { Notifier } from '../Notifier';
import { DeploymentTarget, StepResult } from './types';

/** Statuses the processor drives forward. */
const WORKING: DeploymentStatus[] = [
  'pending',
  'deploying',
  'promoting',
  'rolling-back',
];

/** Statuses worth a notification once reached. */
const NOTIFY: DeploymentStatus[] = [...TERMINAL_DEPLOYMENT_STATUSES, 'canary'];

export type DeploymentProcessorOptions = {
  store: MlopsStore;
  logger: LoggerService;
  leaseOwner: string;
  leaseMs: number;
  engineRetryTimeoutMs: number;
  targets: Partial<Record<'lambda' | 'ray-serve', DeploymentTarget>>;
  notifier: Notifier;
};

/**
 * Moves deployments forward under their lease, one target step at a time,
 * with the same retry rules as training runs: outages back off until
 * `mlops.training.engineRetryTimeout`, definite errors fail the deployment.
 */
export class DeploymentProcessor {
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: DeploymentProcessorOptions) {}

  target(name: string): DeploymentTarget | undefined {
    return this.options.targets[name as 'lambda' | 'ray-serve'];
  }

  async process(id: string): Promise<void> {
    await this.withLease(id, async deployment => {
      await this.step(deployment);
    }).catch(error =>
      this.options.logger.error(`Processing deployment ${id} failed`, error),
    );
  }

  /**
   * Runs `fn` with the deployment's lease (renewed while `fn` runs); resolves
   * to undefined when another worker holds it.
   */
  async withLease<T>(
    id: string,
    fn: (deployment: DeploymentRecord) => Promise<T>,
  ): Promise<{ value: T } | undefined> {
    if (this.inFlight.has(id)) {
      return undefined;
    }
    this.inFlight.add(id);
    const { store, leaseOwner, leaseMs } = this.options;
    try {
      if (!(await store.claimDeployment(id, leaseOwner, leaseMs))) {
        return undefined;
      }
      const renew = setInterval(
        () =>
          void store
            .renewDeploymentLease(id, leaseOwner, leaseMs)
            .catch(() => undefined),
        Math.max(1000, Math.floor(leaseMs / 3)),
      );
      try {
        const deployment = await store.getDeployment(id);
        if (!deployment) {
          return undefined;
        }
        return { value: await fn(deployment) };
      } finally {
        clearInterval(renew);
        await store.releaseDeployment(id, leaseOwner);
      }
    } finally {
      this.inFlight.delete(id);
    }
  }

  private async step(deployment: DeploymentRecord): Promise<void> {
    let current = deployment;
    for (let i = 0; i < 6; i++) {
      if (!WORKING.includes(current.status)) {
        await this.notify(current);
        return;
      }
      const target = this.target(current.target);
      if (!target) {
        await this.apply(current, {
          status: 'failed',
          state: current.state,
          message: `the ${current.target} target is not configured on this backend`,
        });
        return;
      }
      let result: StepResult | undefined;
      try {
        result = await target.advance(current);
      } catch (error) {
        await this.onError(current, error);
        return;
      }
      const next = await this.apply(current, result);
      if (!next || !result.again) {
        if (next && !WORKING.includes(next.status)) {
          await this.notify(next);
        }
        return;
      }
      current = next;
    }
  }

  /** Writes a step's result; returns the updated deployment. */
  async apply(
    deployment: DeploymentRecord,
    result: StepResult,
  ): Promise<DeploymentRecord | undefined> {
    const working = WORKING.includes(result.status);
    const patch: DeploymentPatch = {
      status: result.status,
      state: result.state,
      failureCount: 0,
      clear: ['firstFailureAt'],
      nextCheckAt: working
        ? new Date(Date.now() + (result.delayMs ?? 0))
        : new Date(),
      ...(result.message ? { statusMessage: result.message } : {}),
      ...(TERMINAL_DEPLOYMENT_STATUSES.includes(result.status)
        ? { finishedAt: new Date() }
        : {}),
    };
    await this.options.store.updateDeployment(
      deployment.id,
      this.options.leaseOwner,
      patch,
    );
    if (result.status !== deployment.status) {
      this.options.logger.info(
        `Deployment ${deployment.id} of ${deployment.modelRef} version ${
          deployment.version
        } is ${result.status}${result.message ? `: ${result.message}` : ''}`,
      );
    }
    return this.options.store.getDeployment(deployment.id);
  }

  async notify(deployment: DeploymentRecord): Promise<void> {
    const { store, leaseOwner, notifier } = this.options;
    if (
      NOTIFY.includes(deployment.status) &&
      deployment.notifiedStatus !== deployment.status
    ) {
      await notifier.deploymentFinished(deployment);
    }
    await store.updateDeployment(deployment.id, leaseOwner, {
      notifiedStatus: deployment.status,
      nextCheckAt: NEVER,
    });
  }

  private async onError(
    deployment: DeploymentRecord,
    error: unknown,
  ): Promise<void> {
    const message = isError(error) ? error.message : String(error);
    const retryable =
      (EngineError.is(error) && error.retryable) ||
      (!EngineError.is(error) &&
        !(
          isError(error) &&
          ['InputError', 'ConflictError', 'NotAllowedError'].includes(
            error.name,
          )
        ));
    const now = new Date();
    const firstFailureAt = deployment.firstFailureAt ?? now;
    const elapsed = now.getTime() - firstFailureAt.getTime();
    if (!retryable || elapsed >= this.options.engineRetryTimeoutMs) {
      const failed = await this.apply(deployment, {
        status: deployment.status === 'promoting' ? 'canary' : 'failed',
        state: deployment.state,
        message: retryable
          ? `gave up after ${Math.round(
              elapsed / 1000,
            )} s of failures: ${message}`
          : message,
      });
      if (failed) {
        await this.notify(failed);
      }
      return;
    }
    const failureCount = deployment.failureCount + 1;
    this.options.logger.warn(
      `Deployment ${deployment.id}: ${message} (attempt ${failureCount}, retrying)`,
    );
    await this.options.store.updateDeployment(
      deployment.id,
      this.options.leaseOwner,
      {
        failureCount,
        firstFailureAt,
        statusMessage: `retrying: ${message}`,
        nextCheckAt: new Date(now.getTime() + backoffMs(failureCount)),
      },
    );
  }
}
