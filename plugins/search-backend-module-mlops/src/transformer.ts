import { Entity } from '@backstage/catalog-model';
import {
  CatalogCollatorEntityTransformer,
  defaultCatalogCollatorEntityTransformer,
} from '@backstage/plugin-search-backend-module-catalog';
import { getMlopsSearchTerms, isMlopsEntity } from '@synth/plugin-mlops-common';

/** The separator the default transformer puts between the parts of `text`. */
const TEXT_SEPARATOR = ' : ';

/**
 * Wraps a catalog collator entity transformer so that the documents of
 * MLModel, Dataset and Feature entities carry their tags and ML fields
 * (`getMlopsSearchTerms`: type, framework, intended use, metrics, serving,
 * training datasets and features; format and columns; feature group, entity
 * and source) after the text the wrapped transformer produced. Documents of
 * every other kind are the wrapped transformer's, unchanged.
 *
 * @public
 */
export function createMlopsCatalogCollatorEntityTransformer(
  base: CatalogCollatorEntityTransformer = defaultCatalogCollatorEntityTransformer,
): CatalogCollatorEntityTransformer {
  return (entity: Entity) => {
    const document = base(entity);
    if (!isMlopsEntity(entity)) {
      return document;
    }
    const text = [document.text, ...getMlopsSearchTerms(entity)]
      .filter(part => part.length > 0)
      .join(TEXT_SEPARATOR);
    return { ...document, text };
  };
}

/**
 * The default catalog collator transformer with the mlops terms added to
 * MLModel, Dataset and Feature documents.
 *
 * @public
 */
export const mlopsCatalogCollatorEntityTransformer: CatalogCollatorEntityTransformer =
  createMlopsCatalogCollatorEntityTransformer();
