import { ServiceUnavailableError } from '@backstage/errors';
import { EngineError } from '@synth/plugin-mlops-node';

/**
 * A failed call to an external engine (Ray, MLflow, Lambda), shared with
 * `@synth/plugin-mlops-node` so MLflow errors and this plugin's own engine
 * errors are one class. `retryable` errors are outages (connection refused,
 * timeouts, 5xx, throttling): the caller retries with backoff, and an HTTP
 * request answers 503. Other errors are the engine's definite "no" and end
 * the run or deployment.
 */
export { EngineError };

/** An EngineError as the HTTP error a request should answer with. */
export function toHttpError(error: unknown): unknown {
  if (EngineError.is(error) && error.retryable) {
    return new ServiceUnavailableError(error.message, error);
  }
  return error;
}
