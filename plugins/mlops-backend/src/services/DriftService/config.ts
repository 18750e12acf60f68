import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import path from 'node:path';

/** `mlops.drift.*` with every default applied. */
export type DriftOptionsConfig = {
  /** Whether scheduled reports are created; on-demand reports work either way. */
  scheduleEnabled: boolean;
  scheduler: { frequency: HumanDuration; timeout: HumanDuration };
  leaseMs: number;
  maxAttempts: number;
  /** Reports computed at once by one backend instance. */
  maxConcurrentReports: number;
  /** Worker threads of the drift engine. */
  workers: number;
  retention: { days: number; maxReportsPerModel: number };
  /** Directories whose files may be read as `file:` URLs (absolute). */
  localDataRoots: string[];
  /** Categories per categorical histogram before the rest is summed. */
  histogramCategories: number;
  /** Where reports are computed: the backend's drift engine or a Ray job. */
  executor: 'local' | 'ray';
  /** The Ray executor (`mlops.drift.ray`); the cluster is `mlops.executors.ray`. */
  ray: {
    /** The Python command on the cluster. */
    python: string;
    pollIntervalMs: number;
    timeoutMs: number;
  };
};

function duration(
  config: Config | undefined,
  key: string,
  fallback: HumanDuration,
): HumanDuration {
  return config?.has(key) ? readDurationFromConfig(config, { key }) : fallback;
}

/** Reads `mlops.drift` from the root config. */
export function readDriftConfig(root: Config | undefined): DriftOptionsConfig {
  const config = root?.getOptionalConfig('mlops.drift');
  const scheduler = config?.getOptionalConfig('scheduler');
  const retention = config?.getOptionalConfig('retention');
  const ray = config?.getOptionalConfig('ray');
  const executor = config?.getOptionalString('executor') ?? 'local';
  if (executor !== 'local' && executor !== 'ray') {
    throw new Error(
      `mlops.drift.executor must be 'local' or 'ray', got '${executor}'`,
    );
  }
  return {
    scheduleEnabled: scheduler?.getOptionalBoolean('enabled') ?? true,
    scheduler: {
      frequency: duration(scheduler, 'frequency', { minutes: 1 }),
      timeout: duration(scheduler, 'timeout', { minutes: 15 }),
    },
    leaseMs: durationToMilliseconds(
      duration(config, 'leaseTimeout', { minutes: 2 }),
    ),
    maxAttempts: config?.getOptionalNumber('maxAttempts') ?? 3,
    maxConcurrentReports:
      config?.getOptionalNumber('maxConcurrentReports') ?? 2,
    workers: config?.getOptionalNumber('workers') ?? 2,
    retention: {
      days: retention?.getOptionalNumber('days') ?? 90,
      maxReportsPerModel:
        retention?.getOptionalNumber('maxReportsPerModel') ?? 100,
    },
    localDataRoots: (
      config?.getOptionalStringArray('localDataRoots') ?? []
    ).map(root_ => path.resolve(root_)),
    histogramCategories: config?.getOptionalNumber('histogramCategories') ?? 50,
    executor,
    ray: {
      python: ray?.getOptionalString('python') ?? 'python',
      pollIntervalMs: durationToMilliseconds(
        duration(ray, 'pollInterval', { seconds: 1 }),
      ),
      timeoutMs: durationToMilliseconds(
        duration(ray, 'timeout', { minutes: 30 }),
      ),
    },
  };
}
