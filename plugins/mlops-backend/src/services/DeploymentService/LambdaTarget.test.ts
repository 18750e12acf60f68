import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceConflictException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DeploymentRecord } from '../../database/MlopsStore';
import { EngineError } from '../../engines/EngineError';
import { lambdaCodeOf, LambdaTarget } from './LambdaTarget';

// Failure paths moto cannot produce (engines.md §8.9): an update still in
// progress, a failed update, a 409 while an update runs, a stale RevisionId.
const lambda = mockClient(LambdaClient);

function deployment(
  overrides: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  return {
    id: 'd1',
    modelRef: 'mlmodel:default/m',
    version: '3',
    target: 'lambda',
    strategy: 'all-at-once',
    status: 'pending',
    requestHash: 'h',
    targetConfig: {
      target: 'lambda',
      functionName: 'fn',
      alias: 'live',
      region: 'eu-west-1',
    },
    artifactUri: 's3://bucket/models/m.zip',
    state: {},
    createdBy: 'user:default/alice',
    failureCount: 0,
    nextCheckAt: new Date(),
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  };
}

function target() {
  return new LambdaTarget({
    updateTimeoutMs: 5_000,
    createClient: region =>
      new LambdaClient({
        region,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
  });
}

beforeEach(() => lambda.reset());

describe('LambdaTarget', () => {
  it('waits while the update is InProgress, then publishes with the CodeSha256', async () => {
    lambda
      .on(UpdateFunctionCodeCommand)
      .resolves({ CodeSha256: 'sha-1', LastUpdateStatus: 'InProgress' });
    lambda
      .on(GetFunctionCommand)
      .resolvesOnce({ Configuration: { LastUpdateStatus: 'InProgress' } })
      .resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
    const step = await target().advance(deployment());
    expect(step).toMatchObject({
      status: 'deploying',
      state: { codeSha256: 'sha-1', phase: 'publish' },
      again: true,
    });
    expect(lambda.commandCalls(GetFunctionCommand).length).toBe(2);
    expect(
      lambda.commandCalls(UpdateFunctionCodeCommand)[0].args[0].input,
    ).toEqual({
      FunctionName: 'fn',
      S3Bucket: 'bucket',
      S3Key: 'models/m.zip',
    });

    lambda.on(PublishVersionCommand).resolves({ Version: '7' });
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' });
    const published = await target().advance(
      deployment({ state: step.state, status: 'deploying' }),
    );
    expect(
      lambda.commandCalls(PublishVersionCommand)[0].args[0].input,
    ).toMatchObject({
      FunctionName: 'fn',
      CodeSha256: 'sha-1',
    });
    expect(published.state).toMatchObject({
      publishedVersion: '7',
      phase: 'route',
    });
  });

  it('fails for good when the update fails', async () => {
    lambda.on(UpdateFunctionCodeCommand).resolves({ CodeSha256: 'sha-1' });
    lambda.on(GetFunctionCommand).resolves({
      Configuration: {
        LastUpdateStatus: 'Failed',
        LastUpdateStatusReason:
          'Unzipped size must be smaller than 262144000 bytes',
      },
    });
    const error = await target()
      .advance(deployment())
      .catch(e => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.retryable).toBe(false);
  });

  it('retries a 409 while another update runs', async () => {
    lambda.on(UpdateFunctionCodeCommand).rejects(
      new ResourceConflictException({
        message:
          'The operation cannot be performed at this time. An update is in progress for resource: fn',
        $metadata: { httpStatusCode: 409 },
      }),
    );
    const error = await target()
      .advance(deployment())
      .catch(e => e);
    expect(error).toMatchObject({
      name: 'EngineError',
      retryable: true,
      status: 409,
    });
    expect(error.message).toContain('ResourceConflictException');
  });

  it('never overwrites an alias changed since it was read', async () => {
    lambda
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '6', RevisionId: 'rev-1' });
    lambda.on(UpdateAliasCommand).rejects(
      new PreconditionFailedException({
        message:
          'The Revision Id provided does not match the latest Revision Id.',
        $metadata: { httpStatusCode: 412 },
      }),
    );
    const error = await target()
      .advance(
        deployment({
          status: 'deploying',
          state: { publishedVersion: '7', phase: 'route' },
        }),
      )
      .catch(e => e);
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain('RevisionId mismatch');
    expect(
      lambda.commandCalls(UpdateAliasCommand)[0].args[0].input,
    ).toMatchObject({
      RevisionId: 'rev-1',
      FunctionVersion: '7',
      RoutingConfig: { AdditionalVersionWeights: {} },
    });
  });

  it('keeps the current version and weights the new one for a canary', async () => {
    lambda
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '6', RevisionId: 'rev-1' });
    lambda.on(UpdateAliasCommand).resolves({});
    const step = await target().advance(
      deployment({
        strategy: 'canary',
        weight: 0.25,
        status: 'deploying',
        state: { publishedVersion: '7', phase: 'route' },
      }),
    );
    expect(step).toMatchObject({
      status: 'canary',
      state: { previousVersion: '6', aliasExisted: true },
    });
    expect(lambda.commandCalls(UpdateAliasCommand)[0].args[0].input).toEqual({
      FunctionName: 'fn',
      Name: 'live',
      FunctionVersion: '6',
      RoutingConfig: { AdditionalVersionWeights: { '7': 0.25 } },
      RevisionId: 'rev-1',
    });
  });

  it('promotes and rolls back idempotently, and refuses an alias changed by someone else', async () => {
    const canary = deployment({
      strategy: 'canary',
      weight: 0.25,
      status: 'canary',
      state: {
        publishedVersion: '7',
        previousVersion: '6',
        aliasExisted: true,
        phase: 'done',
      },
    });
    // Already promoted (e.g. a crash after UpdateAlias): nothing to send.
    lambda
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '7', RevisionId: 'r' });
    await expect(target().promote(canary)).resolves.toMatchObject({
      status: 'succeeded',
    });
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
    // Already rolled back.
    lambda
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '6', RevisionId: 'r' });
    await expect(target().rollback(canary)).resolves.toMatchObject({
      status: 'rolled-back',
    });
    // Somebody moved the alias to version 9.
    lambda
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '9', RevisionId: 'r' });
    await expect(target().promote(canary)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    await expect(target().rollback(canary)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    expect(lambda.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });

  it('accepts only S3 zips and ECR images as artefacts', () => {
    expect(lambdaCodeOf('s3://b/k/m.zip')).toEqual({
      S3Bucket: 'b',
      S3Key: 'k/m.zip',
    });
    expect(
      lambdaCodeOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:7'),
    ).toEqual({
      ImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:7',
    });
    for (const bad of [
      'file:///tmp/x',
      's3://bucket',
      'https://example.com/m.zip',
      undefined,
    ]) {
      expect(() => lambdaCodeOf(bad)).toThrow(
        'cannot be deployed to AWS Lambda',
      );
    }
  });
});
