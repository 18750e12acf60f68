import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import path from 'node:path';
import os from 'node:os';
import { TrainingExecutorName } from '@synth/plugin-mlops-common';

/** Engine endpoint with an optional bearer token. */
export type EndpointOptions = {
  url: string;
  token?: string;
  requestTimeoutMs: number;
};

export type LocalExecutorOptions = {
  enabled: boolean;
  maxConcurrentRuns: number;
  timeoutMs: number;
  /** PATH of the child process. */
  path: string;
  env: Record<string, string>;
  keepWorkspaces: boolean;
  workspaceDir: string;
};

export type LambdaOptions = {
  region?: string;
  endpoint?: string;
  credentials?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  updateTimeoutMs: number;
  /** Create a missing function on deploy (mlops.targets.lambda.createFunction). */
  createFunction?: { roleArn: string; runtime: string; handler: string };
};

export type RayServeOptions = EndpointOptions & {
  importPath: string;
  deployTimeoutMs: number;
};

/** The plugin's configuration with every default applied. */
export type MlopsOptions = {
  defaultExecutor?: TrainingExecutorName;
  ray?: EndpointOptions;
  local: LocalExecutorOptions;
  training: {
    workingDirRoots: string[];
    maxWorkingDirBytes: number;
    engineRetryTimeoutMs: number;
    maxLogChars: number;
  };
  mlflow?: EndpointOptions;
  lambda: LambdaOptions;
  rayServe?: RayServeOptions;
  health: {
    /** Absent when disabled: every health request asks the catalog. */
    modelIndex?: { maxAgeMs: number };
    /** 0: no kept read decisions. */
    readDecisionTtlMs: number;
  };
  reconciler: {
    frequency: HumanDuration;
    timeout: HumanDuration;
    leaseMs: number;
    batchSize: number;
  };
};

function durationMs(
  config: Config | undefined,
  key: string,
  fallback: HumanDuration,
): number {
  if (config?.has(key)) {
    return durationToMilliseconds(readDurationFromConfig(config, { key }));
  }
  return durationToMilliseconds(fallback);
}

function readModelIndexMaxAge(config: Config | undefined): number {
  const maxAgeMs = durationMs(config, 'maxAge', { minutes: 1 });
  if (!(maxAgeMs > 0)) {
    throw new InputError(
      'mlops.health.modelIndex.maxAge must be longer than 0; set mlops.health.modelIndex.enabled to false to ask the catalog on every request',
    );
  }
  return maxAgeMs;
}

function readEndpoint(
  config: Config | undefined,
  urlKey: string,
): EndpointOptions | undefined {
  const url = config?.getOptionalString(urlKey);
  if (!config || !url) {
    return undefined;
  }
  try {
    // eslint-disable-next-line no-new
    new URL(url);
  } catch {
    throw new InputError(`Invalid URL in mlops config: ${urlKey}`);
  }
  return {
    url: url.replace(/\/+$/, ''),
    token: config.getOptionalString('token'),
    requestTimeoutMs: durationMs(config, 'requestTimeout', { seconds: 10 }),
  };
}

/**
 * Reads `mlops.*` from the app config. Every key is optional: with no config
 * the plugin starts, serves reads, and answers training requests with 503
 * until an executor is configured.
 */
export function readMlopsOptions(root: Config): MlopsOptions {
  const config = root.getOptionalConfig('mlops');
  const executors = config?.getOptionalConfig('executors');
  const localConfig = executors?.getOptionalConfig('local');
  const training = config?.getOptionalConfig('training');
  const targets = config?.getOptionalConfig('targets');
  const lambdaConfig = targets?.getOptionalConfig('lambda');
  const rayServeConfig = targets?.getOptionalConfig('rayServe');
  const reconciler = config?.getOptionalConfig('reconciler');
  const health = config?.getOptionalConfig('health');
  const modelIndex = health?.getOptionalConfig('modelIndex');

  const ray = readEndpoint(executors?.getOptionalConfig('ray'), 'url');
  const defaultExecutor = executors?.getOptionalString('default');
  if (
    defaultExecutor !== undefined &&
    defaultExecutor !== 'ray' &&
    defaultExecutor !== 'local'
  ) {
    throw new InputError(
      `mlops.executors.default must be 'ray' or 'local', got '${defaultExecutor}'`,
    );
  }

  const credentials = lambdaConfig?.getOptionalConfig('credentials');
  const createFunction = lambdaConfig?.getOptionalConfig('createFunction');
  const rayServeEndpoint =
    readEndpoint(rayServeConfig, 'url') ??
    (ray && {
      ...ray,
      token: rayServeConfig?.getOptionalString('token') ?? ray.token,
    });

  return {
    defaultExecutor: defaultExecutor as TrainingExecutorName | undefined,
    ray,
    local: {
      enabled: localConfig?.getOptionalBoolean('enabled') ?? false,
      maxConcurrentRuns:
        localConfig?.getOptionalNumber('maxConcurrentRuns') ?? 2,
      timeoutMs: durationMs(localConfig, 'timeout', { hours: 1 }),
      path: localConfig?.getOptionalString('path') ?? process.env.PATH ?? '',
      env: (localConfig?.getOptional<Record<string, string>>('env') ??
        {}) as Record<string, string>,
      keepWorkspaces:
        localConfig?.getOptionalBoolean('keepWorkspaces') ?? false,
      workspaceDir: path.resolve(
        localConfig?.getOptionalString('workspaceDir') ??
          path.join(os.tmpdir(), 'synth-mlops-runs'),
      ),
    },
    training: {
      workingDirRoots: (
        training?.getOptionalStringArray('workingDirRoots') ?? []
      ).map(root_ => path.resolve(root_)),
      maxWorkingDirBytes:
        training?.getOptionalNumber('maxWorkingDirBytes') ?? 100 * 1024 * 1024,
      engineRetryTimeoutMs: durationMs(training, 'engineRetryTimeout', {
        minutes: 15,
      }),
      maxLogChars: training?.getOptionalNumber('maxLogChars') ?? 5_000_000,
    },
    mlflow: readEndpoint(config?.getOptionalConfig('mlflow'), 'baseUrl'),
    lambda: {
      region: lambdaConfig?.getOptionalString('region'),
      endpoint: lambdaConfig?.getOptionalString('endpoint'),
      credentials: credentials
        ? {
            accessKeyId: credentials.getString('accessKeyId'),
            secretAccessKey: credentials.getString('secretAccessKey'),
            sessionToken: credentials.getOptionalString('sessionToken'),
          }
        : undefined,
      updateTimeoutMs: durationMs(lambdaConfig, 'updateTimeout', {
        minutes: 1,
      }),
      createFunction: createFunction && {
        roleArn: createFunction.getString('roleArn'),
        runtime: createFunction.getOptionalString('runtime') ?? 'python3.12',
        handler:
          createFunction.getOptionalString('handler') ??
          'lambda_function.handler',
      },
    },
    rayServe: rayServeEndpoint
      ? {
          ...rayServeEndpoint,
          importPath:
            rayServeConfig?.getOptionalString('importPath') ?? 'serve_app:app',
          deployTimeoutMs: durationMs(rayServeConfig, 'deployTimeout', {
            minutes: 10,
          }),
        }
      : undefined,
    health: {
      modelIndex:
        modelIndex?.getOptionalBoolean('enabled') === false
          ? undefined
          : { maxAgeMs: readModelIndexMaxAge(modelIndex) },
      readDecisionTtlMs: durationMs(health, 'readDecisionTtl', { seconds: 10 }),
    },
    reconciler: {
      frequency: reconciler?.has('frequency')
        ? readDurationFromConfig(reconciler, { key: 'frequency' })
        : { seconds: 5 },
      timeout: reconciler?.has('timeout')
        ? readDurationFromConfig(reconciler, { key: 'timeout' })
        : { minutes: 1 },
      leaseMs: durationMs(reconciler, 'leaseTimeout', { seconds: 30 }),
      batchSize: reconciler?.getOptionalNumber('batchSize') ?? 50,
    },
  };
}
