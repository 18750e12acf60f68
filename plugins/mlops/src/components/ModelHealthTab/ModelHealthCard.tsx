import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { mlopsApiRef } from '../../api';
import { ApiFailurePanel } from './ApiFailurePanel';
import { HealthStatusLabel } from './HealthStatusLabel';
import { formatShare, formatTime } from './format';

/**
 * A small card for the model's overview: status and reasons, what is
 * deployed, the last run and the latest drift share.
 */
export const ModelHealthCard = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const mlopsApi = useApi(mlopsApiRef);
  const { loading, value, error } = useAsync(
    () => mlopsApi.getModelHealth(entityRef),
    [mlopsApi, entityRef],
  );
  return (
    <InfoCard title="Health" variant="gridItem">
      {loading && <Progress />}
      {error && <ApiFailurePanel error={error} what="Model health" />}
      {value && (
        <Box>
          <Typography variant="h6" component="p">
            <HealthStatusLabel status={value.status} />
          </Typography>
          {value.reasons.length > 0 && (
            <ul aria-label="Health reasons">
              {value.reasons.map(r => (
                <li key={r}>
                  <Typography variant="body2">{r}</Typography>
                </li>
              ))}
            </ul>
          )}
          <Typography variant="body2">
            {value.deployments.length > 0
              ? `Deployed: ${value.deployments
                  .map(d => `v${d.version} on ${d.target} (${d.status})`)
                  .join(', ')}`
              : 'Not deployed'}
          </Typography>
          <Typography variant="body2">
            {value.lastRun
              ? `Last run: ${value.lastRun.status}, ${formatTime(
                  value.lastRun.createdAt,
                )}`
              : 'No training runs'}
          </Typography>
          <Typography variant="body2">
            {value.drift
              ? `Drift: ${formatShare(value.drift.driftShare)} of ${
                  value.drift.columnCount
                } columns${value.drift.datasetDrift ? ' (drifted)' : ''}`
              : 'No drift report'}
          </Typography>
        </Box>
      )}
    </InfoCard>
  );
};
