import path from 'node:path';
import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ScmIntegrationRegistry,
  ScmIntegrations,
} from '@backstage/integration';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  isDatasetEntity,
  isMLModelEntity,
  isMlopsEntity,
  mlopsEntityValidators,
  mlopsReferenceFields,
  readEntityPath,
} from '@synth/plugin-mlops-common';

const RELATIVE_PATH = /^\.\.?\//;

/**
 * Validates the MLModel, Dataset and Feature kinds and emits their relations.
 *
 * - `preProcessEntity` resolves a relative `spec.location` (Dataset) or
 *   `spec.monitoring.current` (MLModel) against the location the entity was
 *   read from, as the catalog does for `$text` placeholders.
 * - `validateEntityKind` accepts the three kinds and rejects an invalid one
 *   with an `InputError` naming the kind, the entity and the field.
 * - `postProcessEntity` emits both directions of every relation listed in
 *   `mlopsReferenceFields`.
 *
 * @public
 */
export class MlopsEntitiesProcessor implements CatalogProcessor {
  private readonly integrations: ScmIntegrationRegistry;

  static fromConfig(config: Config): MlopsEntitiesProcessor {
    return new MlopsEntitiesProcessor({
      integrations: ScmIntegrations.fromConfig(config),
    });
  }

  constructor(options: { integrations: ScmIntegrationRegistry }) {
    this.integrations = options.integrations;
  }

  getProcessorName(): string {
    return 'MlopsEntitiesProcessor';
  }

  async preProcessEntity(
    entity: Entity,
    location: LocationSpec,
  ): Promise<Entity> {
    // Runs before validation, so the fields may hold anything.
    if (isDatasetEntity(entity) && typeof entity.spec?.location === 'string') {
      const resolved = this.resolve(entity, location, entity.spec.location);
      if (resolved !== entity.spec.location) {
        return { ...entity, spec: { ...entity.spec, location: resolved } };
      }
    } else if (
      isMLModelEntity(entity) &&
      typeof entity.spec?.monitoring?.current === 'string'
    ) {
      const { monitoring } = entity.spec;
      const resolved = this.resolve(entity, location, monitoring.current);
      if (resolved !== monitoring.current) {
        return {
          ...entity,
          spec: {
            ...entity.spec,
            monitoring: { ...monitoring, current: resolved },
          },
        };
      }
    }
    return entity;
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    for (const validator of mlopsEntityValidators) {
      if (await validator.check(entity)) {
        return true;
      }
    }
    return false;
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isMlopsEntity(entity)) {
      return entity;
    }
    const source = getCompoundEntityRef(entity);
    const emitted = new Set<string>();
    for (const field of mlopsReferenceFields) {
      if (field.kind !== entity.kind) {
        continue;
      }
      for (const { value } of readEntityPath(entity, field.path)) {
        const target = parseEntityRef(value, {
          defaultKind: field.defaultKind,
          defaultNamespace: source.namespace,
        });
        for (const { type, reverse } of field.relations) {
          const key = `${type}|${stringifyEntityRef(target)}`;
          if (emitted.has(key)) {
            continue;
          }
          emitted.add(key);
          emit(processingResult.relation({ source, type, target }));
          emit(
            processingResult.relation({
              source: target,
              type: reverse,
              target: source,
            }),
          );
        }
      }
    }
    return entity;
  }

  private resolve(
    entity: Entity,
    location: LocationSpec,
    value: string,
  ): string {
    if (!RELATIVE_PATH.test(value)) {
      return value;
    }
    if (location.type === 'file') {
      return path.resolve(path.dirname(location.target), value);
    }
    if (location.type === 'url') {
      return this.integrations.resolveUrl({
        url: value,
        base: location.target,
      });
    }
    throw new InputError(
      `${entity.kind} ${stringifyEntityRef(
        entity,
      )} has the relative path "${value}", ` +
        `which can only be resolved for entities read from a file or url location, not from a ${location.type} location`,
    );
  }
}
