/**
 * Search backend module of the mlops plugin: portal search finds MLModel,
 * Dataset and Feature entities by their tags and ML fields.
 *
 * @packageDocumentation
 */

export { searchModuleMlops as default } from './module';
export {
  createMlopsCatalogCollatorEntityTransformer,
  mlopsCatalogCollatorEntityTransformer,
} from './transformer';
