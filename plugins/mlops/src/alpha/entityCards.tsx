import { compatWrapper } from '@backstage/core-compat-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  isDatasetEntity,
  isFeatureEntity,
  isMLModelEntity,
  isMlopsEntity,
} from '@synth/plugin-mlops-common';

/** @alpha */
export const modelCardEntityCard = EntityCardBlueprint.make({
  name: 'model-card',
  params: {
    type: 'content',
    filter: isMLModelEntity,
    loader: () =>
      import('../components/ModelCard').then(m =>
        compatWrapper(<m.ModelCard />),
      ),
  },
});

/** @alpha */
export const datasetSchemaEntityCard = EntityCardBlueprint.make({
  name: 'dataset-schema',
  params: {
    type: 'content',
    filter: isDatasetEntity,
    loader: () =>
      import('../components/DatasetCards').then(m =>
        compatWrapper(<m.DatasetSchemaCard />),
      ),
  },
});

/** @alpha */
export const datasetUsageEntityCard = EntityCardBlueprint.make({
  name: 'dataset-usage',
  params: {
    type: 'info',
    filter: isDatasetEntity,
    loader: () =>
      import('../components/DatasetCards').then(m =>
        compatWrapper(<m.DatasetUsageCard />),
      ),
  },
});

/** @alpha */
export const featureEntityCard = EntityCardBlueprint.make({
  name: 'feature',
  params: {
    type: 'content',
    filter: isFeatureEntity,
    loader: () =>
      import('../components/FeatureCard').then(m =>
        compatWrapper(<m.FeatureCard />),
      ),
  },
});

/** @alpha */
export const lineageEntityCard = EntityCardBlueprint.make({
  name: 'lineage',
  params: {
    type: 'content',
    filter: isMlopsEntity,
    loader: () =>
      import('../components/LineageGraph').then(m =>
        compatWrapper(<m.MlLineageCard height={360} />),
      ),
  },
});

/** @alpha */
export const healthEntityCard = EntityCardBlueprint.make({
  name: 'health',
  params: {
    type: 'info',
    filter: isMLModelEntity,
    loader: () =>
      import('../components/ModelHealthTab').then(m =>
        compatWrapper(<m.ModelHealthCard />),
      ),
  },
});
