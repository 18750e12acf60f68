import http from 'node:http';
import https from 'node:https';
import { EngineError } from './EngineError';

/**
 * The transport of the engine clients. Node's global `fetch` is not used:
 * it sends `Sec-Fetch-Mode`, which the Ray dashboard takes for a browser and
 * answers with 405 for every POST and PUT (Ray's DNS-rebinding protection).
 */
export type HttpTransport = (request: {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
}) => Promise<{ status: number; text: string }>;

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

export const nodeTransport: HttpTransport = ({
  url,
  method,
  headers,
  body,
  signal,
}) =>
  new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(
      url,
      {
        method,
        headers: {
          'user-agent': 'synth-mlops-backend',
          'content-length': String(body?.length ?? 0),
          ...headers,
        },
        agent: secure ? agents.https : agents.http,
        signal,
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });

export type HttpEngineOptions = {
  /** Name used in error messages, e.g. "Ray Jobs API at http://127.0.0.1:8265". */
  engine: string;
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  transport?: HttpTransport;
};

export type EngineResponse = { status: number; text: string };

function describeNetworkError(error: unknown, signal: AbortSignal): string {
  const err = error as {
    name?: string;
    message?: string;
    code?: string;
    address?: string;
    port?: number;
    cause?: any;
  };
  if (signal.aborted && (signal.reason as Error)?.name === 'TimeoutError') {
    return 'request timed out';
  }
  if (err?.name === 'TimeoutError') {
    return 'request timed out';
  }
  const source = err?.code ? err : err?.cause;
  if (source?.code) {
    return `${source.code}${source.address ? ` ${source.address}` : ''}${
      source.port ? `:${source.port}` : ''
    }`.trim();
  }
  return err?.message ?? String(error);
}

/**
 * A small HTTP client for JSON engines: bounded time, bearer token, and
 * network failures turned into retryable {@link EngineError}s. HTTP error
 * statuses are returned to the caller, which knows what they mean.
 */
export class HttpEngine {
  readonly engine: string;
  private readonly baseUrl: string;
  private readonly token?: string;
  private readonly timeoutMs: number;
  private readonly transport: HttpTransport;

  constructor(options: HttpEngineOptions) {
    this.engine = options.engine;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs;
    this.transport = options.transport ?? nodeTransport;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    options?: { raw?: Buffer; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<EngineResponse> {
    const headers: Record<string, string> = {};
    if (this.token) {
      headers.authorization = `Bearer ${this.token}`;
    }
    let payload: Buffer | undefined;
    if (options?.raw) {
      payload = options.raw;
      headers['content-type'] = 'application/octet-stream';
    } else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(options?.timeoutMs ?? this.timeoutMs);
    const signal = options?.signal
      ? AbortSignal.any([timeout, options.signal])
      : timeout;
    let response: EngineResponse;
    try {
      response = await this.transport({
        url: new URL(`${this.baseUrl}${path}`),
        method,
        headers,
        body: payload,
        signal,
      });
    } catch (error) {
      throw new EngineError({
        engine: this.engine,
        message: `${method} ${path} failed: ${describeNetworkError(
          error,
          signal,
        )}`,
        retryable: true,
        cause: error,
      });
    }
    return response;
  }

  /** An EngineError for an unexpected status, retryable for 408, 429 and 5xx. */
  statusError(
    method: string,
    path: string,
    response: EngineResponse,
    retryable?: boolean,
  ): EngineError {
    const snippet = response.text.replace(/\s+/g, ' ').trim().slice(0, 500);
    return new EngineError({
      engine: this.engine,
      message: `${method} ${path} answered ${response.status}${
        snippet ? `: ${snippet}` : ''
      }`,
      retryable:
        retryable ??
        (response.status === 408 ||
          response.status === 429 ||
          response.status >= 500),
      status: response.status,
    });
  }

  json<T>(method: string, path: string, response: EngineResponse): T {
    try {
      return JSON.parse(response.text) as T;
    } catch (error) {
      throw new EngineError({
        engine: this.engine,
        message: `${method} ${path} answered ${response.status} with a body that is not JSON`,
        retryable: true,
        status: response.status,
        cause: error,
      });
    }
  }
}
