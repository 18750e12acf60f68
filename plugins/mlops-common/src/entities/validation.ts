import {
  Entity,
  KindValidator,
  entityKindSchemaValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, toError } from '@backstage/errors';
import { DATASET_KIND, MLMODEL_KIND, MlopsKind } from './constants';
import { mlopsReferenceFields } from './relations';

/**
 * A {@link @backstage/catalog-model#KindValidator} for one of the mlops kinds.
 *
 * @public
 */
export interface MlopsKindValidator extends KindValidator {
  /** The kind the validator accepts. */
  kind: MlopsKind;
}

interface Violation {
  /** JSON pointer of the offending field, e.g. `/spec/trainedOn/0`. */
  path: string;
  message: string;
}

/**
 * Reads the strings at a dot-separated path of an entity, with the JSON
 * pointer of each. A string gives one value, an array of strings one per
 * item, anything else none.
 *
 * @public
 */
export function readEntityPath(
  entity: Entity,
  path: string,
): Array<{ value: string; pointer: string }> {
  let current: unknown = entity;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null) {
      return [];
    }
    current = (current as Record<string, unknown>)[segment];
  }
  const pointer = `/${path.split('.').join('/')}`;
  if (typeof current === 'string') {
    return [{ value: current, pointer }];
  }
  if (Array.isArray(current)) {
    return current.flatMap((item, index) =>
      typeof item === 'string'
        ? [{ value: item, pointer: `${pointer}/${index}` }]
        : [],
    );
  }
  return [];
}

function checkReferences(entity: Entity, kind: MlopsKind): Violation[] {
  const violations: Violation[] = [];
  for (const field of mlopsReferenceFields) {
    if (field.kind !== kind) {
      continue;
    }
    for (const { value, pointer } of readEntityPath(entity, field.path)) {
      if (!field.defaultKind && !value.includes(':')) {
        violations.push({
          path: pointer,
          message: `must be an entity reference that includes a kind, got "${value}"`,
        });
        continue;
      }
      const ref = parseEntityRef(value, {
        defaultKind: field.defaultKind,
        defaultNamespace: entity.metadata.namespace,
      });
      const allowed = field.allowedKinds;
      if (
        allowed &&
        !allowed.some(
          k =>
            k.toLocaleLowerCase('en-US') ===
            ref.kind.toLocaleLowerCase('en-US'),
        )
      ) {
        violations.push({
          path: pointer,
          message: `must reference an entity of kind ${allowed.join(
            ' or ',
          )}, got "${value}"`,
        });
      }
    }
  }
  return violations;
}

function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      dupes.add(name);
    }
    seen.add(name);
  }
  return [...dupes];
}

function checkMLModel(entity: Entity): Violation[] {
  const parameters: Array<{ name: string }> =
    (entity.spec?.training as { parameters?: Array<{ name: string }> })
      ?.parameters ?? [];
  return duplicates(parameters.map(p => p.name)).map(name => ({
    path: '/spec/training/parameters',
    message: `must not declare the parameter "${name}" more than once`,
  }));
}

function checkDataset(entity: Entity): Violation[] {
  const schema = entity.spec?.schema as
    | { columns: Array<{ name: string }>; target?: string }
    | undefined;
  if (!schema) {
    return [];
  }
  const names = schema.columns.map(c => c.name);
  const violations: Violation[] = duplicates(names).map(name => ({
    path: '/spec/schema/columns',
    message: `must not declare the column "${name}" more than once`,
  }));
  if (schema.target !== undefined && !names.includes(schema.target)) {
    violations.push({
      path: '/spec/schema/target',
      message: `must name one of the columns, got "${schema.target}"`,
    });
  }
  return violations;
}

const kindChecks: Partial<Record<MlopsKind, (entity: Entity) => Violation[]>> =
  {
    [MLMODEL_KIND]: checkMLModel,
    [DATASET_KIND]: checkDataset,
  };

function describeEntity(data: unknown, kind: string): string {
  const metadata = (
    data as { metadata?: { name?: unknown; namespace?: unknown } }
  )?.metadata;
  return stringifyEntityRef({
    kind,
    namespace:
      typeof metadata?.namespace === 'string' ? metadata.namespace : undefined,
    name: typeof metadata?.name === 'string' ? metadata.name : '<unnamed>',
  });
}

/** The values a schema allows for a top-level field, from its `allOf` parts. */
function enumOf(schema: unknown, field: string): unknown[] {
  const parts =
    (
      schema as {
        allOf?: Array<{ properties?: Record<string, { enum?: unknown[] }> }>;
      }
    )?.allOf ?? [];
  const values = parts.flatMap(part => part?.properties?.[field]?.enum ?? []);
  if (values.length === 0) {
    throw new TypeError(
      `The schema has no enum for ${field} in its allOf parts`,
    );
  }
  return values;
}

/**
 * Builds the validator of one mlops kind from its JSON schema: the catalog's
 * schema validator, then the rules a schema cannot express (the kinds of
 * referenced entities, unique names). Every failure is an `InputError` whose
 * message names the kind, the entity reference and the field.
 *
 * @public
 */
export function createMlopsKindValidator(
  kind: MlopsKind,
  schema: unknown,
): MlopsKindValidator {
  // Compiled on first use: the frontend imports these validators with the
  // mlops client, and compiling the three schemas at app start-up cost about
  // 430 ms of a full page load (bench:ui CPU profile).
  let validate: ReturnType<typeof entityKindSchemaValidator> | undefined;
  // The catalog asks every processor about every entity: answer for other
  // kinds and versions without running the whole schema.
  const kinds = enumOf(schema, 'kind');
  const apiVersions = enumOf(schema, 'apiVersion');
  const fail = (data: unknown, detail: string): never => {
    throw new InputError(
      `Invalid ${kind} entity ${describeEntity(data, kind)}: ${detail}`,
    );
  };
  return {
    kind,
    async check(data: Entity): Promise<boolean> {
      if (
        !kinds.includes(data?.kind) ||
        !apiVersions.includes(data?.apiVersion)
      ) {
        return false;
      }
      let entity: Entity | false;
      try {
        validate ??= entityKindSchemaValidator(schema);
        entity = validate(data);
      } catch (error) {
        return fail(data, toError(error).message);
      }
      if (entity === false) {
        return false;
      }
      const violations = [
        ...checkReferences(entity, kind),
        ...(kindChecks[kind]?.(entity) ?? []),
      ];
      if (violations.length > 0) {
        return fail(
          data,
          violations.map(v => `${v.path} ${v.message}`).join('; '),
        );
      }
      return true;
    },
  };
}
