import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Deployment,
  DeploymentStatus,
  MLModelServing,
  mlopsModelDeployPermission,
  mlopsModelRollbackPermission,
} from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { TargetState, targetStates } from '../../lib/deployments';
import { ApiFailurePanel } from './ApiFailurePanel';
import { ConfirmDialog } from './ConfirmDialog';
import { DeployDialog } from './DeployDialog';
import { PermissionedButton } from './PermissionedButton';
import { formatShare, formatTime, shortRef } from './format';
import { useHealthRefresh } from './refresh';

const TRANSITIONAL: DeploymentStatus[] = [
  'pending',
  'deploying',
  'promoting',
  'rolling-back',
];

/** How often a deployment in progress is re-read. */
export const DEPLOYMENT_POLL_MS = 3000;

const TARGET_NAMES = { lambda: 'AWS Lambda', 'ray-serve': 'Ray Serve' };

function rollbackBlocker(d: Deployment | undefined): string | undefined {
  if (!d) return 'Nothing is deployed yet';
  const allowed: DeploymentStatus[] =
    d.target === 'lambda' ? ['canary', 'succeeded'] : ['succeeded', 'failed'];
  return allowed.includes(d.status)
    ? undefined
    : `A ${d.status} deployment cannot be rolled back`;
}

type PendingAction = { kind: 'promote' | 'rollback'; deployment: Deployment };

/**
 * The model's serving targets: what version is live, a canary with its
 * weight, the latest deployment's state; Promote, Rollback and Deploy.
 */
export const DeploymentsPanel = (props: {
  entityRef: string;
  serving?: MLModelServing;
}) => {
  const { entityRef, serving } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const { generation, refresh } = useHealthRefresh();
  const [action, setAction] = useState<PendingAction>();
  const [deployOpen, setDeployOpen] = useState(false);

  const { loading, value, error, retry } = useAsyncRetry(
    () => mlopsApi.listDeployments(entityRef, { limit: 50 }),
    [mlopsApi, entityRef, generation],
  );

  const inProgress = value?.items.some(d => TRANSITIONAL.includes(d.status));
  useEffect(() => {
    if (!inProgress) return undefined;
    const timer = setTimeout(retry, DEPLOYMENT_POLL_MS);
    return () => clearTimeout(timer);
  }, [inProgress, value, retry]);

  const states = value ? targetStates(value.items, serving) : [];

  return (
    <InfoCard
      title="Deployments"
      action={
        <Box pt={1} pr={1}>
          <PermissionedButton
            permission={mlopsModelDeployPermission}
            entityRef={entityRef}
            variant="outlined"
            color="primary"
            disabledReason={
              serving ? undefined : 'The model declares no spec.serving target'
            }
            onClick={() => setDeployOpen(true)}
          >
            Deploy a version
          </PermissionedButton>
        </Box>
      }
    >
      {loading && !value && <Progress />}
      {error && <ApiFailurePanel error={error} what="Deployments" />}
      {value && states.length === 0 && (
        <Typography color="textSecondary">
          No serving target declared and no deployments yet.
        </Typography>
      )}
      <Grid container spacing={2}>
        {states.map(state => (
          <Grid item xs={12} md={6} key={state.target}>
            <TargetSummary
              state={state}
              entityRef={entityRef}
              onAction={setAction}
            />
          </Grid>
        ))}
      </Grid>
      {action && (
        <ConfirmDialog
          open
          title={
            action.kind === 'promote'
              ? `Promote version ${action.deployment.version}?`
              : `Roll back version ${action.deployment.version}?`
          }
          confirmLabel={action.kind === 'promote' ? 'Promote' : 'Roll back'}
          onConfirm={() =>
            action.kind === 'promote'
              ? mlopsApi.promoteDeployment(action.deployment.id)
              : mlopsApi.rollbackDeployment(action.deployment.id)
          }
          onClose={done => {
            setAction(undefined);
            if (done) refresh();
          }}
        >
          {action.kind === 'promote'
            ? `All traffic of ${
                TARGET_NAMES[action.deployment.target]
              } will go to version ${action.deployment.version}.`
            : `${
                TARGET_NAMES[action.deployment.target]
              } will serve the version it served before ${
                action.deployment.version
              }.`}
        </ConfirmDialog>
      )}
      {deployOpen && (
        <DeployDialog
          entityRef={entityRef}
          serving={serving}
          onClose={done => {
            setDeployOpen(false);
            if (done) refresh();
          }}
        />
      )}
    </InfoCard>
  );
};

function TargetSummary(props: {
  state: TargetState;
  entityRef: string;
  onAction: (action: PendingAction) => void;
}) {
  const { state, entityRef, onAction } = props;
  const latest = state.latest;
  return (
    <Box
      component="section"
      aria-label={`Target ${TARGET_NAMES[state.target]}`}
      border={1}
      borderColor="divider"
      borderRadius={4}
      p={2}
    >
      <Typography variant="h6" component="h3">
        {TARGET_NAMES[state.target]}
      </Typography>
      {state.location && (
        <Typography variant="body2" color="textSecondary">
          {state.location}
        </Typography>
      )}
      <dl>
        <dt>Live version</dt>
        <dd>{state.liveVersion ?? 'none'}</dd>
        <dt>Canary</dt>
        <dd>
          {state.canary
            ? `version ${state.canary.version}${
                state.canary.weight !== undefined
                  ? ` at ${formatShare(state.canary.weight)} of traffic`
                  : ''
              }`
            : 'none'}
        </dd>
        <dt>State</dt>
        <dd>
          {latest ? (
            <>
              <Chip size="small" label={latest.status} />{' '}
              {`version ${latest.version} by ${shortRef(
                latest.createdBy,
              )}, ${formatTime(latest.createdAt)}`}
              {latest.statusMessage && (
                <Typography variant="body2" color="textSecondary">
                  {latest.statusMessage}
                </Typography>
              )}
            </>
          ) : (
            'never deployed'
          )}
        </dd>
      </dl>
      <Box display="flex" style={{ gap: 8 }}>
        <PermissionedButton
          permission={mlopsModelDeployPermission}
          entityRef={entityRef}
          variant="contained"
          color="primary"
          size="small"
          disabledReason={
            state.canary?.deployment.status === 'canary'
              ? undefined
              : 'Only a canary can be promoted'
          }
          onClick={() =>
            state.canary &&
            onAction({ kind: 'promote', deployment: state.canary.deployment })
          }
        >
          Promote
        </PermissionedButton>
        <PermissionedButton
          permission={mlopsModelRollbackPermission}
          entityRef={entityRef}
          variant="outlined"
          size="small"
          disabledReason={rollbackBlocker(latest)}
          onClick={() =>
            latest && onAction({ kind: 'rollback', deployment: latest })
          }
        >
          Roll back
        </PermissionedButton>
      </Box>
    </Box>
  );
}
