import { compatWrapper } from '@backstage/core-compat-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isMLModelEntity, isMlopsEntity } from '@synth/plugin-mlops-common';

/**
 * A "Lineage" tab on MLModel, Dataset and Feature pages with the lineage graph
 * three hops deep.
 *
 * @alpha
 */
export const lineageEntityContent = EntityContentBlueprint.make({
  name: 'lineage',
  params: {
    path: '/lineage',
    title: 'Lineage',
    group: 'overview',
    filter: isMlopsEntity,
    loader: () =>
      import('../components/LineageGraph').then(m =>
        compatWrapper(<m.MlLineageCard maxDepth={3} height={640} />),
      ),
  },
});

/**
 * A "Health" tab on MLModel pages: status, deployments, training runs with
 * live logs, data drift and experiment metrics.
 *
 * @alpha
 */
export const healthEntityContent = EntityContentBlueprint.make({
  name: 'health',
  params: {
    path: '/health',
    title: 'Health',
    group: 'observability',
    filter: isMLModelEntity,
    loader: () =>
      import('../components/ModelHealthTab').then(m =>
        compatWrapper(<m.ModelHealthContent />),
      ),
  },
});
