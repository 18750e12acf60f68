/**
 * Scaffolder actions of the mlops plugin: write validated MLModel, Dataset
 * and Feature entities, publish a generated project to a local directory the
 * catalog reads, and trigger a model's first training run.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMlops as default } from './module';
export * from './actions';
export {
  NAME_PATTERN,
  TEMPLATE_SYNTAX_SEQUENCES,
  assertName,
  assertNoTemplateSyntax,
  resolveRelativePath,
} from './lib/inputChecks';
export {
  validateEntities,
  withoutEmptyFields,
  WRITABLE_KINDS,
} from './lib/validateEntities';
