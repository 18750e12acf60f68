import { DriftReport } from '../engine/types';

/** A number for JSON output: ±Infinity as the strings "Infinity"/"-Infinity", NaN as null. */
export type JsonNumber = number | 'Infinity' | '-Infinity' | null;

export function jsonNumber(value: number): JsonNumber {
  if (Number.isNaN(value)) {
    return null;
  }
  if (value === Infinity) {
    return 'Infinity';
  }
  if (value === -Infinity) {
    return '-Infinity';
  }
  return value;
}

/** The CLI's JSON document. */
export function reportToJson(
  report: DriftReport,
  includeHistograms: boolean,
): Record<string, unknown> {
  return {
    dataset: {
      driftShare: report.dataset.driftShare,
      drifted: report.dataset.drifted,
      driftShareThreshold: report.dataset.driftShareThreshold,
      numberOfColumns: report.dataset.numberOfColumns,
      numberOfDriftedColumns: report.dataset.numberOfDriftedColumns,
    },
    columns: report.columns.map(c => ({
      column: c.column,
      type: c.type,
      method: c.method,
      statistic: jsonNumber(c.statistic),
      pValue: c.pValue === null ? null : jsonNumber(c.pValue),
      threshold: c.threshold,
      drifted: c.drifted,
      ...(includeHistograms ? { histogram: c.histogram } : {}),
    })),
    skipped: report.skipped,
  };
}

function formatNumber(value: number | null): string {
  if (value === null) {
    return '-';
  }
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e6)) {
    return value.toExponential(4);
  }
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0');
}

/** Plain-text table of a report. */
export function reportToTable(report: DriftReport): string {
  const header = [
    'column',
    'type',
    'method',
    'statistic',
    'p-value',
    'threshold',
    'drift',
  ];
  const rows = report.columns.map(c => [
    c.column,
    c.type,
    c.method,
    formatNumber(c.statistic),
    formatNumber(c.pValue),
    `${c.comparison} ${formatNumber(c.threshold)}`,
    c.drifted ? 'DRIFT' : 'no',
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [
    line(header),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const s of report.skipped) {
    out.push(`skipped ${s.column} (${s.type}): ${s.reason}`);
  }
  const d = report.dataset;
  out.push(
    '',
    `dataset drift: ${d.drifted ? 'YES' : 'no'} (${d.numberOfDriftedColumns}/${
      d.numberOfColumns
    } columns drifted, share ${formatNumber(d.driftShare)} ${
      d.drifted ? '>=' : '<'
    } ${formatNumber(d.driftShareThreshold)})`,
  );
  return `${out.join('\n')}\n`;
}
