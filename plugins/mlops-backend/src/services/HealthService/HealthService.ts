import { MlopsStore } from '../../database/MlopsStore';
import { ModelHealth, ModelHealthStatus } from '@synth/plugin-mlops-common';
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
 * Three indexed single-row reads; no engine is called.
 */
export class HealthService {
  constructor(private readonly options: { store: MlopsStore }) {}

  async getHealth(modelRef: string): Promise<ModelHealth> {
    const { store } = this.options;
    const [lastRun, deployments, drift] = await Promise.all([
      store.getLatestRun(modelRef),
      store.getLatestDeployments(modelRef),
      store.getLatestDriftReport(modelRef),
    ]);
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
}
