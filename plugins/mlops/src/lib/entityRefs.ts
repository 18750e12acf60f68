import {
  CompoundEntityRef,
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { readEntityPath } from '@synth/plugin-mlops-common';

/**
 * Parses a reference written in an entity's spec the way the catalog does:
 * a missing kind becomes `defaultKind` and a missing namespace the entity's
 * own. Returns undefined for a string that is not a reference.
 */
export function parseSpecRef(
  value: string,
  options: { defaultKind: string; defaultNamespace?: string },
): CompoundEntityRef | undefined {
  try {
    return parseEntityRef(value, {
      defaultKind: options.defaultKind,
      defaultNamespace: options.defaultNamespace ?? DEFAULT_NAMESPACE,
    });
  } catch {
    return undefined;
  }
}

function refKey(ref: CompoundEntityRef): string {
  return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
}

/**
 * The entities an entity points at through one relation type and, for the
 * forward direction, through the spec field that produces that relation.
 * The spec is read too so that references show up even before the catalog
 * has processed them into relations, and so that a reference to an entity
 * that does not exist is still listed (as unresolved). Duplicates are dropped
 * and the result is in a stable order.
 */
export function collectRefs(
  entity: Entity,
  options: {
    relation: string;
    spec?: { path: string; defaultKind: string };
  },
): string[] {
  const refs = new Map<string, string>();
  for (const relation of entity.relations ?? []) {
    if (relation.type === options.relation) {
      const ref = parseSpecRef(relation.targetRef, { defaultKind: 'unknown' });
      if (ref) {
        refs.set(refKey(ref), stringifyEntityRef(ref));
      }
    }
  }
  if (options.spec) {
    for (const { value } of readEntityPath(entity, options.spec.path)) {
      const ref = parseSpecRef(value, {
        defaultKind: options.spec.defaultKind,
        defaultNamespace: entity.metadata.namespace,
      });
      if (ref && !refs.has(refKey(ref))) {
        refs.set(refKey(ref), stringifyEntityRef(ref));
      }
    }
  }
  return [...refs.values()].sort((a, b) => a.localeCompare(b));
}
