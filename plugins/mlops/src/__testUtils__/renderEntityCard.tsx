import { Entity } from '@backstage/catalog-model';
import { ApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { ReactElement } from 'react';
import { MlopsApi, mlopsApiRef } from '../api';
import { modelHealth } from './health';
import { partialMlopsApi } from './mlopsApi';

/**
 * Renders an entity card of the legacy system for `entity`, with an in-memory
 * catalog holding `catalog` and the given mlops API.
 */
export async function renderEntityCard(
  element: ReactElement,
  options: {
    entity: Entity;
    catalog: Entity[];
    mlopsApi?: MlopsApi;
    extraRoutes?: Record<string, any>;
    extraApis?: Array<[ApiRef<any>, any]>;
  },
) {
  const mlopsApi: MlopsApi =
    options.mlopsApi ??
    partialMlopsApi({ getModelHealth: async () => modelHealth('unknown') });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, catalogApiMock({ entities: options.catalog })],
        [mlopsApiRef, mlopsApi],
        ...(options.extraApis ?? []),
      ]}
    >
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        ...options.extraRoutes,
      },
    },
  );
}
