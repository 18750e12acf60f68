import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { MLModelType } from '@synth/plugin-mlops-common';
import { isValidNamespace } from './lib/names';
import { toEntityRef } from './lib/refs';

export const MODEL_TYPES: MLModelType[] = [
  'classification',
  'regression',
  'ranking',
  'forecasting',
  'embedding',
  'llm',
  'other',
];

/** Settings of every import provider. */
export type CommonProviderConfig = {
  id: string;
  /** The config block, for the connection of the upstream client. */
  config: Config;
  /** `catalog.providers.<kind>.<id>`, for error messages. */
  path: string;
  namespace: string;
  /** A full entity reference of a Group or User. */
  defaultOwner: string;
  defaultLifecycle: string;
  maxEntities: number;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Where the entity links point; the API base URL when unset. */
  uiUrl?: string;
};

export type MlflowProviderConfig = CommonProviderConfig & {
  filter?: string;
  defaultType: MLModelType;
  tagKeys: {
    owner: string;
    lifecycle: string;
    type: string;
    system: string;
    framework: string;
  };
};

export type FeastProviderConfig = CommonProviderConfig & {
  projects?: string[];
  repoPath?: string;
  systemPerProject: boolean;
  tagKeys: {
    owner: string;
    lifecycle: string;
    system: string;
    type: string;
  };
};

export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 15 },
};

function readCommon(
  config: Config,
  id: string,
  path: string,
): CommonProviderConfig {
  const namespace = config.getOptionalString('namespace') ?? 'default';
  if (!isValidNamespace(namespace)) {
    throw new InputError(
      `${path}.namespace is not a valid namespace: '${namespace}'`,
    );
  }
  const ownerValue = config.getOptionalString('defaultOwner') ?? 'unknown';
  const defaultOwner = toEntityRef(ownerValue, {
    defaultKind: 'Group',
    namespace,
    allowedKinds: ['Group', 'User'],
  });
  if (!defaultOwner) {
    throw new InputError(
      `${path}.defaultOwner must be a reference to a Group or User, got '${ownerValue}'`,
    );
  }
  const maxEntities = config.getOptionalNumber('maxEntities') ?? 10_000;
  if (!Number.isInteger(maxEntities) || maxEntities < 1) {
    throw new InputError(`${path}.maxEntities must be a positive integer`);
  }
  const uiUrl = config.getOptionalString('uiUrl')?.replace(/\/+$/, '');
  if (uiUrl !== undefined) {
    try {
      // eslint-disable-next-line no-new
      new URL(uiUrl);
    } catch {
      throw new InputError(`${path}.uiUrl is not a URL: '${uiUrl}'`);
    }
  }
  return {
    id,
    config,
    path,
    namespace,
    defaultOwner,
    defaultLifecycle:
      config.getOptionalString('defaultLifecycle') ?? 'production',
    maxEntities,
    schedule: config.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE,
    uiUrl,
  };
}

function providerBlocks(root: Config, kind: 'mlflow' | 'feast') {
  const providers = root.getOptionalConfig(`catalog.providers.${kind}`);
  if (!providers) {
    return [];
  }
  return providers.keys().map(id => ({
    id,
    config: providers.getConfig(id),
    path: `catalog.providers.${kind}.${id}`,
  }));
}

/** Reads `catalog.providers.mlflow.<id>`; one entry per id. */
export function readMlflowProviderConfigs(
  root: Config,
): MlflowProviderConfig[] {
  return providerBlocks(root, 'mlflow').map(({ id, config, path }) => {
    const defaultType = (config.getOptionalString('defaultType') ??
      'other') as MLModelType;
    if (!MODEL_TYPES.includes(defaultType)) {
      throw new InputError(
        `${path}.defaultType must be one of ${MODEL_TYPES.join(
          ', ',
        )}, got '${defaultType}'`,
      );
    }
    const tagKeys = config.getOptionalConfig('tagKeys');
    return {
      ...readCommon(config, id, path),
      filter: config.getOptionalString('filter'),
      defaultType,
      tagKeys: {
        owner: tagKeys?.getOptionalString('owner') ?? 'owner',
        lifecycle: tagKeys?.getOptionalString('lifecycle') ?? 'lifecycle',
        type: tagKeys?.getOptionalString('type') ?? 'type',
        system: tagKeys?.getOptionalString('system') ?? 'system',
        framework: tagKeys?.getOptionalString('framework') ?? 'framework',
      },
    };
  });
}

/** Reads `catalog.providers.feast.<id>`; one entry per id. */
export function readFeastProviderConfigs(root: Config): FeastProviderConfig[] {
  return providerBlocks(root, 'feast').map(({ id, config, path }) => {
    const tagKeys = config.getOptionalConfig('tagKeys');
    const repoPath = config.getOptionalString('repoPath');
    if (
      repoPath !== undefined &&
      !repoPath.startsWith('/') &&
      !/^[a-z][a-z0-9+.-]*:\/\//i.test(repoPath)
    ) {
      throw new InputError(
        `${path}.repoPath must be an absolute path or a URL, got '${repoPath}'`,
      );
    }
    return {
      ...readCommon(config, id, path),
      projects: config.getOptionalStringArray('projects'),
      repoPath: repoPath?.replace(/\/+$/, ''),
      systemPerProject: config.getOptionalBoolean('systemPerProject') ?? true,
      tagKeys: {
        owner: tagKeys?.getOptionalString('owner') ?? 'owner',
        lifecycle: tagKeys?.getOptionalString('lifecycle') ?? 'lifecycle',
        system: tagKeys?.getOptionalString('system') ?? 'system',
        type: tagKeys?.getOptionalString('type') ?? 'type',
      },
    };
  });
}
