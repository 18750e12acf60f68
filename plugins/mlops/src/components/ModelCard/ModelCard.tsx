import {
  RELATION_PROVIDES_API,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  MLModelEntityV1alpha1,
  MLModelServing,
  RELATION_MLOPS_TRAINED_ON,
  RELATION_MLOPS_USES_FEATURE,
  isMLModelEntity,
} from '@synth/plugin-mlops-common';
import { collectRefs } from '../../lib/entityRefs';
import { isSafeHref } from '../../lib/links';
import { CardSection, FieldGrid, SpecRefLink, TextOrNote } from '../common';
import { ModelHealthIndicator } from '../ModelHealth';
import { RelatedEntityList } from '../RelatedEntityList';

const numberFormat = new Intl.NumberFormat('en-US', {
  maximumFractionDigits: 4,
});

const MetricsTable = (props: { entity: MLModelEntityV1alpha1 }) => {
  const metrics = props.entity.spec.modelCard?.metrics ?? [];
  if (metrics.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No metrics recorded.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Metrics">
      <TableHead>
        <TableRow>
          <TableCell>Metric</TableCell>
          <TableCell align="right">Value</TableCell>
          <TableCell>Split</TableCell>
          <TableCell>Description</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {metrics.map(metric => (
          <TableRow key={`${metric.name}/${metric.split ?? ''}`}>
            <TableCell component="th" scope="row">
              {metric.name}
            </TableCell>
            <TableCell align="right">
              {numberFormat.format(metric.value)}
            </TableCell>
            <TableCell>{metric.split ?? '—'}</TableCell>
            <TableCell>{metric.description ?? ''}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

function describeServing(serving: MLModelServing | undefined): string {
  if (!serving) {
    return 'Not served.';
  }
  if (serving.target === 'lambda') {
    const region = serving.region ? ` in ${serving.region}` : '';
    return `AWS Lambda function ${serving.functionName}, alias ${serving.alias}${region}.`;
  }
  const route = serving.routePrefix ? ` at ${serving.routePrefix}` : '';
  return `Ray Serve application ${serving.application}${route}.`;
}

const Links = (props: { entity: MLModelEntityV1alpha1 }) => {
  const links = (props.entity.metadata.links ?? []).filter(link =>
    isSafeHref(link.url),
  );
  if (links.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No links.
      </Typography>
    );
  }
  return (
    <ul style={{ margin: 0, paddingLeft: 20 }}>
      {links.map(link => (
        <li key={link.url}>
          <Link to={link.url}>{link.title ?? link.url}</Link>
        </li>
      ))}
    </ul>
  );
};

/**
 * The model card of an MLModel: what the model does and for whom, how well,
 * what it was trained on, and where it is served.
 */
export const ModelCard = () => {
  const { entity } = useEntity();
  if (!isMLModelEntity(entity)) {
    return (
      <InfoCard title="Model card">
        <Typography variant="body2" color="textSecondary">
          This entity is not an MLModel.
        </Typography>
      </InfoCard>
    );
  }
  const { spec } = entity;
  const card = spec.modelCard ?? {};
  const trainingRefs = collectRefs(entity, {
    relation: RELATION_MLOPS_TRAINED_ON,
    spec: { path: 'spec.trainedOn', defaultKind: 'Dataset' },
  });
  const featureRefs = collectRefs(entity, {
    relation: RELATION_MLOPS_USES_FEATURE,
    spec: { path: 'spec.features', defaultKind: 'Feature' },
  });
  const apiRefs = collectRefs(entity, {
    relation: RELATION_PROVIDES_API,
    spec: { path: 'spec.serving.providesApis', defaultKind: 'API' },
  });

  return (
    <InfoCard title="Model card" subheader={entity.metadata.title}>
      <CardSection title="Description">
        <TextOrNote text={entity.metadata.description} note="No description." />
      </CardSection>
      <CardSection title="Overview">
        <FieldGrid
          fields={[
            { label: 'Task', value: spec.type },
            { label: 'Framework', value: spec.framework },
            {
              label: 'Owner',
              value: (
                <SpecRefLink
                  entity={entity}
                  field="owner"
                  defaultKind="group"
                />
              ),
            },
            { label: 'Lifecycle', value: spec.lifecycle },
            {
              label: 'System',
              value: spec.system ? (
                <SpecRefLink
                  entity={entity}
                  field="system"
                  defaultKind="system"
                />
              ) : undefined,
            },
            {
              label: 'Health',
              value: (
                <ModelHealthIndicator entityRef={stringifyEntityRef(entity)} />
              ),
            },
          ]}
        />
      </CardSection>
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <CardSection title="Intended use">
            <TextOrNote text={card.intendedUse} note="Not documented." />
          </CardSection>
        </Grid>
        <Grid item xs={12} md={6}>
          <CardSection title="Limitations">
            <TextOrNote text={card.limitations} note="Not documented." />
          </CardSection>
        </Grid>
      </Grid>
      {card.ethicalConsiderations && (
        <CardSection title="Ethical considerations">
          <TextOrNote text={card.ethicalConsiderations} note="" />
        </CardSection>
      )}
      <CardSection title="Metrics">
        <MetricsTable entity={entity} />
      </CardSection>
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <CardSection title="Training datasets">
            <RelatedEntityList
              label="Training datasets"
              entityRefs={trainingRefs}
              emptyMessage="No training datasets recorded."
            />
          </CardSection>
        </Grid>
        <Grid item xs={12} md={6}>
          <CardSection title="Features">
            <RelatedEntityList
              label="Features"
              entityRefs={featureRefs}
              emptyMessage="No features recorded."
            />
          </CardSection>
        </Grid>
      </Grid>
      <CardSection title="Endpoints">
        <Typography variant="body2" gutterBottom>
          {describeServing(spec.serving)}
        </Typography>
        <RelatedEntityList
          label="Endpoint APIs"
          entityRefs={apiRefs}
          emptyMessage="No endpoint APIs recorded."
        />
      </CardSection>
      <CardSection title="Links">
        <Links entity={entity} />
      </CardSection>
    </InfoCard>
  );
};
