import {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FeastRegistryClient,
  readFeastRegistry,
} from '@synth/plugin-mlops-node';
import { FeastProviderConfig } from '../config';
import { ImportEntityProvider } from '../lib/ImportEntityProvider';
import { ImportReport } from '../lib/ImportReport';
import { feastSnapshotToEntities } from './feastEntities';

/**
 * Imports a Feast feature registry, read through its REST API: a System per
 * project, a Dataset per file data source and a Feature per feature, with
 * the relations the mlops catalog model derives from them (feature derived
 * from dataset, both part of the project's system, owners).
 *
 * @public
 */
export class FeastEntityProvider extends ImportEntityProvider {
  private readonly client: FeastRegistryClient;
  private readonly settings: FeastProviderConfig;

  static fromConfig(
    settings: FeastProviderConfig,
    deps: {
      logger: LoggerService;
      scheduler: SchedulerService;
      catalog: CatalogService;
      auth: AuthService;
    },
  ): FeastEntityProvider {
    const client = FeastRegistryClient.fromConfig(
      settings.config,
      settings.path,
    );
    return new FeastEntityProvider({
      settings,
      client,
      logger: deps.logger,
      catalog: deps.catalog,
      auth: deps.auth,
      taskRunner: deps.scheduler.createScheduledTaskRunner(settings.schedule),
    });
  }

  constructor(options: {
    settings: FeastProviderConfig;
    client: FeastRegistryClient;
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
        provider: `FeastEntityProvider:${options.settings.id}`,
      }),
      taskRunner: options.taskRunner,
      catalog: options.catalog,
      auth: options.auth,
    });
    this.client = options.client;
    this.settings = options.settings;
  }

  getProviderName(): string {
    return `FeastEntityProvider:${this.settings.id}`;
  }

  protected async read(
    report: ImportReport,
    signal?: AbortSignal,
  ): Promise<Entity[]> {
    const snapshot = await readFeastRegistry(this.client, {
      projects: this.settings.projects,
      signal,
    });
    for (const wanted of this.settings.projects ?? []) {
      if (!snapshot.projects.some(p => p.name === wanted)) {
        report.skip(
          `Feast project '${wanted}'`,
          'listed in projects but not in the registry',
        );
      }
    }
    return feastSnapshotToEntities(snapshot, {
      settings: this.settings,
      baseUrl: this.client.baseUrl,
      uiUrl: this.settings.uiUrl,
      report,
    });
  }
}
