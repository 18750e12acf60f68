import { compatWrapper } from '@backstage/core-compat-api';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import BubbleChartIcon from '@material-ui/icons/BubbleChart';
import { rootRouteRef } from '../routes';

/**
 * The ML catalog page at `/ml`. Its title and icon also make it the
 * "ML Catalog" item of the sidebar.
 *
 * @alpha
 */
export const mlCatalogPage = PageBlueprint.make({
  params: {
    path: '/ml',
    title: 'ML Catalog',
    icon: <BubbleChartIcon />,
    routeRef: rootRouteRef,
    loader: () =>
      import('../components/MlCatalogPage').then(m =>
        compatWrapper(<m.MlCatalogContent />),
      ),
  },
});
