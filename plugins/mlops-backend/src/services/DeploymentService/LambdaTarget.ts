import {
  CreateAliasCommand,
  CreateFunctionCommand,
  FunctionCode,
  GetAliasCommand,
  GetAliasCommandOutput,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  Runtime,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { ConflictError, InputError } from '@backstage/errors';
import { LambdaOptions } from '../../config';
import {
  DeploymentRecord,
  LambdaTargetConfig,
} from '../../database/MlopsStore';
import { EngineError } from '../../engines/EngineError';
import {
  assertAllowedArtifactPath,
  LambdaZipLimits,
  localArtifactPath,
  packageLocalArtifact,
} from './lambdaPackage';
import { StepResult, DeploymentTarget } from './types';

const RETRYABLE_NAMES = new Set([
  'ResourceConflictException', // an update is in progress (409)
  'TooManyRequestsException',
  'ThrottlingException',
  'ServiceException',
  'EC2ThrottledException',
  'TimeoutError', // a waiter ran out of time; the next pass looks again
  'AbortError',
]);

/** An SDK error as an {@link EngineError}, retryable for outages and conflicts. */
export function toLambdaError(
  error: unknown,
  functionName: string,
): EngineError {
  const err = error as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? 'Error';
  if (name === 'PreconditionFailedException') {
    return new EngineError({
      engine: `AWS Lambda (${functionName})`,
      message:
        'the alias was changed by someone else since it was read (RevisionId mismatch); not overwriting it',
      retryable: false,
      status,
      cause: error,
    });
  }
  const network =
    status === undefined &&
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|TimeoutError/i.test(
      `${err.code ?? ''} ${err.message ?? ''} ${name}`,
    );
  return new EngineError({
    engine: `AWS Lambda (${functionName})`,
    message: `${name}: ${err.message ?? String(error)}`,
    retryable:
      network ||
      RETRYABLE_NAMES.has(name) ||
      (status !== undefined && (status >= 500 || status === 429)),
    status,
    cause: error,
  });
}

/** The code location of a Lambda artefact: an S3 zip or a container image. */
export function lambdaCodeOf(
  artifactUri: string | undefined,
): { S3Bucket: string; S3Key: string } | { ImageUri: string } {
  if (artifactUri?.startsWith('s3://')) {
    const rest = artifactUri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    if (slash > 0 && slash < rest.length - 1) {
      return { S3Bucket: rest.slice(0, slash), S3Key: rest.slice(slash + 1) };
    }
  }
  if (
    artifactUri &&
    /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[^\s]+$/.test(
      artifactUri,
    )
  ) {
    return { ImageUri: artifactUri };
  }
  throw new InputError(
    `The artefact '${
      artifactUri ?? '(none)'
    }' cannot be deployed to AWS Lambda: expected s3://<bucket>/<key>.zip, an ECR image URI, or a file: URL of a local training run's output`,
  );
}

export type WaitForUpdate = (
  client: LambdaClient,
  functionName: string,
  maxWaitSeconds: number,
  /** `active` after CreateFunction, `updated` after UpdateFunctionCode. */
  until?: 'updated' | 'active',
) => Promise<void>;

const defaultWaitForUpdate: WaitForUpdate = async (
  client,
  functionName,
  maxWaitSeconds,
  until = 'updated',
) => {
  await (until === 'active'
    ? waitUntilFunctionActiveV2
    : waitUntilFunctionUpdatedV2)(
    { client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 },
    { FunctionName: functionName },
  );
};

/**
 * Deploys model versions to an AWS Lambda alias: UpdateFunctionCode (and
 * wait), PublishVersion with the CodeSha256 it returned, then UpdateAlias
 * with the RevisionId read just before (or CreateAlias for the first
 * deployment). A canary keeps the alias on the current version and routes
 * `weight` of the traffic to the new one; promote and rollback rewrite the
 * alias, again guarded by its RevisionId. Every step is safe to repeat.
 *
 * A local artefact (a file: URL of a local training run's output, inside
 * `localArtifactRoots`) is zipped and sent as ZipFile. A function that does
 * not exist is created (CreateFunction) when `createFunction` is configured.
 */
export class LambdaTarget implements DeploymentTarget {
  readonly name = 'lambda' as const;
  private readonly clients = new Map<string, LambdaClient>();

  constructor(
    private readonly options: LambdaOptions & {
      /** Replaces the SDK waiter (tests). */
      waitForUpdate?: WaitForUpdate;
      /** Builds clients (tests); defaults to `new LambdaClient`. */
      createClient?: (region: string | undefined) => LambdaClient;
      maxAttempts?: number;
      /**
       * Directories whose files may be packaged: the local executor's
       * artefact directory. Default none, so file: artefacts are refused.
       */
      localArtifactRoots?: string[];
      /** Overrides Lambda's package size limits (tests). */
      zipLimits?: LambdaZipLimits;
    },
  ) {}

  regionOf(config: LambdaTargetConfig): string | undefined {
    return (
      config.region ??
      this.options.region ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION
    );
  }

  validate(deployment: {
    targetConfig: LambdaTargetConfig;
    strategy: string;
    artifactUri?: string;
  }): void {
    const local = localArtifactPath(deployment.artifactUri);
    if (local) {
      assertAllowedArtifactPath(
        deployment.artifactUri!,
        local,
        this.options.localArtifactRoots ?? [],
      );
    } else {
      lambdaCodeOf(deployment.artifactUri);
    }
    if (!this.regionOf(deployment.targetConfig)) {
      throw new InputError(
        'No AWS region for the Lambda target: set spec.serving.region, mlops.targets.lambda.region or AWS_REGION',
      );
    }
  }

  private client(config: LambdaTargetConfig): LambdaClient {
    const region = this.regionOf(config);
    const key = region ?? '';
    let client = this.clients.get(key);
    if (!client) {
      client = this.options.createClient
        ? this.options.createClient(region)
        : new LambdaClient({
            region,
            endpoint: this.options.endpoint,
            credentials: this.options.credentials,
            maxAttempts: this.options.maxAttempts,
          });
      this.clients.set(key, client);
    }
    return client;
  }

  private async call<T>(
    config: LambdaTargetConfig,
    fn: (client: LambdaClient) => Promise<T>,
  ): Promise<T> {
    try {
      return await fn(this.client(config));
    } catch (error) {
      throw EngineError.is(error)
        ? error
        : toLambdaError(error, config.functionName);
    }
  }

  /** The Code of UpdateFunctionCode / CreateFunction for an artefact. */
  private async codeOf(
    artifactUri: string | undefined,
  ): Promise<
    | { ZipFile: Uint8Array }
    | { S3Bucket: string; S3Key: string }
    | { ImageUri: string }
  > {
    if (localArtifactPath(artifactUri)) {
      return {
        ZipFile: await packageLocalArtifact({
          artifactUri: artifactUri!,
          roots: this.options.localArtifactRoots ?? [],
          limits: this.options.zipLimits,
        }),
      };
    }
    return lambdaCodeOf(artifactUri);
  }

  /**
   * UpdateFunctionCode, or CreateFunction when the function does not exist
   * and `createFunction` is configured. A function created by an earlier,
   * interrupted attempt is simply updated on the next pass.
   */
  private async updateOrCreate(
    deployment: DeploymentRecord,
    config: LambdaTargetConfig,
    code: FunctionCode,
  ): Promise<{ codeSha256?: string; created: boolean }> {
    const client = this.client(config);
    try {
      const updated = await client.send(
        new UpdateFunctionCodeCommand({
          FunctionName: config.functionName,
          ...code,
        }),
      );
      return { codeSha256: updated.CodeSha256, created: false };
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') {
        throw toLambdaError(error, config.functionName);
      }
      const create = this.options.createFunction;
      if (!create) {
        throw new EngineError({
          engine: `AWS Lambda (${config.functionName})`,
          message: `function ${config.functionName} does not exist; create it, or set mlops.targets.lambda.createFunction.roleArn so that deployments create it`,
          retryable: false,
          status: 404,
          cause: error,
        });
      }
      const image = code.ImageUri !== undefined;
      const created = await this.call(config, c =>
        c.send(
          new CreateFunctionCommand({
            FunctionName: config.functionName,
            Role: create.roleArn,
            Code: code,
            ...(image
              ? { PackageType: 'Image' }
              : {
                  PackageType: 'Zip',
                  // Checked by Lambda itself: newer runtimes need no SDK update.
                  Runtime: create.runtime as Runtime,
                  Handler: create.handler,
                }),
            Description: `mlops ${deployment.modelRef}`,
            Publish: false,
          }),
        ),
      );
      return { codeSha256: created.CodeSha256, created: true };
    }
  }

  private async getAlias(
    config: LambdaTargetConfig,
  ): Promise<GetAliasCommandOutput | undefined> {
    try {
      return await this.client(config).send(
        new GetAliasCommand({
          FunctionName: config.functionName,
          Name: config.alias,
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        return undefined;
      }
      throw toLambdaError(error, config.functionName);
    }
  }

  async advance(deployment: DeploymentRecord): Promise<StepResult> {
    if (deployment.status === 'promoting') {
      return this.promote(deployment);
    }
    if (deployment.status === 'rolling-back') {
      return this.rollback(deployment);
    }
    const config = deployment.targetConfig as LambdaTargetConfig;
    const state = { ...deployment.state };
    const phase = state.phase ?? 'update-code';

    if (phase === 'update-code') {
      const code = await this.codeOf(deployment.artifactUri);
      const updated = await this.updateOrCreate(deployment, config, code);
      await this.call(config, c =>
        (this.options.waitForUpdate ?? defaultWaitForUpdate)(
          c,
          config.functionName,
          Math.max(2, Math.round(this.options.updateTimeoutMs / 1000)),
          updated.created ? 'active' : 'updated',
        ),
      );
      return {
        status: 'deploying',
        state: { ...state, codeSha256: updated.codeSha256, phase: 'publish' },
        message: updated.created
          ? `function ${config.functionName} created; publishing a version`
          : 'code updated; publishing a version',
        again: true,
      };
    }

    if (phase === 'publish') {
      const published = await this.call(config, c =>
        c.send(
          new PublishVersionCommand({
            FunctionName: config.functionName,
            CodeSha256: state.codeSha256,
            Description: `${deployment.modelRef} version ${deployment.version} (mlops deployment ${deployment.id})`,
          }),
        ),
      );
      const version = published.Version;
      if (!version || version === '$LATEST') {
        throw new EngineError({
          engine: `AWS Lambda (${config.functionName})`,
          message: 'PublishVersion returned no version',
          retryable: true,
        });
      }
      const configuration = await this.call(config, c =>
        c.send(
          new GetFunctionConfigurationCommand({
            FunctionName: config.functionName,
            Qualifier: version,
          }),
        ),
      );
      if (configuration.State === 'Failed') {
        throw new EngineError({
          engine: `AWS Lambda (${config.functionName})`,
          message: `version ${version} failed: ${
            configuration.StateReason ?? 'no reason given'
          }`,
          retryable: false,
        });
      }
      return {
        status: 'deploying',
        state: { ...state, publishedVersion: version, phase: 'route' },
        message: `published version ${version}${
          configuration.State === 'Pending' ? ' (pending)' : ''
        }; updating alias ${config.alias}`,
        again: configuration.State !== 'Pending',
        delayMs: configuration.State === 'Pending' ? 2_000 : undefined,
      };
    }

    if (phase === 'route') {
      const version = state.publishedVersion!;
      const alias = await this.getAlias(config);
      if (!alias) {
        if (deployment.strategy === 'canary') {
          throw new EngineError({
            engine: `AWS Lambda (${config.functionName})`,
            message: `alias ${config.alias} does not exist yet, so there is no version to keep for a canary; deploy all-at-once first`,
            retryable: false,
          });
        }
        await this.call(config, c =>
          c.send(
            new CreateAliasCommand({
              FunctionName: config.functionName,
              Name: config.alias,
              FunctionVersion: version,
              Description: `mlops ${deployment.modelRef}`,
            }),
          ),
        );
        return {
          status: 'succeeded',
          state: { ...state, aliasExisted: false, phase: 'done' },
          message: `alias ${config.alias} created on version ${version}`,
        };
      }
      const current = alias.FunctionVersion!;
      const previousVersion = state.previousVersion ?? current;
      if (current === version) {
        if (deployment.strategy === 'canary') {
          throw new EngineError({
            engine: `AWS Lambda (${config.functionName})`,
            message: `version ${version} is already the live version of alias ${config.alias}; nothing to canary`,
            retryable: false,
          });
        }
        await this.call(config, c =>
          c.send(
            new UpdateAliasCommand({
              FunctionName: config.functionName,
              Name: config.alias,
              FunctionVersion: version,
              RoutingConfig: { AdditionalVersionWeights: {} },
              RevisionId: alias.RevisionId,
            }),
          ),
        );
        return {
          status: 'succeeded',
          state: {
            ...state,
            aliasExisted: true,
            previousVersion,
            phase: 'done',
          },
          message: `alias ${config.alias} already served version ${version}`,
        };
      }
      const canary = deployment.strategy === 'canary';
      await this.call(config, c =>
        c.send(
          new UpdateAliasCommand({
            FunctionName: config.functionName,
            Name: config.alias,
            FunctionVersion: canary ? current : version,
            RoutingConfig: {
              AdditionalVersionWeights: canary
                ? { [version]: deployment.weight! }
                : {},
            },
            RevisionId: alias.RevisionId,
          }),
        ),
      );
      return {
        status: canary ? 'canary' : 'succeeded',
        state: {
          ...state,
          aliasExisted: true,
          previousVersion: current,
          phase: 'done',
        },
        message: canary
          ? `alias ${config.alias} sends ${Math.round(
              deployment.weight! * 100,
            )}% of traffic to version ${version}, the rest to version ${current}`
          : `alias ${config.alias} moved from version ${current} to ${version}`,
      };
    }
    return { status: deployment.status, state };
  }

  private aliasFacts(
    alias: GetAliasCommandOutput | undefined,
    version?: string,
  ) {
    const weights = alias?.RoutingConfig?.AdditionalVersionWeights ?? {};
    return {
      live: alias?.FunctionVersion,
      routesCanary: version !== undefined && weights[version] !== undefined,
      hasWeights: Object.keys(weights).length > 0,
    };
  }

  /** Canary to full traffic. Idempotent: an alias already on the version counts as done. */
  async promote(deployment: DeploymentRecord): Promise<StepResult> {
    const config = deployment.targetConfig as LambdaTargetConfig;
    const version = deployment.state.publishedVersion!;
    const alias = await this.getAlias(config);
    const facts = this.aliasFacts(alias, version);
    const done: StepResult = {
      status: 'succeeded',
      state: deployment.state,
      message: `promoted: alias ${config.alias} serves version ${version}`,
    };
    if (facts.live === version && !facts.hasWeights) {
      return done;
    }
    if (!alias || !facts.routesCanary) {
      throw new ConflictError(
        `Alias ${config.alias} of ${config.functionName} no longer routes canary traffic to version ${version}; it was changed outside this deployment`,
      );
    }
    await this.call(config, c =>
      c.send(
        new UpdateAliasCommand({
          FunctionName: config.functionName,
          Name: config.alias,
          FunctionVersion: version,
          RoutingConfig: { AdditionalVersionWeights: {} },
          RevisionId: alias.RevisionId,
        }),
      ),
    );
    return done;
  }

  /**
   * Back to the version the alias served before the deployment. Idempotent:
   * an alias already back on it counts as done.
   */
  async rollback(deployment: DeploymentRecord): Promise<StepResult> {
    const config = deployment.targetConfig as LambdaTargetConfig;
    const previous = deployment.state.previousVersion;
    const version = deployment.state.publishedVersion;
    if (!previous || !version || deployment.state.aliasExisted === false) {
      throw new ConflictError(
        `Nothing to roll back to: alias ${config.alias} did not exist before deployment ${deployment.id}`,
      );
    }
    const alias = await this.getAlias(config);
    const facts = this.aliasFacts(alias, version);
    const done: StepResult = {
      status: 'rolled-back',
      state: deployment.state,
      message: `rolled back: alias ${config.alias} serves version ${previous} again`,
    };
    if (facts.live === previous && !facts.routesCanary) {
      return done;
    }
    if (!alias || !(facts.routesCanary || facts.live === version)) {
      throw new ConflictError(
        `Alias ${config.alias} of ${config.functionName} no longer serves version ${version}; it was changed outside this deployment`,
      );
    }
    await this.call(config, c =>
      c.send(
        new UpdateAliasCommand({
          FunctionName: config.functionName,
          Name: config.alias,
          FunctionVersion: previous,
          RoutingConfig: { AdditionalVersionWeights: {} },
          RevisionId: alias.RevisionId,
        }),
      ),
    );
    return done;
  }
}
