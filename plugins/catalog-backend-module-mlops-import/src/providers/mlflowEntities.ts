import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  EntityLink,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ANNOTATION_MLFLOW_ALIASES,
  ANNOTATION_MLFLOW_EXPERIMENT,
  ANNOTATION_MLFLOW_LATEST_VERSION,
  ANNOTATION_MLFLOW_REGISTERED_MODEL,
  MLMODEL_KIND,
  MLModelEntityV1alpha1,
  MLModelType,
  MLOPS_API_VERSION_V1ALPHA1,
} from '@synth/plugin-mlops-common';
import { MlflowRegisteredModel } from '@synth/plugin-mlops-node';
import { MlflowProviderConfig, MODEL_TYPES } from '../config';
import {
  boundedDescription,
  catalogTags,
  ENTITY_LIMITS,
  optional,
  shortText,
} from '../lib/fields';
import { ImportReport } from '../lib/ImportReport';
import { toEntityName } from '../lib/names';
import { toEntityRef } from '../lib/refs';

/** Tags MLflow sets itself (`mlflow.*`) never become catalog tags. */
const MLFLOW_INTERNAL_TAG = 'mlflow.';

/** Everything the mapping needs besides the model. */
export type MlflowMappingContext = {
  settings: Pick<
    MlflowProviderConfig,
    | 'namespace'
    | 'defaultOwner'
    | 'defaultLifecycle'
    | 'defaultType'
    | 'tagKeys'
  >;
  /** The MLflow server, for the origin location. */
  baseUrl: string;
  /** The MLflow UI, for links. */
  uiUrl: string;
  /** The experiment of each run id; '' for a run MLflow no longer has. */
  experimentOfRun: ReadonlyMap<string, string>;
  report: ImportReport;
};

/**
 * The newest version of a registered model: the highest version number
 * among the newest versions MLflow reports per stage.
 */
export function newestVersion(model: MlflowRegisteredModel) {
  return model.latestVersions
    .filter(v => /^\d+$/.test(v.version))
    .sort((a, b) => Number(b.version) - Number(a.version))[0];
}

function tagMap(model: MlflowRegisteredModel): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { key, value } of model.tags) {
    tags[key] = value;
  }
  return tags;
}

/**
 * An MLflow registered model as an MLModel entity, or `undefined` (reported)
 * when its name cannot become an entity name. Deterministic: the same model
 * gives the same entity, with no timestamps.
 */
export function mlflowModelToEntity(
  model: MlflowRegisteredModel,
  context: MlflowMappingContext,
): MLModelEntityV1alpha1 | undefined {
  const { settings, report } = context;
  const what = `MLflow model '${model.name}'`;
  const entityName = toEntityName(model.name);
  if (!entityName) {
    report.skip(
      what,
      'its name has no letter or digit to build an entity name from',
    );
    return undefined;
  }
  const { namespace, tagKeys } = settings;
  const tags = tagMap(model);

  const typeTag = tags[tagKeys.type]?.trim().toLowerCase();
  let type: MLModelType = settings.defaultType;
  if (typeTag !== undefined) {
    if (MODEL_TYPES.includes(typeTag as MLModelType)) {
      type = typeTag as MLModelType;
    } else {
      report.adjust(
        `tag '${tagKeys.type}' of ${what}`,
        `'${tags[tagKeys.type]}' is not one of ${MODEL_TYPES.join(
          ', ',
        )}; using '${type}'`,
      );
    }
  }

  let owner = settings.defaultOwner;
  const ownerTag = tags[tagKeys.owner];
  if (ownerTag !== undefined) {
    const ref = toEntityRef(ownerTag, {
      defaultKind: 'Group',
      namespace,
      allowedKinds: ['Group', 'User'],
    });
    if (ref) {
      owner = ref;
    } else {
      report.adjust(
        `tag '${tagKeys.owner}' of ${what}`,
        `'${ownerTag}' is not a reference to a Group or User; using ${owner}`,
      );
    }
  }

  let lifecycle = settings.defaultLifecycle;
  const lifecycleTag = tags[tagKeys.lifecycle];
  if (lifecycleTag !== undefined) {
    const value = shortText(lifecycleTag);
    if (value) {
      lifecycle = value;
    } else {
      report.adjust(
        `tag '${tagKeys.lifecycle}' of ${what}`,
        `must be 1 to ${ENTITY_LIMITS.shortTextChars} characters; using '${lifecycle}'`,
      );
    }
  }

  let system: string | undefined;
  const systemTag = tags[tagKeys.system];
  if (systemTag !== undefined) {
    system = toEntityRef(systemTag, {
      defaultKind: 'System',
      namespace,
      allowedKinds: ['System'],
    });
    if (!system) {
      report.adjust(
        `tag '${tagKeys.system}' of ${what}`,
        `'${systemTag}' is not a reference to a System; left out`,
      );
    }
  }
  const framework = shortText(tags[tagKeys.framework]);

  const ui = context.uiUrl;
  const modelUrl = `${ui}/#/models/${encodeURIComponent(model.name)}`;
  const newest = newestVersion(model);
  const experimentId = newest?.runId
    ? context.experimentOfRun.get(newest.runId)
    : undefined;

  const aliases = [...model.aliases].sort((a, b) =>
    a.alias < b.alias ? -1 : 1,
  );
  if (aliases.length > ENTITY_LIMITS.aliases) {
    report.adjust(
      what,
      `has ${aliases.length} aliases; kept the first ${ENTITY_LIMITS.aliases}`,
    );
  }
  const aliasList = aliases
    .slice(0, ENTITY_LIMITS.aliases)
    .map(a => `${a.alias}=${a.version}`)
    .join(',');

  const annotations: Record<string, string> = {
    [ANNOTATION_LOCATION]: `url:${modelUrl}`,
    [ANNOTATION_ORIGIN_LOCATION]: `url:${context.baseUrl}`,
    [ANNOTATION_MLFLOW_REGISTERED_MODEL]: model.name,
  };
  if (experimentId) {
    annotations[ANNOTATION_MLFLOW_EXPERIMENT] = experimentId;
  }
  if (newest) {
    annotations[ANNOTATION_MLFLOW_LATEST_VERSION] = newest.version;
  }
  if (aliasList) {
    annotations[ANNOTATION_MLFLOW_ALIASES] = aliasList;
  }

  const links: EntityLink[] = [
    { url: modelUrl, title: 'MLflow registered model' },
  ];
  if (experimentId) {
    links.push({
      url: `${ui}/#/experiments/${encodeURIComponent(experimentId)}`,
      title: 'MLflow experiment',
    });
  }

  const entity: MLModelEntityV1alpha1 = {
    apiVersion: MLOPS_API_VERSION_V1ALPHA1,
    kind: MLMODEL_KIND,
    metadata: {
      name: entityName.name,
      namespace,
      ...(entityName.sanitized ? { title: model.name } : {}),
      ...optional('description', boundedDescription(model.description)),
      ...optional(
        'tags',
        catalogTags(tags, {
          what,
          report,
          exclude: new Set(Object.values(tagKeys)),
          ignorePrefixes: [MLFLOW_INTERNAL_TAG],
        }),
      ),
      annotations,
      links,
    },
    spec: {
      type,
      lifecycle,
      owner,
      ...optional('system', system),
      ...optional('framework', framework),
    },
  };
  if (entityName.sanitized) {
    report.sanitize(what, stringifyEntityRef(entity));
  }
  return entity;
}
