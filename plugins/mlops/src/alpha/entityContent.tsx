import { compatWrapper } from '@backstage/core-compat-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isMlopsEntity } from '@synth/plugin-mlops-common';

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
