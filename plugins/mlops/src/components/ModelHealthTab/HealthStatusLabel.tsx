import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { ModelHealthStatus } from '@synth/plugin-mlops-common';

/** A health status in the colours of Backstage's status components. */
export const HealthStatusLabel = (props: { status: ModelHealthStatus }) => {
  switch (props.status) {
    case 'healthy':
      return <StatusOK>healthy</StatusOK>;
    case 'degraded':
      return <StatusWarning>degraded</StatusWarning>;
    case 'unhealthy':
      return <StatusError>unhealthy</StatusError>;
    default:
      return <StatusPending>unknown</StatusPending>;
  }
};
