/**
 * Permissions of the mlops plugin. Each one is a resource permission on the
 * MLModel's catalog entity (`resourceType: 'catalog-entity'`), so a policy can
 * answer with a conditional decision that the catalog resolves against the
 * entity, for example `catalogConditions.isEntityOwner`.
 *
 * The objects have exactly the shape `createPermission` from
 * `@backstage/plugin-permission-common` returns
 * (`ResourcePermission<'catalog-entity'>`); they are written out so that this
 * package needs no dependency on the permission framework.
 */

/**
 * A resource permission on an MLModel's catalog entity; structurally a
 * `ResourcePermission<'catalog-entity'>` from
 * `@backstage/plugin-permission-common`.
 *
 * @public
 */
export type MlopsModelPermission = {
  type: 'resource';
  name: string;
  attributes: {
    action?: 'create' | 'read' | 'update' | 'delete';
  };
  resourceType: 'catalog-entity';
};

/**
 * Start and cancel training runs of an MLModel.
 *
 * @public
 */
export const mlopsModelTrainPermission: MlopsModelPermission = {
  type: 'resource',
  name: 'mlops.model.train',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
};

/**
 * Deploy a version of an MLModel to its serving target, and promote a canary.
 *
 * @public
 */
export const mlopsModelDeployPermission: MlopsModelPermission = {
  type: 'resource',
  name: 'mlops.model.deploy',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
};

/**
 * Roll back a deployment of an MLModel.
 *
 * @public
 */
export const mlopsModelRollbackPermission: MlopsModelPermission = {
  type: 'resource',
  name: 'mlops.model.rollback',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
};

/**
 * Run a drift report of an MLModel on demand.
 *
 * @public
 */
export const mlopsModelDriftRunPermission: MlopsModelPermission = {
  type: 'resource',
  name: 'mlops.model.drift.run',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
};

/**
 * Every permission of the mlops plugin, for `permissionsRegistry.addPermissions`.
 *
 * @public
 */
export const mlopsPermissions: ReadonlyArray<MlopsModelPermission> = [
  mlopsModelTrainPermission,
  mlopsModelDeployPermission,
  mlopsModelRollbackPermission,
  mlopsModelDriftRunPermission,
];
