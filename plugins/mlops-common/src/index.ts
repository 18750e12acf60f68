/**
 * Catalog model of the mlops plugin: the MLModel, Dataset and Feature entity
 * kinds, their JSON schemas, validators and type guards, and the relation and
 * annotation constants.
 *
 * @packageDocumentation
 */

export * from './entities';
export * from './api';
export * from './permissions';
export * from './experiments';
