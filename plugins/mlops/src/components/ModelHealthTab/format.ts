/** A duration as `1h 02m`, `3m 04s` or `12s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** A timestamp in the reader's locale, or a dash. */
export function formatTime(iso?: string | number): string {
  if (iso === undefined) return '—';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toLocaleString() : '—';
}

/** A share 0..1 as a percentage with one decimal. */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

/** A metric value with up to four significant decimals. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** `user:default/jane.doe` → `jane.doe`. */
export function shortRef(ref: string): string {
  const slash = ref.lastIndexOf('/');
  return slash >= 0 ? ref.slice(slash + 1) : ref.replace(/^[^:]*:/, '');
}
