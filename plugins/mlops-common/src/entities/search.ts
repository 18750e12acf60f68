import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { isDatasetEntity } from './DatasetEntityV1alpha1';
import { isFeatureEntity } from './FeatureEntityV1alpha1';
import { isMLModelEntity } from './MLModelEntityV1alpha1';

/** The name part of an entity reference, or nothing for a malformed one. */
function refName(ref: string | undefined): string | undefined {
  if (!ref) {
    return undefined;
  }
  try {
    return parseEntityRef(ref, { defaultKind: 'unknown' }).name;
  } catch {
    return undefined;
  }
}

/**
 * Words that portal search should find an entity by beyond its title and
 * description, which the catalog collator indexes already: the tags of any
 * entity and, for the mlops kinds:
 *
 * - MLModel: type, framework, intended use, metric names, serving target and
 *   function or application, and the names of its training datasets and
 *   features (so searching for a dataset also finds the models trained on it);
 * - Dataset: type, format, column names and the target column;
 * - Feature: type, feature group, entity and join key, source dataset name.
 *
 * Each word appears once, in that order. The catalog collator's default
 * document has no tags; `@synth/plugin-search-backend-module-mlops` adds
 * these terms to the document text with `catalogCollatorExtensionPoint`.
 *
 * @public
 */
export function getMlopsSearchTerms(entity: Entity): string[] {
  const terms: Array<string | undefined> = [...(entity.metadata.tags ?? [])];
  if (isMLModelEntity(entity)) {
    const { spec } = entity;
    terms.push(spec.type, spec.framework, spec.modelCard?.intendedUse);
    terms.push(...(spec.modelCard?.metrics?.map(m => m.name) ?? []));
    if (spec.serving?.target === 'lambda') {
      terms.push('lambda', spec.serving.functionName);
    } else if (spec.serving?.target === 'ray-serve') {
      terms.push('ray-serve', spec.serving.application);
    }
    terms.push(...(spec.trainedOn ?? []).map(refName));
    terms.push(...(spec.features ?? []).map(refName));
  } else if (isDatasetEntity(entity)) {
    const { spec } = entity;
    terms.push(
      spec.type,
      spec.format,
      ...(spec.schema?.columns.map(c => c.name) ?? []),
      spec.schema?.target,
    );
  } else if (isFeatureEntity(entity)) {
    const { spec } = entity;
    terms.push(
      spec.type,
      spec.group,
      spec.entity.name,
      spec.entity.joinKey,
      refName(spec.source),
    );
  }
  return [
    ...new Set(
      terms.filter(
        (term): term is string => typeof term === 'string' && term.length > 0,
      ),
    ),
  ];
}
