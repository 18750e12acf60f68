import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import BubbleChartIcon from '@material-ui/icons/BubbleChart';
import { mlopsApi } from './alpha/apis';
import {
  datasetSchemaEntityCard,
  datasetUsageEntityCard,
  featureEntityCard,
  healthEntityCard,
  lineageEntityCard,
  modelCardEntityCard,
} from './alpha/entityCards';
import {
  healthEntityContent,
  lineageEntityContent,
} from './alpha/entityContent';
import { mlCatalogPage } from './alpha/pages';
import { rootRouteRef } from './routes';

export {
  datasetSchemaEntityCard,
  datasetUsageEntityCard,
  featureEntityCard,
  healthEntityCard,
  healthEntityContent,
  lineageEntityCard,
  lineageEntityContent,
  mlCatalogPage,
  mlopsApi,
  modelCardEntityCard,
};

/**
 * The mlops plugin for apps on the new frontend system: the ML catalog page
 * (with its sidebar item), the model card, dataset and feature cards and the
 * lineage graph on entity pages, the Health tab and card of MLModel pages,
 * and the mlops API.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mlops',
  title: 'ML Catalog',
  icon: <BubbleChartIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [
    mlopsApi,
    mlCatalogPage,
    modelCardEntityCard,
    datasetSchemaEntityCard,
    datasetUsageEntityCard,
    featureEntityCard,
    lineageEntityCard,
    lineageEntityContent,
    healthEntityContent,
    healthEntityCard,
  ],
});
