import {
  ConflictError,
  InputError,
  isError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  DeploymentRecord,
  MlopsStore,
  Page,
  TargetConfig,
} from '../../database/MlopsStore';
import { EngineError } from '../../engines/EngineError';
import {
  CreateDeploymentRequest,
  Deployment,
  DeploymentDetails,
  DeploymentList,
  DeploymentStatus,
} from '@synth/plugin-mlops-common';
import { requestHash } from '../../lib/hash';
import { ModelContext } from '../ModelAccess';
import { DeploymentProcessor } from './DeploymentProcessor';
import { DeploymentService, StepResult } from './types';

export function toApiDeployment(deployment: DeploymentRecord): Deployment {
  const config = deployment.targetConfig;
  const details: DeploymentDetails =
    config.target === 'lambda'
      ? {
          target: 'lambda',
          functionName: config.functionName,
          alias: config.alias,
          region: config.region,
          publishedVersion: deployment.state.publishedVersion,
          previousVersion: deployment.state.previousVersion,
        }
      : {
          target: 'ray-serve',
          application: config.application,
          routePrefix: config.routePrefix,
          hadPreviousApplication:
            deployment.state.previousApplication === undefined
              ? undefined
              : deployment.state.previousApplication !== null,
        };
  return {
    id: deployment.id,
    modelRef: deployment.modelRef,
    version: deployment.version,
    target: deployment.target,
    strategy: deployment.strategy,
    weight: deployment.weight,
    status: deployment.status,
    statusMessage: deployment.statusMessage,
    details,
    createdBy: deployment.createdBy,
    createdAt: deployment.createdAt.toISOString(),
    updatedAt: deployment.updatedAt.toISOString(),
    finishedAt: deployment.finishedAt?.toISOString(),
  };
}

/** The serving target of an MLModel, or an InputError naming the field. */
export function requireServing(model: ModelContext): TargetConfig {
  const serving = model.entity.spec?.serving as
    | Record<string, unknown>
    | undefined;
  if (!serving || typeof serving !== 'object') {
    throw new InputError(
      `${model.ref} has no serving config: spec.serving is missing`,
    );
  }
  const need = (field: string) => {
    const value = serving[field];
    if (typeof value !== 'string' || value === '') {
      throw new InputError(
        `${model.ref} has no serving config: spec.serving.${field} is missing`,
      );
    }
    return value;
  };
  if (serving.target === 'lambda') {
    return {
      target: 'lambda',
      functionName: need('functionName'),
      alias: need('alias'),
      region: typeof serving.region === 'string' ? serving.region : undefined,
    };
  }
  if (serving.target === 'ray-serve') {
    return {
      target: 'ray-serve',
      application: need('application'),
      routePrefix:
        typeof serving.routePrefix === 'string'
          ? serving.routePrefix
          : undefined,
    };
  }
  throw new InputError(
    `${model.ref}: spec.serving.target '${String(
      serving.target,
    )}' is not supported (lambda or ray-serve)`,
  );
}

/** A target's error as the HTTP error of a promote or rollback request. */
function toRequestError(error: unknown): unknown {
  if (EngineError.is(error)) {
    return error.retryable
      ? new ServiceUnavailableError(error.message, error)
      : new ConflictError(error.message, error);
  }
  return error;
}

export class DefaultDeploymentService implements DeploymentService {
  constructor(
    private readonly options: {
      store: MlopsStore;
      processor: DeploymentProcessor;
    },
  ) {}

  async createDeployment(options: {
    model: ModelContext;
    request: CreateDeploymentRequest;
    idempotencyKey?: string;
    createdBy: string;
  }): Promise<{ deployment: Deployment; created: boolean }> {
    const { model, request } = options;
    const { store, processor } = this.options;
    const targetConfig = requireServing(model);
    const target = processor.target(targetConfig.target);
    if (!target) {
      throw new ServiceUnavailableError(
        targetConfig.target === 'ray-serve'
          ? 'The Ray Serve target is not configured: set mlops.targets.rayServe.url or mlops.executors.ray.url'
          : 'The Lambda target is not configured',
      );
    }
    const version = await store.getModelVersion(model.ref, request.version);
    if (!version) {
      throw new InputError(
        `Version '${request.version}' of ${model.ref} does not exist`,
      );
    }
    const weight = request.strategy === 'canary' ? request.weight : undefined;
    target.validate({
      targetConfig,
      strategy: request.strategy,
      artifactUri: version.artifactUri,
    });
    const hash = requestHash(request);
    const { record, created } = await store.createDeployment({
      modelRef: model.ref,
      version: version.version,
      target: targetConfig.target,
      strategy: request.strategy,
      weight,
      idempotencyKey: options.idempotencyKey,
      requestHash: hash,
      targetConfig,
      artifactUri: version.artifactUri,
      ownerRef: model.ownerRef,
      createdBy: options.createdBy,
    });
    if (!created && record.requestHash !== hash) {
      throw new ConflictError(
        `Idempotency-Key '${options.idempotencyKey}' was already used for deployment ${record.id} of ${model.ref} with a different request`,
      );
    }
    if (created) {
      setImmediate(() => void processor.process(record.id));
    }
    return { deployment: toApiDeployment(record), created };
  }

  getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.options.store.getDeployment(id);
  }

  async listDeployments(modelRef: string, page: Page): Promise<DeploymentList> {
    const result = await this.options.store.listDeployments(modelRef, page);
    return {
      items: result.items.map(toApiDeployment),
      nextCursor: result.nextCursor,
    };
  }

  async promote(deployment: DeploymentRecord): Promise<Deployment> {
    if (deployment.status !== 'canary') {
      throw new ConflictError(
        `Deployment ${deployment.id} is ${deployment.status}; only a canary can be promoted`,
      );
    }
    return this.transition(
      deployment,
      'promoting',
      ['canary'],
      target => target.promote,
    );
  }

  async rollback(deployment: DeploymentRecord): Promise<Deployment> {
    const allowed: DeploymentStatus[] =
      deployment.target === 'lambda'
        ? ['canary', 'succeeded']
        : ['succeeded', 'failed'];
    if (!allowed.includes(deployment.status)) {
      throw new ConflictError(
        `Deployment ${deployment.id} is ${deployment.status}; a ${
          deployment.target
        } deployment can be rolled back when ${allowed.join(' or ')}`,
      );
    }
    if (deployment.status !== 'canary') {
      const latest = await this.options.store.getLatestDeployments(
        deployment.modelRef,
      );
      const newest = latest.find(d => d.target === deployment.target);
      if (newest && newest.id !== deployment.id) {
        throw new ConflictError(
          `Deployment ${deployment.id} is not the latest deployment of ${deployment.modelRef} (${newest.id} is); roll back the latest one`,
        );
      }
    }
    return this.transition(
      deployment,
      'rolling-back',
      allowed,
      target => target.rollback,
    );
  }

  /**
   * Marks the deployment as promoting or rolling back (taking the model's
   * active slot), runs the target call in the request, and records its
   * result. An outage answers 503 and puts the status back; the reconciler
   * finishes a transition cut short by a crash.
   */
  private async transition(
    deployment: DeploymentRecord,
    during: DeploymentStatus,
    from: DeploymentStatus[],
    pick: (
      target: NonNullable<ReturnType<DeploymentProcessor['target']>>,
    ) => (d: DeploymentRecord) => Promise<StepResult>,
  ): Promise<Deployment> {
    const { processor, store } = this.options;
    const target = processor.target(deployment.target);
    if (!target) {
      throw new ServiceUnavailableError(
        `The ${deployment.target} target is not configured`,
      );
    }
    const outcome = await processor.withLease(deployment.id, async current => {
      if (!from.includes(current.status)) {
        throw new ConflictError(
          `Deployment ${current.id} is ${current.status} now`,
        );
      }
      const marked = await store.updateDeployment(
        current.id,
        undefined,
        { status: during, clear: ['firstFailureAt'], failureCount: 0 },
        { expectStatus: [current.status] },
      );
      if (!marked) {
        throw new ConflictError(`Deployment ${current.id} changed meanwhile`);
      }
      const marking = { ...current, status: during };
      let result: StepResult;
      try {
        result = await pick(target).call(target, marking);
      } catch (error) {
        await store.updateDeployment(current.id, undefined, {
          status: current.status,
          statusMessage: `${
            during === 'promoting' ? 'promote' : 'rollback'
          } failed: ${isError(error) ? error.message : String(error)}`,
        });
        throw toRequestError(error);
      }
      const next = await processor.apply(marking, result);
      if (next && next.status !== during) {
        await processor.notify(next);
      }
      return store.getDeployment(current.id);
    });
    if (!outcome) {
      throw new ConflictError(
        `Deployment ${deployment.id} is being worked on right now; try again shortly`,
      );
    }
    return toApiDeployment(outcome.value!);
  }
}
