import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  RELATION_MLOPS_SOURCE_OF,
  RELATION_MLOPS_TRAINING_DATASET_OF,
} from '@synth/plugin-mlops-common';
import { collectRefs } from '../../lib/entityRefs';
import { CardSection } from '../common';
import { RelatedEntityList } from '../RelatedEntityList';

/** What is built from a dataset: the features derived from it and the models trained on it. */
export const DatasetUsageCard = () => {
  const { entity } = useEntity();
  const featureRefs = collectRefs(entity, {
    relation: RELATION_MLOPS_SOURCE_OF,
  });
  const modelRefs = collectRefs(entity, {
    relation: RELATION_MLOPS_TRAINING_DATASET_OF,
  });
  return (
    <InfoCard title="Used by">
      <CardSection title="Features derived from it">
        <RelatedEntityList
          label="Features derived from it"
          entityRefs={featureRefs}
          emptyMessage="No features are derived from this dataset."
        />
      </CardSection>
      <CardSection title="Models trained on it">
        <RelatedEntityList
          label="Models trained on it"
          entityRefs={modelRefs}
          emptyMessage="No models are trained on this dataset."
        />
      </CardSection>
    </InfoCard>
  );
};
