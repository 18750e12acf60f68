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
