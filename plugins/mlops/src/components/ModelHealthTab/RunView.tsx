import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { useEffect, useRef, useState } from 'react';
import {
  TERMINAL_TRAINING_RUN_STATUSES,
  TrainingRun,
  mlopsModelTrainPermission,
} from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { progressFromLog } from '../../lib/runProgress';
import { ApiFailurePanel } from './ApiFailurePanel';
import { PermissionedButton } from './PermissionedButton';
import { RunStatusChip } from './RunStatusChip';
import { formatDuration, formatMetric, formatTime, shortRef } from './format';

/** How often the run's status is re-read while it is active. */
export const RUN_POLL_MS = 2000;
/** How long one log request may wait for new text, in seconds. */
export const LOG_WAIT_SECONDS = 10;
/** The tail of the log kept in the page, in characters. */
export const LOG_TAIL_CHARS = 200_000;

function isTerminal(run?: TrainingRun) {
  return Boolean(run && TERMINAL_TRAINING_RUN_STATUSES.includes(run.status));
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A training run as it happens: status and progress re-read until the run
 * ends, and the log followed with long-polling requests, with no reload.
 */
export const RunView = (props: {
  runId: string;
  entityRef: string;
  onClose: () => void;
  /** Called once when the run reaches a final status while open. */
  onFinished?: () => void;
}) => {
  const { runId, entityRef, onClose, onFinished } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const [run, setRun] = useState<TrainingRun>();
  const [runError, setRunError] = useState<Error>();
  const [log, setLog] = useState('');
  const [logTruncated, setLogTruncated] = useState(false);
  const [logComplete, setLogComplete] = useState(false);
  const [logError, setLogError] = useState<Error>();
  const [cancelError, setCancelError] = useState<Error>();
  const [now, setNow] = useState(Date.now());
  const logRef = useRef<HTMLPreElement>(null);
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;

  // The run's status, until it is final.
  useEffect(() => {
    const abort = new AbortController();
    let sawActive = false;
    (async () => {
      while (!abort.signal.aborted) {
        try {
          const next = await mlopsApi.getTrainingRun(runId, {
            signal: abort.signal,
          });
          if (abort.signal.aborted) return;
          setRun(next);
          setRunError(undefined);
          if (isTerminal(next)) {
            if (sawActive) finishedRef.current?.();
            return;
          }
          sawActive = true;
        } catch (e) {
          if (abort.signal.aborted) return;
          setRunError(e as Error);
        }
        await sleep(RUN_POLL_MS, abort.signal);
      }
    })();
    return () => abort.abort();
  }, [mlopsApi, runId]);

  // The log, followed from where it ends until it is complete.
  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      let after = 0;
      while (!abort.signal.aborted) {
        try {
          const slice = await mlopsApi.getTrainingRunLogs(runId, {
            after,
            waitSeconds: LOG_WAIT_SECONDS,
            signal: abort.signal,
          });
          if (abort.signal.aborted) return;
          setLogError(undefined);
          if (slice.truncated) setLogTruncated(true);
          if (slice.text) {
            setLog(previous => {
              const next = previous + slice.text;
              if (next.length > LOG_TAIL_CHARS) {
                setLogTruncated(true);
                return next.slice(next.length - LOG_TAIL_CHARS);
              }
              return next;
            });
          }
          after = slice.nextOffset;
          if (slice.complete) {
            setLogComplete(true);
            return;
          }
          if (!slice.text) {
            // The backend answered without waiting (or had nothing new).
            await sleep(RUN_POLL_MS, abort.signal);
          }
        } catch (e) {
          if (abort.signal.aborted) return;
          setLogError(e as Error);
          await sleep(RUN_POLL_MS * 2, abort.signal);
        }
      }
    })();
    return () => abort.abort();
  }, [mlopsApi, runId]);

  // The elapsed time ticks while the run is active.
  const active = run && !isTerminal(run);
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  // Keep the newest lines in view.
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [log]);

  const progress = progressFromLog(log.slice(-20_000));
  const elapsed =
    run?.startedAt &&
    formatDuration(
      (run.finishedAt ? Date.parse(run.finishedAt) : now) -
        Date.parse(run.startedAt),
    );

  return (
    <Dialog
      open
      onClose={onClose}
      fullWidth
      maxWidth="lg"
      aria-labelledby="mlops-run-title"
    >
      <DialogTitle id="mlops-run-title">Training run {runId}</DialogTitle>
      <DialogContent>
        {runError && <ApiFailurePanel error={runError} what="Training run" />}
        {run && (
          <Box mb={2}>
            <Box display="flex" alignItems="center" style={{ gap: 16 }}>
              <Typography component="span" aria-label="Run status">
                <RunStatusChip status={run.status} />
              </Typography>
              <Typography variant="body2" color="textSecondary">
                {`${run.executor} executor, started by ${shortRef(
                  run.createdBy,
                )} at ${formatTime(run.startedAt ?? run.createdAt)}`}
                {elapsed ? `, ${elapsed}` : ''}
              </Typography>
            </Box>
            {run.statusMessage && (
              <Typography variant="body2">{run.statusMessage}</Typography>
            )}
            {active && (
              <Box mt={1}>
                <LinearProgress
                  aria-label="Run progress"
                  variant={
                    progress === undefined ? 'indeterminate' : 'determinate'
                  }
                  value={progress === undefined ? undefined : progress * 100}
                />
                {progress !== undefined && (
                  <Typography variant="caption">
                    {`${Math.round(progress * 100)}% (from the log)`}
                  </Typography>
                )}
              </Box>
            )}
            <Typography variant="body2">
              {'Parameters: '}
              {Object.entries(run.parameters)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(', ') || 'none'}
            </Typography>
            {run.modelVersion && (
              <Typography variant="body2">
                {`Registered version ${run.modelVersion}`}
              </Typography>
            )}
            {run.metrics && Object.keys(run.metrics).length > 0 && (
              <Typography variant="body2" aria-label="Run metrics">
                {Object.entries(run.metrics)
                  .map(([k, v]) => `${k} ${formatMetric(v)}`)
                  .join(', ')}
              </Typography>
            )}
          </Box>
        )}
        <Typography variant="subtitle2" component="h3">
          {logComplete ? 'Log' : 'Log (live)'}
        </Typography>
        {logTruncated && (
          <Typography variant="caption" color="textSecondary">
            The beginning of the log is not shown.
          </Typography>
        )}
        {logError && <ApiFailurePanel error={logError} what="Run log" />}
        <pre
          ref={logRef}
          aria-label="Run log"
          style={{
            maxHeight: 400,
            overflow: 'auto',
            background: 'rgba(127,127,127,0.1)',
            padding: 8,
            margin: 0,
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-all',
          }}
        >
          {log || (logComplete ? '(empty log)' : 'Waiting for output…')}
        </pre>
        {cancelError && <ApiFailurePanel error={cancelError} what="Cancel" />}
      </DialogContent>
      <DialogActions>
        {active && (
          <PermissionedButton
            permission={mlopsModelTrainPermission}
            entityRef={entityRef}
            disabledReason={
              run?.cancelRequested ? 'Cancellation requested' : undefined
            }
            onClick={async () => {
              setCancelError(undefined);
              try {
                await mlopsApi.cancelTrainingRun(runId);
                setRun(r => r && { ...r, cancelRequested: true });
              } catch (e) {
                setCancelError(e as Error);
              }
            }}
          >
            Cancel run
          </PermissionedButton>
        )}
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
};
