/**
 * Catalog backend module that adds the MLModel, Dataset and Feature kinds of
 * the mlops plugin: validation and relations.
 *
 * @packageDocumentation
 */

export { catalogModuleMlopsEntityModel as default } from './module';
export { MlopsEntitiesProcessor } from './processor';
