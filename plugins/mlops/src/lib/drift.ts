import {
  Deployment,
  DriftColumnResult,
  DriftHistogram,
  DriftReportSummary,
} from '@synth/plugin-mlops-common';

/**
 * How far a column is past (or short of) its threshold, comparable across
 * methods: for p-value tests the threshold over the p-value, for distances
 * the distance over the threshold. Above 1 means drifted.
 */
export function driftSeverity(column: DriftColumnResult): number {
  if (column.pValue !== null) {
    return column.threshold / Math.max(column.pValue, Number.MIN_VALUE);
  }
  if (column.statistic === null) {
    // +∞ (a category only the current data has).
    return Number.POSITIVE_INFINITY;
  }
  return column.threshold > 0
    ? column.statistic / column.threshold
    : column.statistic;
}

/** Drifted columns first, then each group by severity, worst first. */
export function sortColumnsWorstFirst(
  columns: DriftColumnResult[],
): DriftColumnResult[] {
  return [...columns].sort((a, b) => {
    if (a.drifted !== b.drifted) return a.drifted ? -1 : 1;
    const d = driftSeverity(b) - driftSeverity(a);
    if (d !== 0 && !Number.isNaN(d)) return d;
    return a.column.localeCompare(b.column);
  });
}

/** One bar group of a histogram chart: shares of rows, so sides of different sizes compare. */
export type HistogramBin = {
  label: string;
  reference: number;
  current: number;
};

function shares(counts: number[], extra = 0): number[] {
  const total = counts.reduce((a, b) => a + b, 0) + extra;
  return counts.map(c => (total > 0 ? c / total : 0));
}

function formatEdge(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000 || abs < 0.01) return value.toPrecision(3);
  return String(Number(value.toFixed(2)));
}

/** The chart data of a column's histogram, reference and current as shares of their rows. */
export function histogramBins(histogram: DriftHistogram): HistogramBin[] {
  if (histogram.kind === 'numerical') {
    const ref = shares(histogram.reference);
    const cur = shares(histogram.current);
    return histogram.reference.map((_, i) => ({
      label: `${formatEdge(histogram.edges[i])}–${formatEdge(
        histogram.edges[i + 1],
      )}`,
      reference: ref[i],
      current: cur[i],
    }));
  }
  const other = histogram.other;
  const ref = shares(histogram.reference, other?.reference ?? 0);
  const cur = shares(histogram.current, other?.current ?? 0);
  const bins = histogram.categories.map((category, i) => ({
    label: category,
    reference: ref[i],
    current: cur[i],
  }));
  if (other) {
    const refTotal =
      histogram.reference.reduce((a, b) => a + b, 0) + other.reference;
    const curTotal =
      histogram.current.reduce((a, b) => a + b, 0) + other.current;
    bins.push({
      label: 'other',
      reference: refTotal > 0 ? other.reference / refTotal : 0,
      current: curTotal > 0 ? other.current / curTotal : 0,
    });
  }
  return bins;
}

/** A point of the drift-share-over-time chart. */
export type DriftTrendPoint = {
  time: number;
  driftShare: number;
  drifted: boolean;
  reportId: string;
};

/** The succeeded reports' drift shares, oldest first. */
export function driftTrend(reports: DriftReportSummary[]): DriftTrendPoint[] {
  return reports
    .filter(r => r.status === 'succeeded' && r.dataset)
    .map(r => ({
      time: Date.parse(r.finishedAt ?? r.createdAt),
      driftShare: r.dataset!.driftShare,
      drifted: r.dataset!.drifted,
      reportId: r.id,
    }))
    .filter(p => Number.isFinite(p.time))
    .sort((a, b) => a.time - b.time);
}

/** A deployment marker on the trend chart. */
export type DeploymentMarker = { time: number; label: string };

/**
 * The deployments that changed what serves the model (those that went live,
 * started a canary or were rolled back) within the trend's time range.
 */
export function deploymentMarkers(
  deployments: Deployment[],
  range: { from: number; to: number },
): DeploymentMarker[] {
  return deployments
    .filter(d => d.status !== 'pending' && d.status !== 'failed')
    .map(d => ({
      time: Date.parse(d.createdAt),
      label:
        d.status === 'rolled-back' || d.status === 'rolling-back'
          ? `v${d.version} (rolled back)`
          : `v${d.version}`,
    }))
    .filter(
      m =>
        Number.isFinite(m.time) && m.time >= range.from && m.time <= range.to,
    )
    .sort((a, b) => a.time - b.time);
}
