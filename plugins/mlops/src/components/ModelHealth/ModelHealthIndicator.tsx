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

function describeFailure(error: Error): string {
  if (error instanceof ResponseError && error.statusCode === 404) {
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
 * The health of a model as the mlops backend reports it. When the backend
 * has no answer (no health endpoint, unknown model, an error) the status reads
 * "unknown" in muted text and the reason is in the tooltip.
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

  if (loading) {
    return (
      <Typography component="span" variant="body2" color="textSecondary">
        checking…
      </Typography>
    );
  }
  const health: Pick<ModelHealth, 'status' | 'reasons'> = value ?? {
    status: 'unknown',
    reasons: [],
  };
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
