import {
  AuthService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  makeValidator,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { toError } from '@backstage/errors';
import {
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { mlopsEntityValidators } from '@synth/plugin-mlops-common';
import { ImportReport } from './ImportReport';

const validator = makeValidator();
const kindValidators = [
  ...mlopsEntityValidators,
  systemEntityV1alpha1Validator,
];
/** Entity references per catalog lookup. */
const LOOKUP_BATCH = 200;

/**
 * Settings every import provider shares.
 */
export type ImportEntityProviderOptions = {
  /** The provider's id in the config, e.g. `local`. */
  id: string;
  /** The namespace of the entities. */
  namespace: string;
  /** A run with more entities than this fails and changes nothing. */
  maxEntities: number;
  /** `url:<base URL>` of the upstream system: the origin of every entity. */
  originLocation: string;
  logger: LoggerService;
  taskRunner: SchedulerServiceTaskRunner;
  catalog: CatalogService;
  auth: AuthService;
};

/**
 * The outcome of one run.
 */
export type ImportRunResult =
  | { ok: true; entities: Entity[]; report: ImportReport }
  | { ok: false; error: Error };

/**
 * A catalog entity provider that reads an external system on a schedule and
 * replaces its entities with a full mutation.
 *
 * Each run reads everything, validates every entity with the kind's own
 * validator, leaves out entities whose kind/namespace/name the catalog
 * already has from another source (hand-written YAML wins, see the README),
 * sorts the rest by entity reference and applies them. Any failure (the
 * system unreachable, the catalog unreachable, more than `maxEntities`)
 * changes nothing: the catalog keeps the last good state, and the provider
 * logs one error line. Problems with single objects (invalid names, tags or
 * references) skip or repair that object and are logged as one summary when
 * they change.
 *
 * Entities are applied without a location key, so a registered location
 * that declares the same entity takes it over whatever the order.
 */
export abstract class ImportEntityProvider implements EntityProvider {
  protected readonly options: ImportEntityProviderOptions;
  private connection?: EntityProviderConnection;
  private lastReport = '';
  private lastCount?: number;

  constructor(options: ImportEntityProviderOptions) {
    this.options = options;
  }

  abstract getProviderName(): string;

  /** Reads the upstream system into entities, reporting per-object problems. */
  protected abstract read(
    report: ImportReport,
    signal?: AbortSignal,
  ): Promise<Entity[]>;

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async signal => {
        await this.refresh(signal);
      },
    });
  }

  /** One import run. Never throws: a failure is logged and returned. */
  async refresh(signal?: AbortSignal): Promise<ImportRunResult> {
    const { logger } = this.options;
    const name = this.getProviderName();
    const started = Date.now();
    try {
      if (!this.connection) {
        throw new Error('the provider is not connected to the catalog');
      }
      const report = new ImportReport();
      const read = await this.read(report, signal);
      if (read.length > this.options.maxEntities) {
        throw new Error(
          `upstream has ${read.length} entities, more than maxEntities (${this.options.maxEntities}); raise the limit or narrow the selection`,
        );
      }
      const valid = await this.validate(read, report);
      const entities = await this.withoutForeign(valid, report);
      await this.connection.applyMutation({
        type: 'full',
        entities: entities.map(entity => ({ entity })),
      });
      const lines = report.lines();
      const summary = lines.join('\n');
      if (summary !== this.lastReport && lines.length) {
        for (const line of lines) {
          logger.warn(`${name}: ${line}`);
        }
      }
      this.lastReport = summary;
      const message = `${name}: imported ${entities.length} entities in ${
        Date.now() - started
      } ms`;
      if (entities.length !== this.lastCount) {
        logger.info(message);
      } else {
        logger.debug(message);
      }
      this.lastCount = entities.length;
      return { ok: true, entities, report };
    } catch (e) {
      const error = toError(e);
      const kept =
        this.lastCount === undefined
          ? 'the catalog keeps what it had'
          : `the catalog keeps the ${this.lastCount} entities of the last successful run`;
      logger.error(`${name}: import failed, ${kept}: ${error.message}`);
      return { ok: false, error };
    }
  }

  /** Sorted, unique, valid entities; the others are reported. */
  private async validate(
    entities: Entity[],
    report: ImportReport,
  ): Promise<Entity[]> {
    const byRef = new Map<string, Entity>();
    for (const entity of entities) {
      const ref = stringifyEntityRef(entity);
      if (byRef.has(ref)) {
        report.skip(
          ref,
          'another upstream object maps to the same entity reference',
        );
        continue;
      }
      const problem = await this.problemOf(entity);
      if (problem) {
        report.skip(ref, problem);
        continue;
      }
      byRef.set(ref, entity);
    }
    return [...byRef.keys()].sort().map(ref => byRef.get(ref)!);
  }

  private async problemOf(entity: Entity): Promise<string | undefined> {
    const { metadata } = entity;
    if (!validator.isValidEntityName(metadata.name)) {
      return `invalid name '${metadata.name}'`;
    }
    if (!validator.isValidNamespace(metadata.namespace)) {
      return `invalid namespace '${metadata.namespace}'`;
    }
    const badTag = (metadata.tags ?? []).find(t => !validator.isValidTag(t));
    if (badTag !== undefined) {
      return `invalid tag '${badTag}'`;
    }
    for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
      if (
        !validator.isValidAnnotationKey(key) ||
        !validator.isValidAnnotationValue(value)
      ) {
        return `invalid annotation '${key}'`;
      }
    }
    try {
      for (const kindValidator of kindValidators) {
        if (await kindValidator.check(entity)) {
          return undefined;
        }
      }
      return `no validator accepts kind ${entity.kind}`;
    } catch (error) {
      return toError(error).message;
    }
  }

  /**
   * Leaves out the entities the catalog already has from another source.
   * An entity counts as this provider's when it carries the provider's
   * origin location.
   */
  private async withoutForeign(
    entities: Entity[],
    report: ImportReport,
  ): Promise<Entity[]> {
    const { catalog, auth, originLocation } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const foreign = new Map<string, string>();
    for (let i = 0; i < entities.length; i += LOOKUP_BATCH) {
      const refs = entities
        .slice(i, i + LOOKUP_BATCH)
        .map(e => stringifyEntityRef(e));
      const { items } = await catalog.getEntitiesByRefs(
        {
          entityRefs: refs,
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.annotations',
          ],
        },
        { credentials },
      );
      items.forEach((existing, index) => {
        const origin =
          existing?.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
        if (existing && origin !== originLocation) {
          foreign.set(refs[index], origin ?? 'no origin location');
        }
      });
    }
    return entities.filter(entity => {
      const ref = stringifyEntityRef(entity);
      const owner = foreign.get(ref);
      if (owner !== undefined) {
        report.yieldTo(ref, owner);
        return false;
      }
      return true;
    });
  }
}
