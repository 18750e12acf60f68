import { FeastRegistryClient } from './FeastRegistryClient';
import {
  FeastDataSource,
  FeastEntity,
  FeastFeatureView,
  FeastField,
  FeastProject,
  FeastRegistrySnapshot,
  FeastSnapshotDataSource,
  FeastSnapshotEntity,
  FeastSnapshotFeatureView,
  FeastSnapshotField,
  FeastSnapshotProject,
} from './types';

/** Feast's placeholder entity of entity-less feature views. */
const DUMMY_ENTITY = '__dummy';
const DUMMY_JOIN_KEY = '__dummy_id';

/** Orders by UTF-16 code units, independent of the locale. */
function compare(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

const byName = <T extends { name: string }>(a: T, b: T) =>
  compare(a.name, b.name);

/** The tags with their keys in a stable order, empty values kept. */
function sortedTags(tags: unknown): Record<string, string> {
  if (!tags || typeof tags !== 'object') {
    return {};
  }
  return Object.fromEntries(
    Object.entries(tags as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, String(v)] as const)
      .sort(([a], [b]) => compare(a, b)),
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function toField(field: FeastField): FeastSnapshotField {
  return {
    name: field.name,
    valueType: text(field.valueType),
    description: text(field.description),
    tags: sortedTags(field.tags),
  };
}

function toEntity(entity: FeastEntity): FeastSnapshotEntity {
  return {
    name: entity.spec.name,
    joinKey: text(entity.spec.joinKey) ?? entity.spec.name,
    valueType: text(entity.spec.valueType),
    description: text(entity.spec.description),
    tags: sortedTags(entity.spec.tags),
    owner: text(entity.spec.owner),
  };
}

function fileFormatOf(source: FeastDataSource): string | undefined {
  const format = source.fileOptions?.fileFormat;
  if (!format || typeof format !== 'object') {
    return source.type === 'BATCH_FILE' ? 'parquet' : undefined;
  }
  const [key] = Object.keys(format);
  // Feast's FileFormat is a oneof: { parquetFormat: {} } or { deltaFormat: {} }.
  return key ? key.replace(/Format$/, '').toLowerCase() : 'parquet';
}

function toDataSource(source: FeastDataSource): FeastSnapshotDataSource {
  return {
    name: source.name,
    type: text(source.type),
    description: text(source.description),
    tags: sortedTags(source.tags),
    owner: text(source.owner),
    timestampField: text(source.timestampField),
    uri: text(source.fileOptions?.uri),
    fileFormat: fileFormatOf(source),
  };
}

function toFeatureView(view: FeastFeatureView): FeastSnapshotFeatureView {
  const spec = view.spec;
  return {
    name: spec.name,
    type: view.type,
    description: text(spec.description),
    tags: sortedTags(spec.tags),
    owner: text(spec.owner),
    entities: (spec.entities ?? []).filter(e => e !== DUMMY_ENTITY),
    features: (spec.features ?? [])
      .filter(f => f.name !== DUMMY_JOIN_KEY)
      .map(toField)
      .sort(byName),
    batchSource: text(spec.batchSource?.name),
    streamSource: text(spec.streamSource?.name),
    online: spec.online,
    ttl: text(spec.ttl),
  };
}

/**
 * Reads the projects (all, or the named ones), entities, data sources and
 * feature views of a Feast registry into a {@link FeastRegistrySnapshot}:
 * sorted by name, without Feast's internal `__dummy` entity, and without
 * timestamps, so an unchanged registry gives an identical snapshot. A named
 * project the registry does not have is left out (the caller can compare
 * the names).
 *
 * @public
 */
export async function readFeastRegistry(
  client: FeastRegistryClient,
  options: { projects?: string[]; signal?: AbortSignal } = {},
): Promise<FeastRegistrySnapshot> {
  const { signal } = options;
  let projects: FeastProject[] = await client.listProjects({ signal });
  if (options.projects) {
    const wanted = new Set(options.projects);
    projects = projects.filter(p => wanted.has(p.spec.name));
  }
  const result: FeastSnapshotProject[] = [];
  for (const project of projects) {
    const name = project.spec.name;
    const [entities, dataSources, featureViews] = await Promise.all([
      client.listEntities(name, { signal }),
      client.listDataSources(name, { signal }),
      client.listFeatureViews(name, { signal }),
    ]);
    result.push({
      name,
      description: text(project.spec.description),
      tags: sortedTags(project.spec.tags),
      owner: text(project.spec.owner),
      entities: entities
        .filter(e => e.spec?.name && e.spec.name !== DUMMY_ENTITY)
        .map(toEntity)
        .sort(byName),
      dataSources: dataSources
        .filter(s => s?.name)
        .map(toDataSource)
        .sort(byName),
      featureViews: featureViews
        .filter(v => v.spec?.name)
        .map(toFeatureView)
        .sort(byName),
    });
  }
  return { projects: result.sort(byName) };
}
