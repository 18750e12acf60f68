import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { ModelHealthQueryItem } from '@synth/plugin-mlops-common';
import useAsync from 'react-use/esm/useAsync';
import { mlopsApiRef } from '../../api';
import { ModelHealthState } from '../ModelHealth';

const CHECKING: ModelHealthState = { loading: true };

/**
 * The health of every model on a page of the table, from one request per
 * page (`POST /health/query`) instead of one per row; `healthOf` gives a
 * row's state. With `enabled` false (datasets, features) nothing is asked.
 */
export function usePageHealth(
  entities: Entity[],
  enabled: boolean,
): (entity: Entity) => ModelHealthState {
  const mlopsApi = useApi(mlopsApiRef);
  const refs = enabled
    ? entities.map(entity => stringifyEntityRef(entity))
    : [];
  // The page's references stand for the entities, a new array each render.
  const key = refs.join('\n');
  const state = useAsync(async () => {
    const byRef = new Map<string, ModelHealthQueryItem>();
    if (refs.length > 0) {
      const items = await mlopsApi.queryModelHealth(refs);
      refs.forEach((ref, i) => byRef.set(ref, items[i]));
    }
    return { key, byRef };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mlopsApi, key]);

  return entity => {
    if (state.loading) {
      return CHECKING;
    }
    if (state.error) {
      return { loading: false, error: state.error };
    }
    if (state.value?.key !== key) {
      return CHECKING;
    }
    const item = state.value.byRef.get(stringifyEntityRef(entity));
    return item && 'health' in item
      ? { loading: false, health: item.health }
      : { loading: false, error: 'NotFound' };
  };
}
