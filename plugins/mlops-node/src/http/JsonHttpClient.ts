import { EngineError } from './EngineError';

/**
 * How a client authenticates to an external system: a bearer token (MLflow
 * behind an authenticating proxy, Databricks, a Feast registry with OIDC) or
 * HTTP basic auth (MLflow's `basic-auth` app).
 *
 * @public
 */
export type HttpAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

/** Query parameters; arrays repeat the key, undefined values are left out. */
export type QueryParams = Record<
  string,
  string | number | boolean | string[] | undefined
>;

export type JsonHttpClientOptions = {
  /** Name used in error messages, e.g. `MLflow at http://127.0.0.1:5000`. */
  engine: string;
  baseUrl: string;
  auth?: HttpAuth;
  timeoutMs: number;
  /** Builds the typed error of the system from a failed response or call. */
  createError: (
    options: ConstructorParameters<typeof EngineError>[0],
  ) => EngineError;
  /** Extracts the system's error code and message from an error body. */
  describeError: (body: unknown) => { code?: string; message?: string };
};

function describeNetworkError(error: unknown): string {
  const err = error as {
    name?: string;
    message?: string;
    code?: string;
    cause?: {
      code?: string;
      address?: string;
      port?: number;
      message?: string;
    };
  };
  if (err?.name === 'TimeoutError') {
    return 'the request timed out';
  }
  const source = err?.cause?.code ? err.cause : err;
  if (source && 'code' in source && source.code) {
    const where =
      'address' in source && source.address
        ? ` ${source.address}${
            'port' in source && source.port ? `:${source.port}` : ''
          }`
        : '';
    return `${source.code}${where}`;
  }
  return err?.cause?.message ?? err?.message ?? String(error);
}

/**
 * A small JSON-over-HTTP client for the external ML systems: bounded time per
 * request, authentication, and every failure turned into the system's typed
 * {@link EngineError}. Credentials never appear in error messages.
 */
export class JsonHttpClient {
  private readonly options: JsonHttpClientOptions;
  private readonly baseUrl: string;

  constructor(options: JsonHttpClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  get engine(): string {
    return this.options.engine;
  }

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { query?: QueryParams; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<T> {
    const { engine, auth, timeoutMs, createError, describeError } =
      this.options;
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) {
        continue;
      }
      for (const item of Array.isArray(value) ? value : [value]) {
        url.searchParams.append(key, String(item));
      }
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth?.type === 'bearer') {
      headers.authorization = `Bearer ${auth.token}`;
    } else if (auth?.type === 'basic') {
      headers.authorization = `Basic ${Buffer.from(
        `${auth.username}:${auth.password}`,
      ).toString('base64')}`;
    }
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal
      ? AbortSignal.any([timeout, options.signal])
      : timeout;
    const what = `${method} ${url.pathname}`;

    let status: number;
    let text: string;
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: payload,
        signal,
        redirect: 'error',
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) {
        throw options.signal.reason ?? error;
      }
      throw createError({
        engine,
        message: `${what} failed: ${
          timeout.aborted
            ? `the request timed out after ${timeoutMs} ms`
            : describeNetworkError(error)
        }`,
        retryable: true,
        cause: error,
      });
    }

    let body: unknown;
    let parsed = false;
    try {
      body = text === '' ? {} : JSON.parse(text);
      parsed = true;
    } catch {
      body = undefined;
    }

    if (status < 200 || status >= 300) {
      const detail = parsed ? describeError(body) : {};
      const snippet =
        detail.message ?? text.replace(/\s+/g, ' ').trim().slice(0, 300);
      throw createError({
        engine,
        message: `${what} answered ${status}${
          detail.code ? ` ${detail.code}` : ''
        }${snippet ? `: ${snippet}` : ''}`,
        status,
        code: detail.code,
        retryable: status === 408 || status === 429 || status >= 500,
      });
    }
    if (!parsed) {
      throw createError({
        engine,
        message: `${what} answered ${status} with a body that is not JSON`,
        status,
        retryable: true,
      });
    }
    return body as T;
  }
}
