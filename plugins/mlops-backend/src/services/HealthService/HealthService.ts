import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  MLMODEL_KIND,
  ModelDriftSummary,
  ModelHealth,
  ModelHealthQueryItem,
  ModelHealthStatus,
} from '@synth/plugin-mlops-common';
import {
  DeploymentRecord,
  MlopsStore,
  RunRecord,
} from '../../database/MlopsStore';
import { modelRefOf } from '../ModelAccess';
import { ModelVisibility } from '../ModelVisibility';
import { toApiDeployment } from '../DeploymentService/DefaultDeploymentService';
import { toApiRun } from '../TrainingService/DefaultTrainingService';

const RANK: Record<ModelHealthStatus, number> = {
  unknown: 0,
  healthy: 1,
  degraded: 2,
  unhealthy: 3,
};

/**
 * The health of an MLModel from what the plugin stores: the latest training
 * run, the latest deployment per serving target and the latest drift report.
 *
 * - unhealthy: the latest deployment failed.
 * - degraded: the latest run failed, a canary waits for promote or rollback,
 *   the latest deployment was rolled back, or the data drifted.
 * - healthy: there is history and none of the above.
 * - unknown: no runs, deployments or drift reports yet.
 *
 * One query per table for any number of models (the latest run, the latest
 * deployment per target, the latest succeeded drift report, each an index
 * probe per model); no engine is called.
 */
export class HealthService {
  constructor(
    private readonly options: {
      store: MlopsStore;
      visibility: ModelVisibility;
    },
  ) {}

  /** The health of one model, by its normalised reference. */
  async getHealth(modelRef: string): Promise<ModelHealth> {
    return (await this.getHealthOf([modelRef])).get(modelRef)!;
  }

  /**
   * The health of one model the caller can see; NotFoundError if it does not
   * exist or the caller cannot see it (the two are not told apart).
   * Visibility is decided while the store is read.
   */
  async getVisibleHealth(
    modelRef: string,
    credentials: BackstageCredentials,
  ): Promise<ModelHealth> {
    const [visible, health] = await Promise.all([
      this.options.visibility.visibleOf([modelRef], credentials),
      this.getHealth(modelRef),
    ]);
    if (!visible.has(modelRef)) {
      throw new NotFoundError(`No MLModel ${modelRef}`);
    }
    return health;
  }

  /**
   * The health of each model, by normalised reference, from three queries.
   * Says nothing about whether the models exist or are visible.
   */
  async getHealthOf(modelRefs: string[]): Promise<Map<string, ModelHealth>> {
    const { store } = this.options;
    const refs = [...new Set(modelRefs)];
    const [runs, deployments, drift] = await Promise.all([
      store.getLatestRunsByModel(refs),
      store.getLatestDeploymentsByModel(refs),
      store.getLatestDriftReports(refs),
    ]);
    return new Map(
      refs.map(ref => [
        ref,
        healthOf(
          ref,
          runs.get(ref),
          deployments.get(ref) ?? [],
          drift.get(ref),
        ),
      ]),
    );
  }

  /**
   * The health of the models the caller can see, in request order; a
   * reference the caller cannot see (missing, invisible or not an MLModel) is
   * `NotFound`, so the answer never tells the two apart. Visibility is
   * decided for all of them at once (see ModelVisibility) while the store is
   * read. `entityRefs` must parse as MLModel references (the router
   * validates them).
   */
  async queryHealth(
    entityRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<ModelHealthQueryItem[]> {
    if (entityRefs.length === 0) {
      return [];
    }
    const modelRefs = entityRefs.map(ref => modelRefOf(ref));
    const unique = [...new Set(modelRefs)];
    const [visible, health] = await Promise.all([
      this.options.visibility.visibleOf(unique, credentials),
      this.getHealthOf(unique),
    ]);
    return entityRefs.map((entityRef, i) =>
      visible.has(modelRefs[i])
        ? { entityRef, health: health.get(modelRefs[i])! }
        : { entityRef, error: 'NotFound' as const },
    );
  }
}

/** Whether `ref` parses as a reference to an MLModel (kind optional). */
export function isModelEntityRef(ref: string): boolean {
  try {
    const { kind } = parseEntityRef(ref, { defaultKind: MLMODEL_KIND });
    return (
      kind.toLocaleLowerCase('en-US') ===
      MLMODEL_KIND.toLocaleLowerCase('en-US')
    );
  } catch {
    return false;
  }
}

function healthOf(
  modelRef: string,
  lastRun: RunRecord | undefined,
  deployments: DeploymentRecord[],
  drift: ModelDriftSummary | undefined,
): ModelHealth {
  let status: ModelHealthStatus =
    lastRun || deployments.length || drift ? 'healthy' : 'unknown';
  const reasons: string[] = [];
  const raise = (to: ModelHealthStatus, reason: string) => {
    if (RANK[to] > RANK[status]) {
      status = to;
    }
    reasons.push(reason);
  };

  for (const deployment of deployments) {
    const what = `the latest deployment to ${deployment.target} (version ${deployment.version})`;
    if (deployment.status === 'failed') {
      raise(
        'unhealthy',
        `${what} failed: ${deployment.statusMessage ?? 'no reason given'}`,
      );
    } else if (deployment.status === 'canary') {
      raise(
        'degraded',
        `${what} is a canary at ${Math.round(
          (deployment.weight ?? 0) * 100,
        )}% waiting for promote or rollback`,
      );
    } else if (deployment.status === 'rolled-back') {
      raise('degraded', `${what} was rolled back`);
    }
  }
  if (lastRun?.status === 'failed') {
    raise(
      'degraded',
      `the latest training run failed: ${
        lastRun.statusMessage ?? 'no reason given'
      }`,
    );
  }
  if (drift?.datasetDrift) {
    raise(
      'degraded',
      `data drift: ${drift.driftedColumns.length} of ${
        drift.columnCount
      } columns drifted (share ${drift.driftShare.toFixed(2)})`,
    );
  }
  if (status === 'unknown') {
    reasons.push('no training runs, deployments or drift reports yet');
  }
  return {
    modelRef,
    status,
    reasons,
    lastRun: lastRun ? toApiRun(lastRun) : null,
    deployments: deployments.map(toApiDeployment),
    drift: drift ?? null,
  };
}
