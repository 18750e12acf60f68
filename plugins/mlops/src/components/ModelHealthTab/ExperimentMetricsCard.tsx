import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import { useTheme } from '@material-ui/core/styles';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  CartesianGrid,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { MetricHistoryPoint } from '@synth/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { ApiFailurePanel } from './ApiFailurePanel';
import { formatDuration, formatMetric, formatTime } from './format';
import { useChartWidth } from './useChartWidth';

/** Runs listed in the card. */
export const EXPERIMENT_RUNS = 10;

/**
 * The model's MLflow experiment (named by its
 * `mlops.synth.dev/mlflow-experiment` annotation): recent runs with their
 * latest metrics, and one run's metric history as a trend.
 */
export const ExperimentMetricsCard = (props: {
  entityRef: string;
  experiment: string;
}) => {
  const { entityRef, experiment } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const [runId, setRunId] = useState<string>();
  const [metric, setMetric] = useState<string>();
  const { loading, value, error } = useAsync(
    () =>
      mlopsApi.getModelExperiment(entityRef, {
        maxRuns: EXPERIMENT_RUNS,
        runId,
      }),
    [mlopsApi, entityRef, runId],
  );

  const metricKeys = value ? Object.keys(value.metricHistories).sort() : [];
  const shownMetric =
    metric && metricKeys.includes(metric) ? metric : metricKeys[0];
  const runKeys = Array.from(
    new Set((value?.runs ?? []).flatMap(r => Object.keys(r.metrics))),
  )
    .sort()
    .slice(0, 4);

  return (
    <InfoCard
      title="Experiment metrics"
      subheader={`MLflow experiment ${value?.experimentName ?? experiment}`}
    >
      {loading && <Progress />}
      {error && <ApiFailurePanel error={error} what="Experiment metrics" />}
      {value && value.runs.length === 0 && (
        <Typography color="textSecondary">
          The experiment has no runs yet.
        </Typography>
      )}
      {value && value.runs.length > 0 && (
        <>
          <Table size="small" aria-label="Experiment runs">
            <TableHead>
              <TableRow>
                <TableCell>Run</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Started</TableCell>
                <TableCell>Duration</TableCell>
                {runKeys.map(k => (
                  <TableCell key={k} align="right">
                    {k}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {value.runs.map(r => (
                <TableRow
                  key={r.runId}
                  hover
                  selected={r.runId === value.metricHistoryRunId}
                  aria-selected={r.runId === value.metricHistoryRunId}
                  onClick={() => setRunId(r.runId)}
                  style={{ cursor: 'pointer' }}
                >
                  <TableCell>{r.runName ?? r.runId}</TableCell>
                  <TableCell>{r.status}</TableCell>
                  <TableCell>{formatTime(r.startTime)}</TableCell>
                  <TableCell>
                    {r.startTime && r.endTime
                      ? formatDuration(r.endTime - r.startTime)
                      : '—'}
                  </TableCell>
                  {runKeys.map(k => (
                    <TableCell key={k} align="right">
                      {formatMetric(r.metrics[k])}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {shownMetric && (
            <Box mt={2}>
              <TextField
                select
                id="mlops-experiment-metric"
                label="Metric"
                value={shownMetric}
                onChange={e => setMetric(e.target.value)}
                SelectProps={{ native: true }}
              >
                {metricKeys.map(k => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </TextField>
              <MetricTrend
                name={shownMetric}
                points={value.metricHistories[shownMetric]}
                truncated={value.truncatedMetrics.includes(shownMetric)}
              />
            </Box>
          )}
        </>
      )}
    </InfoCard>
  );
};

function MetricTrend(props: {
  name: string;
  points: MetricHistoryPoint[];
  truncated: boolean;
}) {
  const { name, points, truncated } = props;
  const theme = useTheme();
  const { ref, width } = useChartWidth();
  return (
    <figure aria-label={`History of ${name}`} style={{ margin: 0 }}>
      <div ref={ref} style={{ width: '100%' }}>
        <LineChart
          width={width}
          height={220}
          data={points}
          margin={{ top: 16, right: 16, bottom: 8, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} />
          <YAxis domain={['auto', 'auto']} />
          <Tooltip formatter={(v: number) => formatMetric(v)} />
          <Line
            type="monotone"
            dataKey="value"
            name={name}
            stroke={theme.palette.primary.main}
            dot={points.length <= 50}
            isAnimationActive={false}
          />
        </LineChart>
      </div>
      <figcaption>
        <Typography variant="caption" color="textSecondary">
          {`${points.length} values of ${name} by step`}
          {truncated ? ' (cut at the point limit)' : ''}
        </Typography>
      </figcaption>
    </figure>
  );
}
