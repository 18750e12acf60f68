/**
 * Example permission policy of Synth: the owners of an MLModel may train,
 * deploy, roll back and run drift reports on it; everything else, including
 * reading, is allowed for everyone.
 *
 * @packageDocumentation
 */
export { permissionModuleMlopsPolicy as default } from './module';
export { MlopsExamplePermissionPolicy } from './MlopsExamplePermissionPolicy';
