import {
  GetFunctionConfigurationCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEngine } from '../../__testUtils__/engines';
import {
  MOTO_CREDENTIALS,
  MOTO_REGION,
  MotoLambda,
} from '../../__testUtils__/moto';
import {
  DeploymentRecord,
  LambdaTargetConfig,
} from '../../database/MlopsStore';
import { EngineError } from '../../engines/EngineError';
import { LAMBDA_ZIP_LIMITS, packageLocalArtifact } from './lambdaPackage';
import { LambdaTarget } from './LambdaTarget';

// Local training outputs (file: artefacts) deployed to Lambda on a real moto
// server: packaged, the function created on first use, rolled back.

jest.setTimeout(120_000);

let moto: MotoLambda;
let endpoint: string;
let tmp: string;
let artifacts: string;

beforeAll(async () => {
  endpoint = await startEngine('moto');
  moto = new MotoLambda(endpoint);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-lambda-local-'));
  artifacts = path.join(tmp, 'work', 'artifacts');
  await fs.mkdir(artifacts, { recursive: true });
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A run output directory like the local executor's, with a handler returning `label`. */
async function runOutput(runId: string, label: string): Promise<string> {
  const dir = path.join(artifacts, runId);
  await fs.mkdir(path.join(dir, 'model'), { recursive: true });
  await fs.writeFile(
    path.join(dir, 'lambda_function.py'),
    `def handler(event, context):\n    return {"model": ${JSON.stringify(
      label,
    )}}\n`,
  );
  await fs.writeFile(path.join(dir, 'model', 'weights.txt'), `${label}\n`);
  return pathToFileURL(dir).toString();
}

function deployment(
  functionName: string,
  artifactUri: string,
  overrides: Partial<DeploymentRecord> = {},
): DeploymentRecord & { targetConfig: LambdaTargetConfig } {
  return {
    id: `d-${path.basename(artifactUri)}`,
    modelRef: 'mlmodel:default/churn',
    version: path.basename(artifactUri),
    target: 'lambda',
    strategy: 'all-at-once',
    status: 'pending',
    requestHash: 'h',
    targetConfig: {
      target: 'lambda',
      functionName,
      alias: 'live',
      region: MOTO_REGION,
    },
    artifactUri,
    state: {},
    createdBy: 'user:default/alice',
    failureCount: 0,
    nextCheckAt: new Date(),
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  } as DeploymentRecord & { targetConfig: LambdaTargetConfig };
}

async function target(options: { create?: boolean } = {}) {
  return new LambdaTarget({
    region: MOTO_REGION,
    endpoint,
    credentials: MOTO_CREDENTIALS,
    updateTimeoutMs: 10_000,
    maxAttempts: 1,
    localArtifactRoots: [artifacts],
    createFunction:
      options.create === false
        ? undefined
        : {
            roleArn: await moto.role(),
            runtime: 'python3.12',
            handler: 'lambda_function.handler',
          },
  });
}

/** Steps a deployment the way the processor does, until it is no longer in progress. */
async function drive(
  lambda: LambdaTarget,
  record: DeploymentRecord,
): Promise<DeploymentRecord> {
  let current = record;
  for (let i = 0; i < 10; i++) {
    const step = await lambda.advance(current);
    current = {
      ...current,
      status: step.status,
      state: step.state,
      statusMessage: step.message,
    };
    if (step.status !== 'pending' && step.status !== 'deploying') {
      return current;
    }
  }
  throw new Error(`deployment ${record.id} did not finish in 10 steps`);
}

const sha256 = (data: Buffer) =>
  createHash('sha256').update(data).digest('base64');

async function codeSha(functionName: string, version: string) {
  const { CodeSha256 } = await moto.lambda.send(
    new GetFunctionConfigurationCommand({
      FunctionName: functionName,
      Qualifier: version,
    }),
  );
  return CodeSha256;
}

describe('LambdaTarget with local artefacts on moto', () => {
  it('creates the function from a run directory, deploys a run .zip over it, and rolls back to the first version', async () => {
    const lambda = await target();
    const functionName = `local-${moto.suffix}`;
    const first = await runOutput('run-a', 'a');
    const zipDir = path.join(artifacts, 'run-b');
    await fs.mkdir(zipDir, { recursive: true });
    const zipBytes = await MotoLambda.codeZip('b');
    await fs.writeFile(path.join(zipDir, 'model.zip'), zipBytes);
    const second = pathToFileURL(path.join(zipDir, 'model.zip')).toString();

    const a = await drive(lambda, deployment(functionName, first));
    expect(a.status).toBe('succeeded');
    expect(a.state).toMatchObject({ aliasExisted: false, phase: 'done' });
    const versionA = a.state.publishedVersion!;
    expect((await moto.alias(functionName)).FunctionVersion).toBe(versionA);
    // What was deployed is the zipped directory, byte for byte.
    const packaged = await packageLocalArtifact({
      artifactUri: first,
      roots: [artifacts],
    });
    expect(await codeSha(functionName, versionA)).toBe(sha256(packaged));

    const b = await drive(lambda, deployment(functionName, second));
    expect(b.status).toBe('succeeded');
    const versionB = b.state.publishedVersion!;
    expect(versionB).not.toBe(versionA);
    expect(b.state).toMatchObject({
      aliasExisted: true,
      previousVersion: versionA,
    });
    expect(await codeSha(functionName, versionB)).toBe(sha256(zipBytes));
    expect((await moto.alias(functionName)).FunctionVersion).toBe(versionB);

    const rolledBack = await lambda.advance({ ...b, status: 'rolling-back' });
    expect(rolledBack.status).toBe('rolled-back');
    expect((await moto.alias(functionName)).FunctionVersion).toBe(versionA);
    // Rolling back again finds the alias already there and changes nothing.
    const again = await lambda.advance({ ...b, status: 'rolling-back' });
    expect(again.status).toBe('rolled-back');
    expect((await moto.alias(functionName)).FunctionVersion).toBe(versionA);
  });

  it('updates an existing function created outside the plugin, without needing a role', async () => {
    const lambda = await target({ create: false });
    const functionName = await moto.createFunction('existing');
    const before = (await moto.alias(functionName)).FunctionVersion;
    const done = await drive(
      lambda,
      deployment(functionName, await runOutput('run-c', 'c')),
    );
    expect(done.status).toBe('succeeded');
    expect(done.state.previousVersion).toBe(before);
    expect((await moto.alias(functionName)).FunctionVersion).toBe(
      done.state.publishedVersion,
    );
  });

  it('fails for good on a missing function when no role is configured to create it', async () => {
    const lambda = await target({ create: false });
    const error = await lambda
      .advance(
        deployment(`missing-${moto.suffix}`, await runOutput('run-d', 'd')),
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('mlops.targets.lambda.createFunction');
  });

  it('refuses local paths outside the local executor artefact directory, also through a link', async () => {
    const lambda = await target();
    const outside = path.join(tmp, 'elsewhere');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'lambda_function.py'), 'x = 1\n');
    const outsideUri = pathToFileURL(outside).toString();
    const record = deployment(`refused-${moto.suffix}`, outsideUri);

    expect(() => lambda.validate(record)).toThrow(InputError);
    expect(() => lambda.validate(record)).toThrow(
      `The artefact '${outsideUri}' cannot be deployed to AWS Lambda: local artefacts are packaged only from the local executor's artefact directory (${artifacts})`,
    );
    const dotted = pathToFileURL(
      path.join(artifacts, '..', '..', 'elsewhere'),
    ).toString();
    expect(() =>
      lambda.validate(deployment(`refused-${moto.suffix}`, dotted)),
    ).toThrow(/local executor's artefact directory/);
    await expect(lambda.advance(record)).rejects.toThrow(InputError);

    // A link inside the root that leads outside it is refused by its real path.
    const link = path.join(artifacts, 'run-link');
    await fs.symlink(outside, link);
    const linkUri = pathToFileURL(link).toString();
    expect(() =>
      lambda.validate(deployment(`refused-${moto.suffix}`, linkUri)),
    ).toThrow(/local executor's artefact directory/);
    await expect(
      lambda.advance(deployment(`refused-${moto.suffix}`, linkUri)),
    ).rejects.toThrow(/local executor's artefact directory/);

    // Without the local executor nothing local is deployable.
    const none = new LambdaTarget({
      region: MOTO_REGION,
      endpoint,
      credentials: MOTO_CREDENTIALS,
      updateTimeoutMs: 5_000,
    });
    expect(() =>
      none.validate(deployment('x', pathToFileURL(artifacts).toString())),
    ).toThrow(/the local executor is not enabled/);
  });

  it("refuses artefacts over Lambda's size limits, naming the artefact", async () => {
    const lambda = await target();
    // Over 250 MB unzipped: a sparse file, refused from its size before anything is read.
    const big = path.join(artifacts, 'run-big');
    await fs.mkdir(big, { recursive: true });
    const handle = await fs.open(path.join(big, 'weights.bin'), 'w');
    await handle.truncate(LAMBDA_ZIP_LIMITS.unzippedBytes + 1);
    await handle.close();
    const bigUri = pathToFileURL(big).toString();
    const error = await lambda
      .advance(deployment(`big-${moto.suffix}`, bigUri))
      .catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `The artefact '${bigUri}' is too large for AWS Lambda: more than 250.0 MB unzipped (Lambda's limit for a zip package); deploy it as an S3 zip with layers or as a container image instead`,
    );

    // Over the zipped limit (lowered here, 50 MB for real).
    const small = await runOutput('run-small', 'small');
    const limited = new LambdaTarget({
      region: MOTO_REGION,
      endpoint,
      credentials: MOTO_CREDENTIALS,
      updateTimeoutMs: 5_000,
      localArtifactRoots: [artifacts],
      zipLimits: { zippedBytes: 100, unzippedBytes: 1024 },
    });
    await expect(
      limited.advance(deployment(`small-${moto.suffix}`, small)),
    ).rejects.toThrow(
      new RegExp(
        `^The artefact '${small}' is too large for AWS Lambda: its package is \\d+ bytes, over the 100 bytes limit of a zip sent with the request`,
      ),
    );
    // Neither created a function.
    await expect(
      new LambdaClient({
        region: MOTO_REGION,
        endpoint,
        credentials: MOTO_CREDENTIALS,
      }).send(
        new GetFunctionConfigurationCommand({
          FunctionName: `big-${moto.suffix}`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
