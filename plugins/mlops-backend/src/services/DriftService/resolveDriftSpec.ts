import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DATASET_KIND,
  DriftMethodName,
  isDatasetEntity,
  MLModelEntityV1alpha1,
  RELATION_MLOPS_TRAINED_ON,
} from '@synth/plugin-mlops-common';
import { DriftOptions, formatFromPath } from '@synth/plugin-mlops-drift';
import { locationToUrl } from './DriftDataReader';
import { ResolvedDriftSpec } from './DriftExecutor';

/** What a request may change about a report. */
export type DriftRequestOptions = {
  method?: DriftMethodName;
  currentLocation?: string;
};

function datasetRefOf(model: MLModelEntityV1alpha1): string | undefined {
  const namespace = model.metadata.namespace ?? 'default';
  const monitoring = model.spec.monitoring;
  if (monitoring?.reference) {
    return stringifyEntityRef(
      parseEntityRef(monitoring.reference, {
        defaultKind: DATASET_KIND,
        defaultNamespace: namespace,
      }),
    );
  }
  // The catalog's trainedOn relation, else the spec it is emitted from.
  const relation = model.relations?.find(
    r => r.type === RELATION_MLOPS_TRAINED_ON,
  );
  if (relation) {
    return relation.targetRef;
  }
  const first = model.spec.trainedOn?.[0];
  return first
    ? stringifyEntityRef(
        parseEntityRef(first, {
          defaultKind: DATASET_KIND,
          defaultNamespace: namespace,
        }),
      )
    : undefined;
}

function optionsOf(
  model: MLModelEntityV1alpha1,
  method: DriftMethodName | undefined,
): DriftOptions {
  const thresholds = model.spec.monitoring?.thresholds;
  const options: DriftOptions = {};
  if (thresholds?.driftShare !== undefined) {
    options.driftShare = thresholds.driftShare;
  }
  const columns = Object.entries(thresholds?.columns ?? {});
  if (columns.length > 0) {
    options.perColumnMethod = Object.fromEntries(
      columns.map(([column, c]) => [column, c.method]),
    );
    options.perColumnThreshold = Object.fromEntries(
      columns.map(([column, c]) => [column, c.threshold]),
    );
  }
  if (method) {
    options.method = method;
  }
  return options;
}

/**
 * Resolves what a report compares, from the MLModel and its reference
 * Dataset:
 *
 * - reference: `spec.monitoring.reference`, else the model's training
 *   Dataset (the `mlops-trainedOn` relation, i.e. the first
 *   `spec.trainedOn`); its `spec.location`, `spec.format`, and the column
 *   types of its `spec.schema` (inferred from the data when it has none);
 * - current: the request's `currentLocation`, else
 *   `spec.monitoring.current`, in `spec.monitoring.format`;
 * - options: `spec.monitoring.thresholds` (drift share, per-column method
 *   and threshold), and the request's method for every other column;
 * - executor: `spec.monitoring.executor` (`local` or `ray`), else the
 *   backend's `mlops.drift.executor`.
 *
 * Throws an InputError that names the model and the missing or invalid
 * piece.
 */
export async function resolveDriftSpec(options: {
  model: MLModelEntityV1alpha1;
  modelRef: string;
  ownerRef?: string;
  request: DriftRequestOptions;
  catalog: CatalogService;
  credentials: BackstageCredentials;
  histogramCategories: number;
}): Promise<ResolvedDriftSpec> {
  const { model, modelRef, request } = options;
  const monitoring = model.spec.monitoring;
  const currentLocation = request.currentLocation ?? monitoring?.current;
  if (!currentLocation) {
    throw new InputError(
      `${modelRef} has no spec.monitoring.current; give currentLocation in the request or add spec.monitoring to the MLModel`,
    );
  }
  const currentUrl = locationToUrl(
    currentLocation,
    request.currentLocation ? 'currentLocation' : 'spec.monitoring.current',
  );
  const currentFormat =
    monitoring?.format ?? formatFromPath(new URL(currentUrl).pathname);

  const datasetRef = datasetRefOf(model);
  if (!datasetRef) {
    throw new InputError(
      `${modelRef} has no reference Dataset: set spec.monitoring.reference or spec.trainedOn`,
    );
  }
  const dataset = await options.catalog.getEntityByRef(datasetRef, {
    credentials: options.credentials,
  });
  if (!dataset || !isDatasetEntity(dataset)) {
    throw new InputError(
      `The reference Dataset ${datasetRef} of ${modelRef} is not in the catalog`,
    );
  }
  // The label (spec.schema.target) is what the model predicts: production
  // data does not carry it, so feature drift compares the other columns.
  const target = dataset.spec.schema?.target;
  const columns = dataset.spec.schema?.columns.filter(c => c.name !== target);
  return {
    reference: {
      url: locationToUrl(
        dataset.spec.location,
        `spec.location of ${datasetRef}`,
      ),
      format: dataset.spec.format,
      datasetRef: stringifyEntityRef(dataset),
    },
    current: { url: currentUrl, format: currentFormat },
    columnTypes: columns?.length
      ? Object.fromEntries(columns.map(c => [c.name, c.type]))
      : undefined,
    options: {
      ...optionsOf(model, request.method),
      maxHistogramCategories: options.histogramCategories,
    },
    method: request.method,
    ownerRef: options.ownerRef,
    ...(monitoring?.executor ? { executor: monitoring.executor } : {}),
  };
}
