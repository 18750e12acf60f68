import { InfoCard, Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  DriftReport,
  DriftReportSummary,
  TERMINAL_DRIFT_REPORT_STATUSES,
  mlopsModelDriftRunPermission,
} from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import {
  deploymentMarkers,
  driftTrend,
  sortColumnsWorstFirst,
} from '../../lib/drift';
import { ApiFailurePanel } from './ApiFailurePanel';
import { DriftHistogramChart, DriftTrendChart } from './DriftCharts';
import { PermissionedButton } from './PermissionedButton';
import { formatMetric, formatShare, formatTime, shortRef } from './format';
import { useHealthRefresh } from './refresh';

/** How often a report in progress is re-read. */
export const DRIFT_POLL_MS = 3000;
/** Reports read for the trend chart. */
export const DRIFT_TREND_REPORTS = 50;

/**
 * Data drift of the model: the latest report's verdict and share, every
 * tested column worst first with its histogram, the drift share over time
 * with deployments marked, and the Run drift report button.
 */
export const DriftPanel = (props: {
  entityRef: string;
  monitored: boolean;
}) => {
  const { entityRef, monitored } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const { generation, refresh } = useHealthRefresh();
  const [runError, setRunError] = useState<Error>();
  const [requesting, setRequesting] = useState(false);

  const reports = useAsyncRetry(
    () => mlopsApi.listDriftReports(entityRef, { limit: DRIFT_TREND_REPORTS }),
    [mlopsApi, entityRef, generation],
  );
  // Deployments only mark the trend; without them the chart still draws.
  const deployments = useAsync(
    () => mlopsApi.listDeployments(entityRef, { limit: 50 }),
    [mlopsApi, entityRef, generation],
  );

  const items = reports.value?.items ?? [];
  const newest = items[0];
  const inProgress =
    newest && !TERMINAL_DRIFT_REPORT_STATUSES.includes(newest.status);
  const { retry } = reports;
  useEffect(() => {
    if (!inProgress) return undefined;
    const timer = setTimeout(retry, DRIFT_POLL_MS);
    return () => clearTimeout(timer);
  }, [inProgress, reports.value, retry]);

  const latestSucceeded = items.find(r => r.status === 'succeeded');
  const report = useAsync(
    async () =>
      latestSucceeded ? mlopsApi.getDriftReport(latestSucceeded.id) : undefined,
    [mlopsApi, latestSucceeded?.id],
  );

  const runReport = async () => {
    setRequesting(true);
    setRunError(undefined);
    try {
      await mlopsApi.createDriftReport(entityRef);
      refresh();
    } catch (e) {
      setRunError(e as Error);
    } finally {
      setRequesting(false);
    }
  };

  let runBlocker: string | undefined;
  if (!monitored) {
    runBlocker = 'The model declares no spec.monitoring';
  } else if (inProgress || requesting) {
    runBlocker = 'A drift report is being computed';
  }

  const points = driftTrend(items);
  const markers =
    points.length > 0
      ? deploymentMarkers(deployments.value?.items ?? [], {
          from: points[0].time,
          to: Date.now(),
        })
      : [];

  return (
    <InfoCard
      title="Data drift"
      action={
        <Box pt={1} pr={1}>
          <PermissionedButton
            permission={mlopsModelDriftRunPermission}
            entityRef={entityRef}
            variant="outlined"
            color="primary"
            disabledReason={runBlocker}
            onClick={runReport}
          >
            Run drift report
          </PermissionedButton>
        </Box>
      }
    >
      {runError && <ApiFailurePanel error={runError} what="Run drift report" />}
      {reports.loading && !reports.value && <Progress />}
      {reports.error && (
        <ApiFailurePanel error={reports.error} what="Drift reports" />
      )}
      {reports.value && items.length === 0 && (
        <Typography color="textSecondary">
          {monitored
            ? 'No drift report yet. Run one to compare the current data with the reference.'
            : 'The model declares no monitoring (spec.monitoring), so it has no drift reports.'}
        </Typography>
      )}
      {newest && newest.status !== 'succeeded' && (
        <NewestReportState report={newest} />
      )}
      {report.error && (
        <ApiFailurePanel error={report.error} what="Drift report" />
      )}
      {latestSucceeded && report.loading && !report.value && <Progress />}
      {report.value && <ReportDetails report={report.value} />}
      {points.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle1" component="h3">
            Drift share over time
          </Typography>
          <DriftTrendChart
            points={points}
            markers={markers}
            threshold={report.value?.dataset?.threshold}
          />
        </Box>
      )}
    </InfoCard>
  );
};

function NewestReportState(props: { report: DriftReportSummary }) {
  const { report } = props;
  if (report.status === 'failed') {
    return (
      <WarningPanel
        severity="error"
        title="The latest drift report failed"
        defaultExpanded
        message={`${report.error ?? 'No reason given'} (requested by ${shortRef(
          report.triggeredBy,
        )}, ${formatTime(report.createdAt)})`}
      />
    );
  }
  return (
    <Box mb={2} aria-label="Drift report in progress">
      <Typography variant="body2">
        {`A drift report is ${report.status} (requested by ${shortRef(
          report.triggeredBy,
        )}, ${formatTime(report.createdAt)})…`}
      </Typography>
      <Progress />
    </Box>
  );
}

function ReportDetails(props: { report: DriftReport }) {
  const { report } = props;
  const columns = sortColumnsWorstFirst(report.columns ?? []);
  const [selected, setSelected] = useState<string | undefined>(
    columns[0]?.column,
  );
  const column = columns.find(c => c.column === selected) ?? columns[0];
  const dataset = report.dataset;
  return (
    <Box>
      {dataset && (
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 16 }}
          mb={2}
          aria-label="Latest drift verdict"
        >
          <Chip
            label={dataset.drifted ? 'Drift detected' : 'No dataset drift'}
            color={dataset.drifted ? 'secondary' : 'default'}
          />
          <Typography variant="body1">
            {`${dataset.driftedColumns.length} of ${
              dataset.columnCount
            } columns drifted (${formatShare(
              dataset.driftShare,
            )}; threshold ${formatShare(dataset.threshold)})`}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            {`Computed ${formatTime(report.finishedAt)}; reference ${
              report.reference.datasetRef ?? report.reference.source
            }${
              report.reference.rows !== undefined
                ? ` (${report.reference.rows} rows)`
                : ''
            }, current ${report.current.source}${
              report.current.rows !== undefined
                ? ` (${report.current.rows} rows)`
                : ''
            }`}
          </Typography>
        </Box>
      )}
      <Grid container spacing={2}>
        <Grid item xs={12} lg={6}>
          <Table size="small" aria-label="Drift per feature">
            <TableHead>
              <TableRow>
                <TableCell>Feature</TableCell>
                <TableCell>Method</TableCell>
                <TableCell align="right">Statistic</TableCell>
                <TableCell align="right">p-value</TableCell>
                <TableCell align="right">Threshold</TableCell>
                <TableCell>Drifted</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {columns.map(c => (
                <TableRow
                  key={c.column}
                  hover
                  selected={c.column === column?.column}
                  onClick={() => setSelected(c.column)}
                  style={{ cursor: 'pointer' }}
                  aria-selected={c.column === column?.column}
                >
                  <TableCell>{c.column}</TableCell>
                  <TableCell>{c.method}</TableCell>
                  <TableCell align="right">
                    {c.statistic === null ? '∞' : formatMetric(c.statistic)}
                  </TableCell>
                  <TableCell align="right">{formatMetric(c.pValue)}</TableCell>
                  <TableCell align="right">
                    {`${c.comparison} ${formatMetric(c.threshold)}`}
                  </TableCell>
                  <TableCell>{c.drifted ? 'yes' : 'no'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {report.skippedColumns && report.skippedColumns.length > 0 && (
            <Typography variant="caption" color="textSecondary">
              {`Not tested: ${report.skippedColumns
                .map(s => `${s.column} (${s.reason})`)
                .join(', ')}`}
            </Typography>
          )}
        </Grid>
        <Grid item xs={12} lg={6}>
          {column && <DriftHistogramChart column={column} />}
        </Grid>
      </Grid>
    </Box>
  );
}
