import { ResponseError } from '@backstage/errors';

/**
 * What went wrong with a request to the mlops backend, as the health tab
 * tells it: the backend could not be reached, it refused (403), it has
 * nothing for the model (404), a conflict with the current state (409), an
 * engine behind it failed (502/503/504), or anything else.
 */
export type ApiFailure = {
  kind:
    | 'unreachable'
    | 'forbidden'
    | 'not-found'
    | 'conflict'
    | 'invalid'
    | 'engine'
    | 'error';
  title: string;
  message: string;
};

function isNetworkError(error: Error): boolean {
  // fetch rejects with a TypeError when no response arrives at all.
  return (
    error.name === 'TypeError' ||
    /failed to fetch|network ?error|load failed|ECONNREFUSED/i.test(
      error.message,
    )
  );
}

/** Classifies a rejection of the mlops API for display. */
export function describeApiFailure(error: Error): ApiFailure {
  if (error instanceof ResponseError || error.name === 'ResponseError') {
    const status = (error as ResponseError).statusCode;
    const cause = (error as ResponseError).body?.error?.message;
    const message = cause || error.message;
    if (status === 403) {
      return {
        kind: 'forbidden',
        title: 'Not allowed',
        message: `The permission policy does not allow this: ${message}`,
      };
    }
    if (status === 401) {
      return {
        kind: 'forbidden',
        title: 'Not signed in',
        message: `Sign in again to continue: ${message}`,
      };
    }
    if (status === 404) {
      return { kind: 'not-found', title: 'Not found', message };
    }
    if (status === 409) {
      return { kind: 'conflict', title: 'Conflict', message };
    }
    if (status === 400) {
      return { kind: 'invalid', title: 'Invalid request', message };
    }
    if (status === 502 || status === 503 || status === 504) {
      return {
        kind: 'engine',
        title: 'Engine error',
        message: `An engine behind the mlops backend failed (HTTP ${status}): ${message}`,
      };
    }
    return {
      kind: 'error',
      title: `Backend error (HTTP ${status})`,
      message,
    };
  }
  if (isNetworkError(error)) {
    return {
      kind: 'unreachable',
      title: 'Backend unreachable',
      message: `The mlops backend could not be reached: ${error.message}`,
    };
  }
  return { kind: 'error', title: 'Error', message: error.message };
}
