import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  isMLModelEntity,
  MLMODEL_KIND,
  MLModelEntityV1alpha1,
  MlopsModelPermission,
} from '@synth/plugin-mlops-common';

/** An MLModel the caller can see, with its normalised entity reference. */
export type ModelContext = {
  entity: MLModelEntityV1alpha1;
  /** `mlmodel:<namespace>/<name>`, lower case. */
  ref: string;
  /** The owner as a full entity reference (kind defaults to group). */
  ownerRef?: string;
};

/** Normalised entity reference of an MLModel, the key of every table. */
export function modelRefOf(ref: CompoundEntityRef | string): string {
  const compound =
    typeof ref === 'string'
      ? parseEntityRef(ref, { defaultKind: MLMODEL_KIND })
      : ref;
  return stringifyEntityRef({
    kind: MLMODEL_KIND,
    namespace: compound.namespace,
    name: compound.name,
  }).toLocaleLowerCase('en-US');
}

/**
 * Reads MLModels from the catalog with the caller's credentials, so a caller
 * only reaches models the catalog lets them see, and checks the mlops
 * permissions against the model's entity.
 */
export class ModelAccess {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      permissions: PermissionsService;
    },
  ) {}

  /** The model, or NotFoundError if it does not exist or the caller cannot see it. */
  async getModel(
    ref: { namespace: string; name: string } | string,
    credentials: BackstageCredentials,
  ): Promise<ModelContext> {
    const compound =
      typeof ref === 'string'
        ? parseEntityRef(ref, { defaultKind: MLMODEL_KIND })
        : { kind: MLMODEL_KIND, ...ref };
    const modelRef = modelRefOf(compound);
    const entity = await this.options.catalog.getEntityByRef(
      {
        kind: MLMODEL_KIND,
        namespace: compound.namespace,
        name: compound.name,
      },
      { credentials },
    );
    if (!entity || !isMLModelEntity(entity)) {
      throw new NotFoundError(`No MLModel ${modelRef}`);
    }
    let ownerRef: string | undefined;
    try {
      ownerRef = entity.spec?.owner
        ? stringifyEntityRef(
            parseEntityRef(entity.spec.owner, {
              defaultKind: 'group',
              defaultNamespace: entity.metadata.namespace ?? 'default',
            }),
          )
        : undefined;
    } catch {
      ownerRef = undefined;
    }
    return { entity, ref: modelRef, ownerRef };
  }

  /** Throws NotAllowedError unless the policy allows the permission on the model. */
  async authorize(
    permission: MlopsModelPermission,
    model: ModelContext,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: stringifyEntityRef(model.entity) }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${permission.name} is not allowed on ${model.ref}`,
      );
    }
  }
}
