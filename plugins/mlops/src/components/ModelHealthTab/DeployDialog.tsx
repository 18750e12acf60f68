import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  CreateDeploymentRequest,
  MLModelServing,
} from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { ApiFailurePanel } from './ApiFailurePanel';
import { formatMetric, formatTime } from './format';

/**
 * Deploys a version a succeeded training run registered, all at once or
 * as a canary with a traffic weight.
 */
export const DeployDialog = (props: {
  entityRef: string;
  serving?: MLModelServing;
  onClose: (done: boolean) => void;
}) => {
  const { entityRef, serving, onClose } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const versions = useAsync(
    () => mlopsApi.listModelVersions(entityRef, { limit: 50 }),
    [mlopsApi, entityRef],
  );
  const [version, setVersion] = useState('');
  const [strategy, setStrategy] = useState<'all-at-once' | 'canary'>(
    'all-at-once',
  );
  const [weightPercent, setWeightPercent] = useState('10');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  // One key per dialog: a retried submit cannot deploy twice.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);

  const weight = Number(weightPercent) / 100;
  const weightError =
    strategy === 'canary' && !(weight > 0 && weight < 1)
      ? 'Between 0 and 100, exclusive'
      : undefined;
  const selected = version || versions.value?.items[0]?.version || '';

  const submit = async () => {
    const request: CreateDeploymentRequest =
      strategy === 'canary'
        ? { version: selected, strategy, weight }
        : { version: selected, strategy };
    setBusy(true);
    setError(undefined);
    try {
      await mlopsApi.createDeployment(entityRef, request, { idempotencyKey });
      onClose(true);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={() => !busy && onClose(false)}
      aria-labelledby="mlops-deploy-title"
      fullWidth
    >
      <DialogTitle id="mlops-deploy-title">Deploy a version</DialogTitle>
      <DialogContent>
        {serving && (
          <Typography variant="body2" color="textSecondary" paragraph>
            {serving.target === 'lambda'
              ? `AWS Lambda ${serving.functionName}, alias ${serving.alias}`
              : `Ray Serve application ${serving.application}`}
          </Typography>
        )}
        {versions.loading && <Progress />}
        {versions.error && (
          <ApiFailurePanel error={versions.error} what="Model versions" />
        )}
        {versions.value && versions.value.items.length === 0 && (
          <Typography>
            No versions yet: a succeeded training run registers one.
          </Typography>
        )}
        {versions.value && versions.value.items.length > 0 && (
          <>
            <TextField
              select
              id="mlops-deploy-version"
              label="Version"
              value={selected}
              onChange={e => setVersion(e.target.value)}
              SelectProps={{ native: true }}
              fullWidth
              margin="normal"
            >
              {versions.value.items.map(v => (
                <option key={v.version} value={v.version}>
                  {`${v.version} (${formatTime(v.createdAt)}${Object.entries(
                    v.metrics,
                  )
                    .slice(0, 2)
                    .map(([k, m]) => `, ${k} ${formatMetric(m)}`)
                    .join('')})`}
                </option>
              ))}
            </TextField>
            <RadioGroup
              aria-label="Strategy"
              value={strategy}
              onChange={e =>
                setStrategy(e.target.value as 'all-at-once' | 'canary')
              }
            >
              <FormControlLabel
                value="all-at-once"
                control={<Radio />}
                label="All at once"
              />
              <FormControlLabel
                value="canary"
                control={<Radio />}
                label="Canary"
              />
            </RadioGroup>
            {strategy === 'canary' && (
              <TextField
                id="mlops-deploy-weight"
                label="Canary traffic (%)"
                type="number"
                value={weightPercent}
                onChange={e => setWeightPercent(e.target.value)}
                error={Boolean(weightError)}
                helperText={weightError}
                inputProps={{ min: 1, max: 99 }}
              />
            )}
          </>
        )}
        {error && <ApiFailurePanel error={error} what="Deploy" />}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => onClose(false)} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={busy || !selected || Boolean(weightError)}
        >
          {busy ? 'Deploying…' : 'Deploy'}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
