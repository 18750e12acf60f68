import { LoggerService } from '@backstage/backend-plugin-api';
import { MlopsStore } from '../database/MlopsStore';

/** Something that moves one row forward under its lease. */
export interface RowProcessor {
  process(id: string): Promise<void>;
}

/**
 * The body of the global `mlops-reconciler` task: every due training run and
 * deployment (not final and its next check reached, or final and not yet
 * notified) gets one step. Runs and deployments survive restarts because
 * all their state is in the database and this task picks them up again.
 */
export class Reconciler {
  constructor(
    private readonly options: {
      store: MlopsStore;
      runs: RowProcessor;
      deployments?: RowProcessor;
      logger: LoggerService;
      batchSize: number;
      concurrency?: number;
    },
  ) {}

  async runOnce(
    signal?: AbortSignal,
  ): Promise<{ runs: number; deployments: number }> {
    const { store, runs, deployments, batchSize } = this.options;
    const now = new Date();
    const runIds = await store.listDueRuns({ now, limit: batchSize });
    await this.each(runIds, id => runs.process(id), signal);
    let deploymentCount = 0;
    if (deployments) {
      const ids = await store.listDueDeployments({ now, limit: batchSize });
      deploymentCount = ids.length;
      await this.each(ids, id => deployments.process(id), signal);
    }
    return { runs: runIds.length, deployments: deploymentCount };
  }

  private async each(
    ids: string[],
    fn: (id: string) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const queue = [...ids];
    const workers = Array.from(
      { length: Math.min(this.options.concurrency ?? 4, queue.length) },
      async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          if (signal?.aborted) {
            return;
          }
          await fn(id);
        }
      },
    );
    await Promise.all(workers);
  }
}
