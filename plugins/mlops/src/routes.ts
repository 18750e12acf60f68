import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * The ML catalog page.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'mlops' });
