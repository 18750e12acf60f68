import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ModelHealth } from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';

/**
 * What a health cell shows: checking, the backend's answer, or why there is
 * none (`'NotFound'`: the backend has no health for the model).
 */
export type ModelHealthState = {
  loading: boolean;
  health?: Pick<ModelHealth, 'status' | 'reasons'>;
  error?: Error | 'NotFound';
};

function describeFailure(error: Error | 'NotFound'): string {
  if (
    error === 'NotFound' ||
    (error instanceof ResponseError && error.statusCode === 404)
  ) {
    return 'No health data: the mlops backend does not report health for this model';
  }
  return `Health could not be read: ${error.message}`;
}

const HealthLabel = (props: { status: ModelHealth['status'] }) => {
  const { status } = props;
  switch (status) {
    case 'healthy':
      return <StatusOK>healthy</StatusOK>;
    case 'degraded':
      return <StatusWarning>degraded</StatusWarning>;
    case 'unhealthy':
      return <StatusError>unhealthy</StatusError>;
    default:
      return (
        <Typography component="span" variant="body2" color="textSecondary">
          unknown
        </Typography>
      );
  }
};

/**
 * A model's health as the mlops backend reported it. Without an answer (no
 * health endpoint, unknown model, an error) the status reads "unknown" in
 * muted text and the reason is in the tooltip.
 */
export const ModelHealthLabel = (props: ModelHealthState) => {
  const { loading, error } = props;
  if (loading) {
    return (
      <Typography component="span" variant="body2" color="textSecondary">
        checking…
      </Typography>
    );
  }
  const health = props.health ?? { status: 'unknown', reasons: [] };
  const explanation = error
    ? describeFailure(error)
    : health.reasons.join('; ');
  const label = <HealthLabel status={health.status} />;
  if (!explanation) {
    return label;
  }
  return (
    <Tooltip title={explanation}>
      <span aria-label={`${health.status}: ${explanation}`}>{label}</span>
    </Tooltip>
  );
};

/**
 * The health of one model, read from the mlops backend
 * (`GET /models/:namespace/:name/health`) and shown as {@link ModelHealthLabel}.
 */
export const ModelHealthIndicator = (props: {
  entityRef: string | CompoundEntityRef;
}) => {
  const { entityRef } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const key =
    typeof entityRef === 'string'
      ? entityRef
      : `${entityRef.kind}:${entityRef.namespace}/${entityRef.name}`;
  const { loading, value, error } = useAsync(
    () => mlopsApi.getModelHealth(entityRef),
    // The key stands for the reference, which may be a new object each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [mlopsApi, key],
  );
  return <ModelHealthLabel loading={loading} health={value} error={error} />;
};
