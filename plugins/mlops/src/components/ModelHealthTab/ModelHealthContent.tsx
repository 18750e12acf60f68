import { stringifyEntityRef } from '@backstage/catalog-model';
import { WarningPanel } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import {
  ANNOTATION_MLFLOW_EXPERIMENT,
  isMLModelEntity,
} from '@synth/plugin-mlops-common';
import { DeploymentsPanel } from './DeploymentsPanel';
import { DriftPanel } from './DriftPanel';
import { ExperimentMetricsCard } from './ExperimentMetricsCard';
import { HealthStatusHeader } from './HealthStatusHeader';
import { TrainingRunsPanel } from './TrainingRunsPanel';
import { HealthRefreshProvider } from './refresh';

/**
 * The Health tab of an MLModel entity page: the status with its reasons,
 * deployments per serving target, training runs with live logs, data drift,
 * and the MLflow experiment's metrics when the entity names one.
 */
export const ModelHealthContent = () => {
  const { entity } = useEntity();
  if (!isMLModelEntity(entity)) {
    return (
      <WarningPanel
        title="Not an ML model"
        message={`The Health tab is for MLModel entities; this is a ${entity.kind}.`}
      />
    );
  }
  const entityRef = stringifyEntityRef(entity);
  const experiment =
    entity.metadata.annotations?.[ANNOTATION_MLFLOW_EXPERIMENT];
  return (
    <HealthRefreshProvider>
      <Grid container spacing={3} alignItems="stretch">
        <Grid item xs={12}>
          <HealthStatusHeader entityRef={entityRef} />
        </Grid>
        <Grid item xs={12}>
          <DeploymentsPanel
            entityRef={entityRef}
            serving={entity.spec.serving}
          />
        </Grid>
        <Grid item xs={12}>
          <TrainingRunsPanel
            entityRef={entityRef}
            parameters={entity.spec.training?.parameters}
            trainable={Boolean(entity.spec.training)}
          />
        </Grid>
        <Grid item xs={12}>
          <DriftPanel
            entityRef={entityRef}
            monitored={Boolean(entity.spec.monitoring)}
          />
        </Grid>
        {experiment && (
          <Grid item xs={12}>
            <ExperimentMetricsCard
              entityRef={entityRef}
              experiment={experiment}
            />
          </Grid>
        )}
      </Grid>
    </HealthRefreshProvider>
  );
};
