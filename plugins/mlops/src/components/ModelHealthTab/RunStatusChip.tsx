import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import { TrainingRunStatus } from '@synth/plugin-mlops-common';

/** A training run's status in the colours of Backstage's status components. */
export const RunStatusChip = (props: { status: TrainingRunStatus }) => {
  const { status } = props;
  switch (status) {
    case 'succeeded':
      return <StatusOK>{status}</StatusOK>;
    case 'failed':
      return <StatusError>{status}</StatusError>;
    case 'cancelled':
      return <StatusAborted>{status}</StatusAborted>;
    case 'running':
      return <StatusRunning>{status}</StatusRunning>;
    default:
      return <StatusPending>{status}</StatusPending>;
  }
};
