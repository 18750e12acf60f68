import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Link from '@material-ui/core/Link';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  MLModelTrainingParameter,
  TERMINAL_TRAINING_RUN_STATUSES,
  TrainingRun,
  mlopsModelTrainPermission,
} from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { ApiFailurePanel } from './ApiFailurePanel';
import { PermissionedButton } from './PermissionedButton';
import { RunStatusChip } from './RunStatusChip';
import { RunView } from './RunView';
import { TrainDialog } from './TrainDialog';
import { formatDuration, formatMetric, formatTime, shortRef } from './format';
import { useHealthRefresh } from './refresh';

/** Runs per page of the table. */
export const RUNS_PAGE_SIZE = 10;
/** How often a page with active runs is re-read. */
export const RUNS_POLL_MS = 3000;

function duration(run: TrainingRun, now: number): string {
  if (!run.startedAt) return '—';
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return formatDuration(end - Date.parse(run.startedAt));
}

function keyMetrics(run: TrainingRun): string {
  const entries = Object.entries(run.metrics ?? {}).slice(0, 3);
  return entries.length
    ? entries.map(([k, v]) => `${k} ${formatMetric(v)}`).join(', ')
    : '—';
}

/**
 * The model's training runs, newest first, a page at a time; the Train
 * button with a form of the declared parameters; a run's live view.
 */
export const TrainingRunsPanel = (props: {
  entityRef: string;
  parameters?: MLModelTrainingParameter[];
  trainable: boolean;
}) => {
  const { entityRef, parameters, trainable } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const { generation, refresh } = useHealthRefresh();
  // Cursors of the pages before the current one, and the current one's.
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  const cursor = cursors[cursors.length - 1];
  const [trainOpen, setTrainOpen] = useState(false);
  const [openRunId, setOpenRunId] = useState<string>();

  const { loading, value, error, retry } = useAsyncRetry(
    () =>
      mlopsApi.listTrainingRuns(entityRef, { limit: RUNS_PAGE_SIZE, cursor }),
    [mlopsApi, entityRef, cursor, generation],
  );

  const active = value?.items.some(
    r => !TERMINAL_TRAINING_RUN_STATUSES.includes(r.status),
  );
  useEffect(() => {
    if (!active) return undefined;
    const timer = setTimeout(retry, RUNS_POLL_MS);
    return () => clearTimeout(timer);
  }, [active, value, retry]);

  const now = Date.now();
  return (
    <InfoCard
      title="Training runs"
      action={
        <Box pt={1} pr={1}>
          <PermissionedButton
            permission={mlopsModelTrainPermission}
            entityRef={entityRef}
            variant="contained"
            color="primary"
            disabledReason={
              trainable ? undefined : 'The model declares no spec.training'
            }
            onClick={() => setTrainOpen(true)}
          >
            Train
          </PermissionedButton>
        </Box>
      }
    >
      {loading && !value && <Progress />}
      {error && <ApiFailurePanel error={error} what="Training runs" />}
      {value && value.items.length === 0 && cursors.length === 1 && (
        <Typography color="textSecondary">No training runs yet.</Typography>
      )}
      {value && value.items.length > 0 && (
        <Table size="small" aria-label="Training runs">
          <TableHead>
            <TableRow>
              <TableCell>Status</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Duration</TableCell>
              <TableCell>Triggered by</TableCell>
              <TableCell>Version</TableCell>
              <TableCell>Key metrics</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {value.items.map(run => (
              <TableRow key={run.id}>
                <TableCell>
                  <RunStatusChip status={run.status} />
                </TableCell>
                <TableCell>
                  {formatTime(run.startedAt ?? run.createdAt)}
                </TableCell>
                <TableCell>{duration(run, now)}</TableCell>
                <TableCell>{shortRef(run.createdBy)}</TableCell>
                <TableCell>{run.modelVersion ?? '—'}</TableCell>
                <TableCell>{keyMetrics(run)}</TableCell>
                <TableCell>
                  <Link
                    component="button"
                    onClick={() => setOpenRunId(run.id)}
                    aria-label={`View run ${run.id}`}
                  >
                    View
                  </Link>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {(cursors.length > 1 || value?.nextCursor) && (
        <Box display="flex" justifyContent="flex-end" mt={1} style={{ gap: 8 }}>
          <Button
            size="small"
            disabled={cursors.length === 1}
            onClick={() => setCursors(c => c.slice(0, -1))}
          >
            Newer
          </Button>
          <Button
            size="small"
            disabled={!value?.nextCursor}
            onClick={() =>
              value?.nextCursor &&
              setCursors(c => [...c, value.nextCursor as string])
            }
          >
            Older
          </Button>
        </Box>
      )}
      {trainOpen && (
        <TrainDialog
          entityRef={entityRef}
          parameters={parameters ?? []}
          onClose={runId => {
            setTrainOpen(false);
            if (runId) {
              setCursors([undefined]);
              refresh();
              setOpenRunId(runId);
            }
          }}
        />
      )}
      {openRunId && (
        <RunView
          runId={openRunId}
          entityRef={entityRef}
          onClose={() => setOpenRunId(undefined)}
          onFinished={refresh}
        />
      )}
    </InfoCard>
  );
};
