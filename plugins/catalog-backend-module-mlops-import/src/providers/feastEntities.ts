import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  EntityLink,
  stringifyEntityRef,
  SystemEntityV1alpha1,
} from '@backstage/catalog-model';
import {
  ANNOTATION_FEAST_PROJECT,
  DATASET_KIND,
  DatasetColumn,
  DatasetColumnType,
  DatasetEntityV1alpha1,
  FEATURE_KIND,
  FeatureEntityV1alpha1,
  FeatureType,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';
import {
  FeastRegistrySnapshot,
  FeastSnapshotDataSource,
  FeastSnapshotFeatureView,
  FeastSnapshotProject,
} from '@synth/plugin-mlops-node';
import path from 'node:path';
import { FeastProviderConfig } from '../config';
import {
  boundedDescription,
  catalogTags,
  optional,
  shortText,
} from '../lib/fields';
import { ImportReport } from '../lib/ImportReport';
import { toEntityName } from '../lib/names';
import { toEntityRef } from '../lib/refs';

/** The pattern of `Feature.spec.entity.name`, `.joinKey` and `spec.group`. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const URL_WITH_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/;

const FEATURE_TYPES: FeatureType[] = [
  'numerical',
  'categorical',
  'boolean',
  'text',
  'datetime',
  'embedding',
];

/** Everything the mapping needs besides the snapshot. */
export type FeastMappingContext = {
  settings: Pick<
    FeastProviderConfig,
    | 'namespace'
    | 'defaultOwner'
    | 'defaultLifecycle'
    | 'systemPerProject'
    | 'repoPath'
    | 'tagKeys'
  >;
  /** The registry REST API, for locations. */
  baseUrl: string;
  /** The Feast UI, for links; no links without it. */
  uiUrl?: string;
  report: ImportReport;
};

/** Feast's value type as the Feature kind's type. */
export function featureTypeOf(valueType: string | undefined): FeatureType {
  switch (valueType) {
    case 'INT32':
    case 'INT64':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      return 'numerical';
    case 'BOOL':
      return 'boolean';
    case 'UNIX_TIMESTAMP':
    case 'ZONED_TIMESTAMP':
      return 'datetime';
    case 'STRING':
    case 'UUID':
    case 'TIME_UUID':
      return 'categorical';
    case 'FLOAT_LIST':
    case 'DOUBLE_LIST':
      return 'embedding';
    default:
      return 'text';
  }
}

function columnTypeOf(valueType: string | undefined): DatasetColumnType {
  const type = featureTypeOf(valueType);
  return type === 'embedding' ? 'text' : type;
}

/** The Dataset entity name of a data source (also when no Dataset is emitted). */
function datasetName(project: string, source: string) {
  return toEntityName(`${project}.${source}`);
}

class ProjectMapper {
  private readonly entities: Entity[] = [];
  private readonly systemRef?: string;
  private readonly projectOwner: string;

  constructor(
    private readonly project: FeastSnapshotProject,
    private readonly context: FeastMappingContext,
  ) {
    const { settings } = context;
    const what = `Feast project '${project.name}'`;
    this.projectOwner = this.owner(
      project.tags,
      project.owner,
      settings.defaultOwner,
      what,
    );
    const systemTag = project.tags[settings.tagKeys.system];
    if (systemTag !== undefined) {
      this.systemRef = toEntityRef(systemTag, {
        defaultKind: 'System',
        namespace: settings.namespace,
        allowedKinds: ['System'],
      });
      if (!this.systemRef) {
        context.report.adjust(
          `tag '${settings.tagKeys.system}' of ${what}`,
          `'${systemTag}' is not a reference to a System; left out`,
        );
      }
    } else if (settings.systemPerProject) {
      const system = this.system();
      if (system) {
        this.entities.push(system);
        this.systemRef = stringifyEntityRef(system);
      }
    }
  }

  map(): Entity[] {
    for (const source of this.project.dataSources) {
      const dataset = this.dataset(source);
      if (dataset) {
        this.entities.push(dataset);
      }
    }
    for (const view of this.project.featureViews) {
      this.entities.push(...this.features(view));
    }
    return this.entities;
  }

  private get ns() {
    return this.context.settings.namespace;
  }

  private location(route: string): Record<string, string> {
    return {
      [ANNOTATION_LOCATION]: `url:${this.context.baseUrl}${route}`,
      [ANNOTATION_ORIGIN_LOCATION]: `url:${this.context.baseUrl}`,
      [ANNOTATION_FEAST_PROJECT]: this.project.name,
    };
  }

  private links(route: string, title: string): EntityLink[] | undefined {
    const ui = this.context.uiUrl;
    return ui
      ? [
          {
            url: `${ui}/p/${encodeURIComponent(this.project.name)}${route}`,
            title,
          },
        ]
      : undefined;
  }

  /** The owner from the owner tag, else Feast's owner field when it is a reference, else the fallback. */
  private owner(
    tags: Record<string, string>,
    ownerField: string | undefined,
    fallback: string,
    what: string,
  ): string {
    const { tagKeys } = this.context.settings;
    const options = {
      defaultKind: 'Group',
      namespace: this.ns,
      allowedKinds: ['Group', 'User'],
    };
    const tag = tags[tagKeys.owner];
    if (tag !== undefined) {
      const ref = toEntityRef(tag, options);
      if (ref) {
        return ref;
      }
      this.context.report.adjust(
        `tag '${tagKeys.owner}' of ${what}`,
        `'${tag}' is not a reference to a Group or User; using ${fallback}`,
      );
      return fallback;
    }
    // Feast's owner field is often an e-mail address: used only when it is a reference.
    return (ownerField && toEntityRef(ownerField, options)) || fallback;
  }

  private lifecycle(
    tags: Record<string, string>,
    fallback: string,
    what: string,
  ): string {
    const key = this.context.settings.tagKeys.lifecycle;
    if (tags[key] === undefined) {
      return fallback;
    }
    const value = shortText(tags[key]);
    if (!value) {
      this.context.report.adjust(
        `tag '${key}' of ${what}`,
        `must be 1 to 100 characters; using '${fallback}'`,
      );
    }
    return value ?? fallback;
  }

  private tags(tags: Record<string, string>, what: string) {
    return catalogTags(tags, {
      what,
      report: this.context.report,
      exclude: new Set(Object.values(this.context.settings.tagKeys)),
    });
  }

  private system(): SystemEntityV1alpha1 | undefined {
    const { project } = this;
    const what = `Feast project '${project.name}'`;
    const name = toEntityName(project.name);
    if (!name) {
      this.context.report.skip(
        what,
        'its name has no letter or digit to build a System name from',
      );
      return undefined;
    }
    const system: SystemEntityV1alpha1 = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: {
        name: name.name,
        namespace: this.ns,
        ...(name.sanitized ? { title: project.name } : {}),
        ...optional('description', boundedDescription(project.description)),
        ...optional('tags', this.tags(project.tags, what)),
        annotations: this.location(
          `/projects/${encodeURIComponent(project.name)}`,
        ),
        ...optional('links', this.links('', 'Feast project')),
      },
      spec: { owner: this.projectOwner },
    };
    if (name.sanitized) {
      this.context.report.sanitize(what, stringifyEntityRef(system));
    }
    return system;
  }

  /** Where a file source's data is, as a Dataset location; `undefined` with the reason otherwise. */
  private locationOf(source: FeastSnapshotDataSource): {
    location?: string;
    reason?: string;
  } {
    if (source.type !== 'BATCH_FILE') {
      return {
        reason: `a ${
          source.type ?? 'untyped'
        } source has no file location and format the Dataset kind can describe`,
      };
    }
    if (source.fileFormat !== 'parquet') {
      return {
        reason: `its ${source.fileFormat} files are not one of the Dataset formats (csv, parquet, jsonl)`,
      };
    }
    const uri = source.uri;
    if (!uri) {
      return { reason: 'it has no path' };
    }
    if (URL_WITH_SCHEME.test(uri) || uri.startsWith('/')) {
      return { location: uri };
    }
    const base = this.context.settings.repoPath;
    if (!base) {
      return {
        reason: `its path '${uri}' is relative to the feature repository; set repoPath to resolve it`,
      };
    }
    if (URL_WITH_SCHEME.test(base)) {
      return { location: new URL(uri, `${base}/`).toString() };
    }
    return { location: path.posix.resolve(base, uri) };
  }

  private dataset(
    source: FeastSnapshotDataSource,
  ): DatasetEntityV1alpha1 | undefined {
    const { project } = this;
    const what = `Feast data source '${project.name}/${source.name}'`;
    const name = datasetName(project.name, source.name);
    if (!name) {
      this.context.report.skip(
        what,
        'its name has no letter or digit to build an entity name from',
      );
      return undefined;
    }
    const ref = stringifyEntityRef({
      kind: DATASET_KIND,
      namespace: this.ns,
      name: name.name,
    });
    const { location, reason } = this.locationOf(source);
    if (!location) {
      this.context.report.skip(
        what,
        `${reason}; no Dataset is imported, and its Features reference ${ref}, which a hand-written Dataset of that name provides`,
      );
      return undefined;
    }
    const dataset: DatasetEntityV1alpha1 = {
      apiVersion: MLOPS_API_VERSION_V1ALPHA1,
      kind: DATASET_KIND,
      metadata: {
        name: name.name,
        namespace: this.ns,
        title: source.name,
        ...optional('description', boundedDescription(source.description)),
        ...optional('tags', this.tags(source.tags, what)),
        annotations: this.location(
          `/data_sources/${encodeURIComponent(
            source.name,
          )}?project=${encodeURIComponent(project.name)}`,
        ),
        ...optional(
          'links',
          this.links(
            `/data-source/${encodeURIComponent(source.name)}`,
            'Feast data source',
          ),
        ),
      },
      spec: {
        type: 'tabular',
        lifecycle: this.lifecycle(
          source.tags,
          this.context.settings.defaultLifecycle,
          what,
        ),
        owner: this.owner(source.tags, source.owner, this.projectOwner, what),
        ...optional('system', this.systemRef),
        location,
        format: 'parquet',
        ...optional('schema', this.schemaOf(source)),
      },
    };
    if (name.sanitized) {
      this.context.report.sanitize(what, ref);
    }
    return dataset;
  }

  /** The columns the feature views read from the source: timestamp, join keys, features. */
  private schemaOf(
    source: FeastSnapshotDataSource,
  ): DatasetEntityV1alpha1['spec']['schema'] {
    const columns = new Map<string, DatasetColumn>();
    const add = (column: DatasetColumn) => {
      if (!columns.has(column.name)) {
        columns.set(column.name, column);
      }
    };
    if (source.timestampField) {
      add({ name: source.timestampField, type: 'datetime' });
    }
    const views = this.project.featureViews.filter(
      v => v.batchSource === source.name,
    );
    const joinKeys = new Set<string>();
    for (const view of views) {
      for (const entityName of view.entities) {
        const entity = this.project.entities.find(e => e.name === entityName);
        if (entity) {
          joinKeys.add(entity.joinKey);
        }
      }
    }
    for (const key of [...joinKeys].sort()) {
      add({ name: key, type: 'categorical' });
    }
    const features = views
      .flatMap(v => v.features)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const feature of features) {
      add({
        name: feature.name,
        type: columnTypeOf(feature.valueType),
        ...optional('description', boundedDescription(feature.description)),
      });
    }
    return columns.size ? { columns: [...columns.values()] } : undefined;
  }

  private features(view: FeastSnapshotFeatureView): FeatureEntityV1alpha1[] {
    const { project, context } = this;
    const { settings, report } = context;
    const what = `Feast feature view '${project.name}/${view.name}'`;
    if (!view.batchSource) {
      report.skip(
        what,
        `it is of type ${view.type} and has no batch source, so there is no Dataset for Feature.spec.source; its ${view.features.length} features are not imported`,
      );
      return [];
    }
    const [entityName] = view.entities;
    if (!entityName) {
      report.skip(
        what,
        `it has no entity, and Feature.spec.entity is required; its ${view.features.length} features are not imported`,
      );
      return [];
    }
    const joinKey = project.entities.find(e => e.name === entityName)?.joinKey;
    if (!joinKey || !IDENTIFIER.test(entityName) || !IDENTIFIER.test(joinKey)) {
      report.skip(
        what,
        `its entity '${entityName}' (join key '${
          joinKey ?? 'unknown'
        }') is not a name Feature.spec.entity accepts (${
          IDENTIFIER.source
        }); its features are not imported`,
      );
      return [];
    }
    const source = datasetName(project.name, view.batchSource);
    if (!source) {
      report.skip(
        what,
        `its source '${view.batchSource}' has no letter or digit to build a Dataset name from`,
      );
      return [];
    }
    let group: string | undefined = view.name;
    if (!IDENTIFIER.test(view.name)) {
      group = undefined;
      report.adjust(
        what,
        `its name is not a valid Feature.spec.group; left out`,
      );
    }
    const viewOwner = this.owner(
      view.tags,
      view.owner,
      this.projectOwner,
      what,
    );
    const viewLifecycle = this.lifecycle(
      view.tags,
      settings.defaultLifecycle,
      what,
    );

    return view.features.flatMap(feature => {
      const featureWhat = `Feast feature '${project.name}/${view.name}:${feature.name}'`;
      const name = toEntityName(`${project.name}.${view.name}.${feature.name}`);
      if (!name) {
        report.skip(
          featureWhat,
          'its name has no letter or digit to build an entity name from',
        );
        return [];
      }
      const tags = { ...view.tags, ...feature.tags };
      let type = featureTypeOf(feature.valueType);
      const typeTag = feature.tags[settings.tagKeys.type];
      if (typeTag !== undefined) {
        if (
          FEATURE_TYPES.includes(typeTag.trim().toLowerCase() as FeatureType)
        ) {
          type = typeTag.trim().toLowerCase() as FeatureType;
        } else {
          report.adjust(
            `tag '${settings.tagKeys.type}' of ${featureWhat}`,
            `'${typeTag}' is not one of ${FEATURE_TYPES.join(
              ', ',
            )}; using '${type}'`,
          );
        }
      }
      const route = `/feature-view/${encodeURIComponent(
        view.name,
      )}/feature/${encodeURIComponent(feature.name)}`;
      const entity: FeatureEntityV1alpha1 = {
        apiVersion: MLOPS_API_VERSION_V1ALPHA1,
        kind: FEATURE_KIND,
        metadata: {
          name: name.name,
          namespace: this.ns,
          title: `${view.name}:${feature.name}`,
          ...optional('description', boundedDescription(feature.description)),
          ...optional('tags', this.tags(tags, featureWhat)),
          annotations: this.location(
            `/features/${encodeURIComponent(view.name)}/${encodeURIComponent(
              feature.name,
            )}?project=${encodeURIComponent(project.name)}`,
          ),
          ...optional('links', this.links(route, 'Feast feature')),
        },
        spec: {
          type,
          lifecycle: this.lifecycle(feature.tags, viewLifecycle, featureWhat),
          owner: this.owner(feature.tags, undefined, viewOwner, featureWhat),
          ...optional('system', this.systemRef),
          source: stringifyEntityRef({
            kind: DATASET_KIND,
            namespace: this.ns,
            name: source.name,
          }),
          entity: { name: entityName, joinKey },
          ...optional('group', group),
        },
      };
      if (name.sanitized) {
        report.sanitize(featureWhat, stringifyEntityRef(entity));
      }
      return [entity];
    });
  }
}

/**
 * A Feast registry snapshot as catalog entities: a System per project
 * (unless disabled or the project names its System in a tag), a Dataset
 * per file data source, and a Feature per feature of every feature view
 * with a batch source and an entity. Deterministic: the same snapshot gives
 * the same entities. What cannot be imported is reported.
 */
export function feastSnapshotToEntities(
  snapshot: FeastRegistrySnapshot,
  context: FeastMappingContext,
): Entity[] {
  return snapshot.projects.flatMap(project =>
    new ProjectMapper(project, context).map(),
  );
}
