/**
 * A failed request to an external system (MLflow, a Feast registry, Ray,
 * AWS Lambda).
 *
 * `retryable` marks outages (connection refused, timeouts, HTTP 408, 429 and
 * 5xx, a body that is not JSON): trying again later may succeed. Other
 * failures are the system's definite answer (not found, invalid parameter,
 * not authenticated).
 *
 * @public
 */
export class EngineError extends Error {
  /** The system and its base URL, e.g. `MLflow at http://127.0.0.1:5000`. */
  readonly engine: string;
  /** The HTTP status, when the system answered. */
  readonly status?: number;
  /** The system's own error code, e.g. MLflow's `RESOURCE_DOES_NOT_EXIST`. */
  readonly code?: string;
  readonly retryable: boolean;

  constructor(options: {
    engine: string;
    message: string;
    retryable: boolean;
    status?: number;
    code?: string;
    cause?: unknown;
  }) {
    super(`${options.engine}: ${options.message}`, { cause: options.cause });
    this.name = 'EngineError';
    this.engine = options.engine;
    this.status = options.status;
    this.code = options.code;
    this.retryable = options.retryable;
  }

  /** Whether `error` is an EngineError, of any system. */
  static is(error: unknown): error is EngineError {
    return error instanceof EngineError;
  }

  /** Whether the system answered that the object does not exist (HTTP 404). */
  get notFound(): boolean {
    return this.status === 404;
  }
}

/**
 * A failed request to the MLflow tracking and model registry REST API. MLflow
 * answers errors with `{"error_code", "message"}`; `code` holds the
 * `error_code` (for example `RESOURCE_DOES_NOT_EXIST` with 404, or
 * `RESOURCE_ALREADY_EXISTS` with 400).
 *
 * @public
 */
export class MlflowError extends EngineError {
  constructor(options: ConstructorParameters<typeof EngineError>[0]) {
    super(options);
    this.name = 'MlflowError';
  }
}

/**
 * A failed request to the REST API of a Feast registry (`feast ui` or
 * `feast serve_registry --rest-api`). Feast answers errors with
 * `{"status_code", "detail", "error_type"}`; `code` holds the `error_type`
 * (for example `FeastObjectNotFoundException`).
 *
 * @public
 */
export class FeastRegistryError extends EngineError {
  constructor(options: ConstructorParameters<typeof EngineError>[0]) {
    super(options);
    this.name = 'FeastRegistryError';
  }
}
