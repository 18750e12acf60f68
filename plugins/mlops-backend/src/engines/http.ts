import { EngineError } from './EngineError';

export type FetchFn = typeof fetch;

export type HttpEngineOptions = {
  /** Name used in error messages, e.g. "Ray Jobs API at http://127.0.0.1:8265". */
  engine: string;
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  fetch?: FetchFn;
};

export type EngineResponse = { status: number; text: string };

function describeNetworkError(error: unknown): string {
  const err = error as { name?: string; message?: string; cause?: any };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return 'request timed out';
  }
  const cause = err?.cause;
  if (cause?.code) {
    return `${cause.code}${cause.address ? ` ${cause.address}` : ''}${
      cause.port ? `:${cause.port}` : ''
    }`.trim();
  }
  return cause?.message ?? err?.message ?? String(error);
}

/**
 * A small fetch wrapper for JSON engines: bounded time, bearer token, and
 * network failures turned into retryable {@link EngineError}s. HTTP error
 * statuses are returned to the caller, which knows what they mean.
 */
export class HttpEngine {
  readonly engine: string;
  private readonly baseUrl: string;
  private readonly token?: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: FetchFn;

  constructor(options: HttpEngineOptions) {
    this.engine = options.engine;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs;
    this.fetchFn = options.fetch ?? fetch;
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
    let payload: BodyInit | undefined;
    if (options?.raw) {
      payload = new Uint8Array(options.raw);
      headers['content-type'] = 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(options?.timeoutMs ?? this.timeoutMs);
    const signal = options?.signal
      ? AbortSignal.any([timeout, options.signal])
      : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: payload,
        signal,
      });
      text = await response.text();
    } catch (error) {
      throw new EngineError({
        engine: this.engine,
        message: `${method} ${path} failed: ${describeNetworkError(error)}`,
        retryable: true,
        cause: error,
      });
    }
    return { status: response.status, text };
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
