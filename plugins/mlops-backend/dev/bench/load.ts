import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export type HttpResult = { status: number; body: string; ms: number };

export function httpRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        agent,
        headers: {
          ...(options.body ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export type Summary = {
  count: number;
  errors: number;
  /** What the errors were: HTTP status or network error code, with counts. */
  errorKinds?: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
};

export function summarize(latencies: number[], errors: number): Summary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
      : NaN;
  return {
    count: sorted.length,
    errors,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/**
 * An open-loop, fixed-rate load generator: request i is due at
 * start + i / rate and its latency is measured from that due time, not from
 * when it was actually sent, so a server that stalls is charged for the
 * requests queued behind it (no coordinated omission, as wrk2 does).
 */
export async function fixedRate(options: {
  rate: number;
  durationMs: number;
  url: (i: number) => string;
  headers: Record<string, string>;
  /** A JSON body for request i, sent with POST; GET without one. */
  body?: (i: number) => string;
  expectStatus?: number;
}): Promise<Summary> {
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  const start = performance.now();
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  const recordError = (kind: string | number) => {
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) {
      await new Promise(r => setTimeout(r, wait));
    }
    pending.push(
      httpRequest(options.url(i), {
        headers: options.headers,
        ...(options.body
          ? { method: 'POST', body: options.body(i) }
          : { method: 'GET' }),
      })
        .then(res => {
          if (res.status !== (options.expectStatus ?? 200)) {
            recordError(res.status);
          }
          latencies.push(performance.now() - due);
        })
        .catch((error: NodeJS.ErrnoException) => {
          recordError(error.code ?? error.name);
        }),
    );
  }
  await Promise.all(pending);
  const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0);
  return { ...summarize(latencies, errors), errorKinds };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
