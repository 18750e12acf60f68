import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { isValidEntityName, isValidNamespace } from './names';

/**
 * An upstream value (a tag or a config default) as a full entity reference
 * of one of the allowed kinds, e.g. `customer-ml` → `group:default/customer-ml`.
 * A reference without a namespace gets `namespace`, as in a hand-written
 * entity of that namespace. `undefined` when the value is not a valid
 * reference of an allowed kind.
 */
export function toEntityRef(
  value: string,
  options: { defaultKind: string; namespace: string; allowedKinds: string[] },
): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) {
    return undefined;
  }
  let ref;
  try {
    ref = parseEntityRef(trimmed, {
      defaultKind: options.defaultKind,
      defaultNamespace: options.namespace,
    });
  } catch {
    return undefined;
  }
  const kind = options.allowedKinds.find(
    k => k.toLocaleLowerCase('en-US') === ref.kind.toLocaleLowerCase('en-US'),
  );
  if (
    !kind ||
    !isValidEntityName(ref.name) ||
    !isValidNamespace(ref.namespace)
  ) {
    return undefined;
  }
  return stringifyEntityRef({ kind, namespace: ref.namespace, name: ref.name });
}
