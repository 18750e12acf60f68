import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  collect,
  isMlflowNotFound,
  mapConcurrent,
  MlflowClient,
} from '@synth/plugin-mlops-node';
import { MlflowProviderConfig } from '../config';
import { ImportEntityProvider } from '../lib/ImportEntityProvider';
import { ImportReport } from '../lib/ImportReport';
import { mlflowModelToEntity, newestVersion } from './mlflowEntities';

/** Run ids whose experiment ('' for none) is remembered between runs: a run never moves. */
const MAX_CACHED_RUNS = 50_000;
const PAGE_SIZE = 500;

/**
 * Imports the registered models of an MLflow model registry as MLModel
 * entities: one per registered model, with its description, tags, owner
 * (from a configurable tag, else the default), newest version, aliases and
 * a link to the experiment of the run behind the newest version.
 *
 * @public
 */
export class MlflowEntityProvider extends ImportEntityProvider {
  private readonly client: MlflowClient;
  private readonly settings: MlflowProviderConfig;
  private readonly experimentOfRun = new Map<string, string>();

  static fromConfig(
    settings: MlflowProviderConfig,
    deps: {
      logger: LoggerService;
      scheduler: SchedulerService;
      catalog: CatalogService;
      auth: AuthService;
    },
  ): MlflowEntityProvider {
    const client = MlflowClient.fromConfig(settings.config, settings.path);
    return new MlflowEntityProvider({
      settings,
      client,
      logger: deps.logger,
      catalog: deps.catalog,
      auth: deps.auth,
      taskRunner: deps.scheduler.createScheduledTaskRunner(settings.schedule),
    });
  }

  constructor(options: {
    settings: MlflowProviderConfig;
    client: MlflowClient;
    logger: LoggerService;
    catalog: CatalogService;
    auth: AuthService;
    taskRunner: SchedulerServiceTaskRunner;
  }) {
    super({
      id: options.settings.id,
      namespace: options.settings.namespace,
      maxEntities: options.settings.maxEntities,
      originLocation: `url:${options.client.baseUrl}`,
      logger: options.logger.child({
        provider: `MlflowEntityProvider:${options.settings.id}`,
      }),
      taskRunner: options.taskRunner,
      catalog: options.catalog,
      auth: options.auth,
    });
    this.client = options.client;
    this.settings = options.settings;
  }

  getProviderName(): string {
    return `MlflowEntityProvider:${this.settings.id}`;
  }

  protected async read(
    report: ImportReport,
    signal?: AbortSignal,
  ): Promise<Entity[]> {
    const models = await collect(
      this.client.listRegisteredModels(
        { filter: this.settings.filter, pageSize: PAGE_SIZE },
        { signal },
      ),
      {
        limit: this.settings.maxEntities,
        what: `${this.getProviderName()}: MLflow registered models`,
      },
    );

    const runIds = [
      ...new Set(
        models
          .map(m => newestVersion(m)?.runId)
          .filter((id): id is string => !!id && !this.experimentOfRun.has(id)),
      ),
    ];
    if (this.experimentOfRun.size + runIds.length > MAX_CACHED_RUNS) {
      this.experimentOfRun.clear();
    }
    await mapConcurrent(runIds, 4, async runId => {
      try {
        const run = await this.client.getRun(runId, { signal });
        this.experimentOfRun.set(runId, run.experimentId);
      } catch (error) {
        if (!isMlflowNotFound(error)) {
          throw error;
        }
        // A garbage-collected run names no experiment, and never will again.
        this.experimentOfRun.set(runId, '');
      }
    });

    return models.flatMap(model => {
      const entity = mlflowModelToEntity(model, {
        settings: this.settings,
        baseUrl: this.client.baseUrl,
        uiUrl: this.settings.uiUrl ?? this.client.baseUrl,
        experimentOfRun: this.experimentOfRun,
        report,
      });
      return entity ? [entity] : [];
    });
  }
}
