import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { DeploymentRecord, RunRecord } from '../database/MlopsStore';

function modelLink(modelRef: string): string {
  const { namespace, name } = parseEntityRef(modelRef);
  return `/catalog/${namespace}/mlmodel/${name}`;
}

/**
 * Tells a model's owners when a training run or a deployment succeeds or
 * fails, through the notifications plugin. Sending is best effort: a failure
 * is logged and the caller still records the run as notified.
 */
export class Notifier {
  constructor(
    private readonly options: {
      notifications?: NotificationService;
      logger: LoggerService;
    },
  ) {}

  async runFinished(run: RunRecord): Promise<void> {
    if (run.status !== 'succeeded' && run.status !== 'failed') {
      return;
    }
    const { name } = parseEntityRef(run.modelRef);
    await this.send(run.ownerRef, {
      title:
        run.status === 'succeeded'
          ? `Training of ${name} succeeded${
              run.modelVersion ? `: version ${run.modelVersion}` : ''
            }`
          : `Training of ${name} failed`,
      description:
        run.status === 'succeeded'
          ? `Run ${run.id} registered version ${run.modelVersion ?? '?'}.`
          : `Run ${run.id} failed: ${run.statusMessage ?? 'no reason given'}`,
      link: modelLink(run.modelRef),
      severity: run.status === 'failed' ? 'high' : 'normal',
      topic: 'mlops-training',
      scope: `mlops:run:${run.id}`,
    });
  }

  async deploymentFinished(deployment: DeploymentRecord): Promise<void> {
    const { name } = parseEntityRef(deployment.modelRef);
    const titles: Partial<Record<string, string>> = {
      succeeded: `Version ${deployment.version} of ${name} is deployed`,
      canary: `Version ${deployment.version} of ${name} is live as a canary`,
      failed: `Deployment of ${name} version ${deployment.version} failed`,
      'rolled-back': `Deployment of ${name} version ${deployment.version} was rolled back`,
    };
    const title = titles[deployment.status];
    if (!title) {
      return;
    }
    await this.send(deployment.ownerRef, {
      title,
      description:
        deployment.statusMessage ??
        `Deployment ${deployment.id} to ${deployment.target}.`,
      link: modelLink(deployment.modelRef),
      severity: deployment.status === 'failed' ? 'high' : 'normal',
      topic: 'mlops-deployment',
      scope: `mlops:deployment:${deployment.id}:${deployment.status}`,
    });
  }

  /** The data of a model drifted where its previous report did not (or it had none). */
  async driftDetected(report: {
    id: string;
    modelRef: string;
    ownerRef?: string;
    driftShare: number;
    threshold: number;
    driftedColumns: string[];
  }): Promise<void> {
    const { name } = parseEntityRef(report.modelRef);
    const shown = report.driftedColumns.slice(0, 10).join(', ');
    const more =
      report.driftedColumns.length > 10
        ? ` and ${report.driftedColumns.length - 10} more`
        : '';
    await this.send(report.ownerRef, {
      title: `Data drift detected for ${name}`,
      description: `Drift report ${report.id}: ${Math.round(
        report.driftShare * 100,
      )}% of the columns drifted (threshold ${Math.round(
        report.threshold * 100,
      )}%): ${shown}${more}.`,
      link: `${modelLink(report.modelRef)}/health`,
      severity: 'high',
      topic: 'mlops-drift',
      scope: `mlops:drift:${report.id}`,
    });
  }

  private async send(
    ownerRef: string | undefined,
    payload: {
      title: string;
      description: string;
      link: string;
      severity: 'high' | 'normal';
      topic: string;
      scope: string;
    },
  ): Promise<void> {
    if (!ownerRef || !this.options.notifications) {
      return;
    }
    try {
      await this.options.notifications.send({
        recipients: { type: 'entity', entityRef: ownerRef },
        payload,
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not notify ${ownerRef} (${payload.title}): ${error}`,
      );
    }
  }
}
