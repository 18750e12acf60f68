import { Entity } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { parseSpecRef } from '../../lib/entityRefs';

/**
 * A reference written in a string field of an entity's spec, as a link;
 * plain text when the value is not a valid reference.
 */
export const SpecRefLink = (props: {
  entity: Entity;
  field: string;
  defaultKind: string;
}) => {
  const value = props.entity.spec?.[props.field];
  if (typeof value !== 'string' || !value) {
    return null;
  }
  const ref = parseSpecRef(value, {
    defaultKind: props.defaultKind,
    defaultNamespace: props.entity.metadata.namespace,
  });
  return ref ? <EntityRefLink entityRef={ref} /> : <>{value}</>;
};
