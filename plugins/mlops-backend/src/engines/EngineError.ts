import { ServiceUnavailableError } from '@backstage/errors';

/**
 * A failed call to an external engine (Ray, MLflow, Lambda). `retryable`
 * errors are outages (connection refused, timeouts, 5xx, throttling): the
 * caller retries with backoff, and an HTTP request answers 503. Other errors
 * are the engine's definite "no" and end the run or deployment.
 */
export class EngineError extends Error {
  readonly engine: string;
  readonly retryable: boolean;
  readonly status?: number;

  constructor(options: {
    engine: string;
    message: string;
    retryable: boolean;
    status?: number;
    cause?: unknown;
  }) {
    super(`${options.engine}: ${options.message}`, { cause: options.cause });
    this.name = 'EngineError';
    this.engine = options.engine;
    this.retryable = options.retryable;
    this.status = options.status;
  }

  static is(error: unknown): error is EngineError {
    return error instanceof EngineError;
  }
}

/** An EngineError as the HTTP error a request should answer with. */
export function toHttpError(error: unknown): unknown {
  if (EngineError.is(error) && error.retryable) {
    return new ServiceUnavailableError(error.message, error);
  }
  return error;
}
