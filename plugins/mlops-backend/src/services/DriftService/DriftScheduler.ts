import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isMLModelEntity,
  MLMODEL_KIND,
  MLModelEntityV1alpha1,
} from '@synth/plugin-mlops-common';
import { DriftStore } from '../../database/DriftStore';
import { modelRefOf } from '../ModelAccess';
import { DriftOptionsConfig } from './config';
import { DriftRunner } from './DriftRunner';
import { resolveDriftSpec } from './resolveDriftSpec';
import { currentScheduleSlot } from './schedule';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';

/** The id of the global scheduler task that runs drift monitoring. */
export const DRIFT_TASK_ID = 'mlops-drift-reports';

export type DriftPassResult = {
  /** Scheduled reports created in this pass (failed ones included). */
  created: number;
  /** Reports this instance computed or failed. */
  processed: number;
  notified: number;
  pruned: number;
};

function ownerRefOf(model: MLModelEntityV1alpha1): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(model.spec.owner, {
        defaultKind: 'group',
        defaultNamespace: model.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * The body of the global `mlops-drift-reports` task. One pass:
 *
 * 1. creates the due scheduled reports: for every MLModel with
 *    `spec.monitoring`, one report per schedule slot (a unique index on
 *    model and slot, so a slot never gets two reports); a model whose
 *    inputs cannot be resolved gets a failed report naming the reason;
 * 2. computes claimable reports (pending, or running under an expired
 *    lease): every claim is a conditional UPDATE, so even two backends on
 *    one database never compute one report twice;
 * 3. sends drift notifications left pending by a stopped instance;
 * 4. applies retention.
 *
 * Every model and report is handled on its own: one that fails is
 * recorded and logged, and the pass goes on with the others.
 */
export class DriftScheduler {
  constructor(
    private readonly options: {
      store: DriftStore;
      catalog: CatalogService;
      auth: AuthService;
      runner: DriftRunner;
      logger: LoggerService;
      config: DriftOptionsConfig;
      batchSize?: number;
    },
  ) {}

  /** Registers the global task. */
  async schedule(scheduler: SchedulerService): Promise<void> {
    await scheduler.scheduleTask({
      id: DRIFT_TASK_ID,
      scope: 'global',
      frequency: this.options.config.scheduler.frequency,
      timeout: this.options.config.scheduler.timeout,
      fn: async signal => {
        await this.runOnce(signal);
      },
    });
  }

  /** One pass; `now` picks the schedule slots (tests move it). */
  async runOnce(
    signal?: AbortSignal,
    now = new Date(),
  ): Promise<DriftPassResult> {
    const { store, runner, config, logger } = this.options;
    const created = config.scheduleEnabled
      ? await this.createDueReports(now).catch(error => {
          logger.error(`Drift scheduling: could not list models: ${error}`);
          return 0;
        })
      : 0;

    const ids = await store.listClaimableDriftReports({
      now: new Date(),
      limit: this.options.batchSize ?? 20,
    });
    let processed = 0;
    await Promise.all(
      ids.map(async id => {
        if (signal?.aborted) {
          return;
        }
        const outcome = await runner.process(id);
        if (outcome !== 'skipped') {
          processed++;
        }
      }),
    );

    let notified = 0;
    for (const id of await store.listPendingDriftNotifications(50)) {
      await runner.notify(id);
      notified++;
    }

    const pruned = await store.pruneDriftReports({
      finishedBefore: new Date(
        Date.now() - config.retention.days * 24 * 60 * 60 * 1000,
      ),
      keepPerModel: config.retention.maxReportsPerModel,
    });
    return { created, processed, notified, pruned };
  }

  private async createDueReports(now: Date): Promise<number> {
    const { store, catalog, auth, logger, config } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    // Only the monitored models, and only the fields the schedule and the
    // drift spec need: reading every MLModel whole once a minute slowed the
    // catalog down for everyone at 10k models (bench:health).
    const { items } = await catalog.getEntities(
      {
        filter: {
          kind: MLMODEL_KIND,
          'spec.monitoring.schedule.frequency': CATALOG_FILTER_EXISTS,
        },
        fields: ['apiVersion', 'kind', 'metadata', 'spec', 'relations'],
      },
      { credentials },
    );
    const monitored = items
      .filter(isMLModelEntity)
      .filter(e => e.spec?.monitoring?.schedule?.frequency);
    const slots = await store.getLatestScheduleSlots(
      monitored.map(m => modelRefOf(stringifyEntityRef(m))),
    );

    let created = 0;
    for (const model of monitored) {
      const modelRef = modelRefOf(stringifyEntityRef(model));
      try {
        const slot = currentScheduleSlot(
          model.spec.monitoring!.schedule.frequency,
          now,
        ).toISOString();
        const latest = slots.get(modelRef);
        if (latest !== undefined && latest >= slot) {
          continue;
        }
        const ownerRef = ownerRefOf(model);
        let error: string | undefined;
        let spec;
        try {
          spec = await resolveDriftSpec({
            model,
            modelRef,
            ownerRef,
            request: {},
            catalog,
            credentials,
            histogramCategories: config.histogramCategories,
          });
        } catch (e) {
          error = isError(e) ? e.message : String(e);
        }
        const result = await store.createDriftReport({
          modelRef,
          triggeredBy: 'schedule',
          scheduleSlot: slot,
          spec: spec ?? {
            reference: { url: 'unresolved', format: 'csv' },
            current: {
              url: model.spec.monitoring!.current ?? 'unresolved',
              format: model.spec.monitoring!.format ?? 'csv',
            },
            options: {},
            ownerRef,
          },
          error,
        });
        if (result.created) {
          created++;
        }
      } catch (error) {
        logger.warn(`Drift scheduling of ${modelRef}: ${error}`);
      }
    }
    return created;
  }
}
