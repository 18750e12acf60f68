import {
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, toError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  DATASET_KIND,
  datasetEntityV1alpha1Validator,
  FEATURE_KIND,
  featureEntityV1alpha1Validator,
  MLMODEL_KIND,
  mlModelEntityV1alpha1Validator,
  MlopsKindValidator,
  readEntityPath,
} from '@synth/plugin-mlops-common';
import { assertName, assertNoTemplateSyntax } from './inputChecks';

/** The kinds the validated-entity action writes, and who validates them. */
const MLOPS_VALIDATORS: Record<string, MlopsKindValidator> = {
  [MLMODEL_KIND]: mlModelEntityV1alpha1Validator,
  [DATASET_KIND]: datasetEntityV1alpha1Validator,
  [FEATURE_KIND]: featureEntityV1alpha1Validator,
};

/**
 * Kinds written next to the mlops kinds (an MLModel's endpoint is an API
 * entity). `@backstage/catalog-model` exports no validator for them, so the
 * catalog's own `validate-entity` endpoint checks them.
 */
const CATALOG_VALIDATED_KINDS = ['API'];

/**
 * The kinds {@link validateEntities} accepts.
 *
 * @public
 */
export const WRITABLE_KINDS: ReadonlyArray<string> = [
  ...Object.keys(MLOPS_VALIDATORS),
  ...CATALOG_VALIDATED_KINDS,
];

/**
 * Fields that name data or code by path. The schemas allow absolute paths
 * and `..`; entities written from a template may only use URLs or paths
 * inside the entity's own directory, so a form value cannot point the
 * backend at files elsewhere on its machine.
 */
const PATH_FIELDS: Record<string, string[]> = {
  [MLMODEL_KIND]: ['spec.training.workingDir', 'spec.monitoring.current'],
  [DATASET_KIND]: ['spec.location'],
};

/** A URL with a scheme other than file://. */
const REMOTE_URL = /^(?!file:)[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/;

function pathFieldProblem(value: string): string | undefined {
  if (value.startsWith('/') || value.startsWith('file:')) {
    return 'must be a URL or a path relative to the entity file, not an absolute path';
  }
  if (value.includes('\\') || value.includes('\0')) {
    return 'must use forward slashes only';
  }
  if (value.split('/').includes('..')) {
    return 'must not contain ".." segments';
  }
  return undefined;
}

function checkPaths(entity: Entity, at: string) {
  for (const field of PATH_FIELDS[entity.kind] ?? []) {
    for (const { value } of readEntityPath(entity, field)) {
      if (REMOTE_URL.test(value)) {
        continue;
      }
      const problem = pathFieldProblem(value);
      if (problem) {
        throw new InputError(
          `${at}.${field} ${problem}; got ${JSON.stringify(value)}`,
        );
      }
    }
  }
}

/**
 * A copy without object properties whose value is an empty string, null or
 * undefined. A template expression for an optional form field that was left
 * empty (`system: ${{ parameters.system }}`) renders to an empty string; the
 * entity is meant to omit the field.
 */
export function withoutEmptyFields<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(item => withoutEmptyFields(item)) as T;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== '' && v !== null && v !== undefined)
        .map(([k, v]) => [k, withoutEmptyFields(v)]),
    ) as T;
  }
  return value;
}

/** What the catalog applies to every entity before the kind processors. */
const catalogPolicy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

/**
 * Validates entities exactly as the catalog will: the catalog's entity
 * policies (envelope, metadata formats, no foreign root fields), then the
 * kind's validator: `@synth/plugin-mlops-common` for MLModel, Dataset and
 * Feature, the catalog's `validate-entity` endpoint for API. Properties
 * whose value is an empty string or null are dropped first (see
 * {@link withoutEmptyFields}). On top, names
 * must be {@link NAME_PATTERN} names and no string may carry template
 * syntax. Every failure is an `InputError` naming `<field>[index]` and the
 * offending path.
 *
 * @public
 */
export async function validateEntities(
  entities: unknown[],
  options: {
    field: string;
    catalog: CatalogService;
    credentials: () => Promise<BackstageCredentials>;
    /** The location the entities will be read from, for the catalog's check. */
    locationRef: string;
  },
): Promise<Entity[]> {
  const { field } = options;
  if (entities.length === 0) {
    throw new InputError(`${field} must hold at least one entity`);
  }
  const validated: Entity[] = [];
  const refs = new Set<string>();
  for (const [index, data] of entities.entries()) {
    const at = `${field}[${index}]`;
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw new InputError(`${at} must be an entity object`);
    }
    const candidate = withoutEmptyFields(data) as Entity;
    assertNoTemplateSyntax(candidate, at);
    if (!WRITABLE_KINDS.includes(candidate.kind)) {
      throw new InputError(
        `${at}.kind must be one of ${WRITABLE_KINDS.join(
          ', ',
        )}; got ${JSON.stringify(candidate.kind)}`,
      );
    }
    assertName(candidate.metadata?.name, `${at}.metadata.name`);
    checkPaths(candidate, at);

    let entity: Entity;
    try {
      const result = await catalogPolicy.enforce(candidate);
      if (!result) {
        throw new Error('the catalog policies rejected it');
      }
      entity = result;
    } catch (error) {
      throw new InputError(
        `${at} is not a valid entity: ${toError(error).message}`,
      );
    }

    const validator = MLOPS_VALIDATORS[entity.kind];
    if (validator) {
      try {
        if (!(await validator.check(entity))) {
          throw new Error(`apiVersion ${entity.apiVersion} is not supported`);
        }
      } catch (error) {
        throw new InputError(`${at}: ${toError(error).message}`);
      }
    } else {
      const response = await options.catalog.validateEntity(
        entity,
        options.locationRef,
        { credentials: await options.credentials() },
      );
      if (!response.valid) {
        throw new InputError(
          `${at}: invalid ${entity.kind} entity: ${response.errors
            .map(e => e.message)
            .join('; ')}`,
        );
      }
    }

    const ref = stringifyEntityRef(entity);
    if (refs.has(ref)) {
      throw new InputError(`${at} repeats the entity ${ref}`);
    }
    refs.add(ref);
    // Written as given: the policies only add defaults such as the namespace.
    validated.push(candidate);
  }
  return validated;
}
