import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ModelHealth } from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { ApiFailurePanel } from './ApiFailurePanel';
import { HealthStatusLabel } from './HealthStatusLabel';
import { useHealthRefresh } from './refresh';
import { formatShare, formatTime } from './format';

/** The model's overall status with the reasons the backend gives. */
export const HealthStatusHeader = (props: { entityRef: string }) => {
  const { entityRef } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const { generation } = useHealthRefresh();
  const { loading, value, error } = useAsync(
    () => mlopsApi.getModelHealth(entityRef),
    [mlopsApi, entityRef, generation],
  );

  return (
    <InfoCard title="Model health">
      {loading && !value && <Progress />}
      {error && <ApiFailurePanel error={error} what="Model health" />}
      {value && <HealthSummary health={value} />}
    </InfoCard>
  );
};

function HealthSummary(props: { health: ModelHealth }) {
  const { health } = props;
  return (
    <Box>
      <Box display="flex" alignItems="center" mb={1}>
        <Typography variant="h5" component="p">
          <HealthStatusLabel status={health.status} />
        </Typography>
      </Box>
      {health.reasons.length > 0 ? (
        <ul aria-label="Health reasons">
          {health.reasons.map(reason => (
            <li key={reason}>
              <Typography variant="body2">{reason}</Typography>
            </li>
          ))}
        </ul>
      ) : (
        <Typography variant="body2" color="textSecondary">
          No problems reported.
        </Typography>
      )}
      <Typography variant="body2" color="textSecondary">
        {health.lastRun
          ? `Last training run ${health.lastRun.status} (${formatTime(
              health.lastRun.createdAt,
            )}). `
          : 'No training runs yet. '}
        {health.drift
          ? `Drift ${formatShare(health.drift.driftShare)} of ${
              health.drift.columnCount
            } columns (${formatTime(health.drift.computedAt)}).`
          : 'No drift report yet.'}
      </Typography>
    </Box>
  );
}
