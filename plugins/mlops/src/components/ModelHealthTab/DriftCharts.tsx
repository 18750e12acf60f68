import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { DriftColumnResult } from '@synth/plugin-mlops-common';
import {
  DeploymentMarker,
  DriftTrendPoint,
  histogramBins,
} from '../../lib/drift';
import { formatShare } from './format';
import { useChartWidth } from './useChartWidth';

/** Reference and current distributions of one column as shares of their rows. */
export const DriftHistogramChart = (props: { column: DriftColumnResult }) => {
  const { column } = props;
  const theme = useTheme();
  const { ref, width } = useChartWidth();
  const bins = histogramBins(column.histogram);
  return (
    <figure aria-label={`Histogram of ${column.column}`} style={{ margin: 0 }}>
      <div ref={ref} style={{ width: '100%' }}>
        <BarChart
          width={width}
          height={260}
          data={bins}
          margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" interval="preserveStartEnd" />
          <YAxis tickFormatter={(v: number) => formatShare(v)} />
          <Tooltip formatter={(v: number) => formatShare(v)} />
          <Legend />
          <Bar
            dataKey="reference"
            name="reference"
            fill={theme.palette.primary.main}
            isAnimationActive={false}
          />
          <Bar
            dataKey="current"
            name="current"
            fill={theme.palette.secondary.main}
            isAnimationActive={false}
          />
        </BarChart>
      </div>
      <figcaption>
        <Typography variant="caption" color="textSecondary">
          {`${column.column}: ${column.referenceCount} reference rows, ${column.currentCount} current rows`}
          {column.histogram.kind === 'categorical' && column.histogram.other
            ? '; less frequent categories under "other"'
            : ''}
        </Typography>
      </figcaption>
    </figure>
  );
};

/** Drift share of each succeeded report over time, with deployments marked. */
export const DriftTrendChart = (props: {
  points: DriftTrendPoint[];
  markers: DeploymentMarker[];
  threshold?: number;
}) => {
  const { points, markers, threshold } = props;
  const theme = useTheme();
  const { ref, width } = useChartWidth();
  const time = (t: number) => new Date(t).toLocaleDateString();
  return (
    <figure aria-label="Drift share over time" style={{ margin: 0 }}>
      <div ref={ref} style={{ width: '100%' }}>
        <LineChart
          width={width}
          height={220}
          data={points}
          margin={{ top: 16, right: 16, bottom: 8, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={time}
          />
          <YAxis
            domain={[0, 1]}
            tickFormatter={(v: number) => formatShare(v)}
          />
          <Tooltip
            labelFormatter={(t: number) => new Date(t).toLocaleString()}
            formatter={(v: number) => formatShare(v)}
          />
          {threshold !== undefined && (
            <ReferenceLine
              y={threshold}
              stroke={theme.palette.error.main}
              strokeDasharray="4 4"
              label="threshold"
            />
          )}
          {markers.map(m => (
            <ReferenceLine
              key={`${m.time}-${m.label}`}
              x={m.time}
              stroke={theme.palette.text.secondary}
              label={{ value: m.label, position: 'top', fontSize: 11 }}
            />
          ))}
          <Line
            type="monotone"
            dataKey="driftShare"
            name="drift share"
            stroke={theme.palette.primary.main}
            dot
            isAnimationActive={false}
          />
        </LineChart>
      </div>
      <figcaption>
        <Typography variant="caption" color="textSecondary">
          {`${points.length} reports`}
          {markers.length > 0
            ? `; deployments: ${markers.map(m => m.label).join(', ')}`
            : ''}
        </Typography>
      </figcaption>
    </figure>
  );
};
