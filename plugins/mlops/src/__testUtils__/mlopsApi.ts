import { MlopsApi } from '../api';

/**
 * An MlopsApi for tests of components that only read some of it: the given
 * methods, and every other one rejecting with an error that names it, so a
 * test that reaches an unexpected call fails visibly.
 */
export function partialMlopsApi(methods: Partial<MlopsApi>): MlopsApi {
  return new Proxy(methods as MlopsApi, {
    get(target, property: string) {
      if (property in target) {
        return (target as any)[property];
      }
      return () =>
        Promise.reject(new Error(`MlopsApi.${property} was not expected`));
    },
  });
}
