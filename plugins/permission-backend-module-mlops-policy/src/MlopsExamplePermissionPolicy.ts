import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { mlopsPermissions } from '@synth/plugin-mlops-common';

const MLOPS_ACTIONS = new Set(mlopsPermissions.map(p => p.name));

/**
 * Owners may act, others may read.
 *
 * - `mlops.model.train`, `.deploy`, `.rollback` and `.drift.run` are allowed
 *   on an MLModel whose owner is one of the user's ownership refs (the user
 *   or a group they belong to): a conditional decision with the catalog's
 *   `isEntityOwner` rule, which the catalog resolves against the entity.
 *   Without a signed-in user they are denied.
 * - Every other permission is allowed, as with the allow-all policy this
 *   replaces; the catalog's own read permissions keep working unchanged.
 *
 * @public
 */
export class MlopsExamplePermissionPolicy implements PermissionPolicy {
  constructor(private readonly options: { userInfo: UserInfoService }) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!MLOPS_ACTIONS.has(request.permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user || !isResourcePermission(request.permission, 'catalog-entity')) {
      return { result: AuthorizeResult.DENY };
    }
    const { ownershipEntityRefs } = await this.options.userInfo.getUserInfo(
      user.credentials,
    );
    return createCatalogConditionalDecision(
      request.permission,
      catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
    );
  }
}
