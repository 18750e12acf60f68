import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import {
  RELATION_MLOPS_DERIVED_FROM,
  RELATION_MLOPS_FEATURE_USED_BY,
  isFeatureEntity,
} from '@synth/plugin-mlops-common';
import { collectRefs } from '../../lib/entityRefs';
import { CardSection, FieldGrid } from '../common';
import { RelatedEntityList } from '../RelatedEntityList';

/** A feature: its value type, the dataset it is computed from and the models that use it. */
export const FeatureCard = () => {
  const { entity } = useEntity();
  if (!isFeatureEntity(entity)) {
    return (
      <InfoCard title="Feature">
        <Typography variant="body2" color="textSecondary">
          This entity is not a Feature.
        </Typography>
      </InfoCard>
    );
  }
  const { spec } = entity;
  const sourceRefs = collectRefs(entity, {
    relation: RELATION_MLOPS_DERIVED_FROM,
    spec: { path: 'spec.source', defaultKind: 'Dataset' },
  });
  const modelRefs = collectRefs(entity, {
    relation: RELATION_MLOPS_FEATURE_USED_BY,
  });
  return (
    <InfoCard title="Feature">
      <CardSection title="Definition">
        <FieldGrid
          fields={[
            { label: 'Type', value: spec.type },
            {
              label: 'Entity',
              value: spec.entity
                ? `${spec.entity.name} (join key ${spec.entity.joinKey})`
                : undefined,
            },
            { label: 'Feature group', value: spec.group },
          ]}
        />
      </CardSection>
      {spec.transformation && (
        <CardSection title="Transformation">
          <Typography variant="body2" component="pre" style={{ margin: 0 }}>
            <code>{spec.transformation}</code>
          </Typography>
        </CardSection>
      )}
      <CardSection title="Source dataset">
        <RelatedEntityList
          label="Source dataset"
          entityRefs={sourceRefs}
          emptyMessage="No source dataset recorded."
        />
      </CardSection>
      <CardSection title="Models using it">
        <RelatedEntityList
          label="Models using it"
          entityRefs={modelRefs}
          emptyMessage="No models use this feature."
        />
      </CardSection>
    </InfoCard>
  );
};
