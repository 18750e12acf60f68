import { Entity } from '@backstage/catalog-model';
import { isDatasetEntity } from './DatasetEntityV1alpha1';
import { isFeatureEntity } from './FeatureEntityV1alpha1';
import { isMLModelEntity } from './MLModelEntityV1alpha1';

/**
 * Words that portal search should find an entity by beyond its title and
 * description, which the catalog collator indexes already: the tags of any
 * entity and, for the mlops kinds, the type, framework, intended use, serving
 * target, data format, column names and feature group.
 *
 * The catalog collator's default document has no tags; a search module adds
 * these terms to the document text with `catalogCollatorExtensionPoint`
 * (see the package README).
 *
 * @public
 */
export function getMlopsSearchTerms(entity: Entity): string[] {
  const terms: Array<string | undefined> = [...(entity.metadata.tags ?? [])];
  if (isMLModelEntity(entity)) {
    const { spec } = entity;
    terms.push(spec.type, spec.framework, spec.modelCard?.intendedUse);
    if (spec.serving?.target === 'lambda') {
      terms.push('lambda', spec.serving.functionName);
    } else if (spec.serving?.target === 'ray-serve') {
      terms.push('ray-serve', spec.serving.application);
    }
  } else if (isDatasetEntity(entity)) {
    const { spec } = entity;
    terms.push(
      spec.type,
      spec.format,
      ...(spec.schema?.columns.map(c => c.name) ?? []),
    );
  } else if (isFeatureEntity(entity)) {
    const { spec } = entity;
    terms.push(spec.type, spec.group, spec.entity.name, spec.entity.joinKey);
  }
  return terms.filter(
    (term): term is string => typeof term === 'string' && term.length > 0,
  );
}
