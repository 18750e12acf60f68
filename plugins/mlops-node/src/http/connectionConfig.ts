import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { HttpAuth } from './JsonHttpClient';

/**
 * Where and how to reach an external system, read from config.
 *
 * @public
 */
export type EngineConnection = {
  /** The base URL without a trailing slash. */
  baseUrl: string;
  auth?: HttpAuth;
  /** Upper bound of one request. */
  timeoutMs: number;
};

/**
 * Reads `baseUrl`, `token` or `username` + `password`, and `requestTimeout`
 * (a duration, default 10 seconds) from a config block. `what` names the
 * block in error messages, e.g. `mlops.mlflow`.
 *
 * @public
 */
export function readEngineConnection(
  config: Config,
  what: string,
): EngineConnection {
  const baseUrl = config.getString('baseUrl');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new InputError(`${what}.baseUrl is not a URL: '${baseUrl}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(
      `${what}.baseUrl must be an http or https URL, got '${baseUrl}'`,
    );
  }
  if (url.username || url.password) {
    throw new InputError(
      `${what}.baseUrl must not contain credentials; use ${what}.username and ${what}.password`,
    );
  }
  const token = config.getOptionalString('token');
  const username = config.getOptionalString('username');
  const password = config.getOptionalString('password');
  if (token && (username || password)) {
    throw new InputError(
      `${what}: set either token or username and password, not both`,
    );
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new InputError(`${what}: username and password go together`);
  }
  let auth: HttpAuth | undefined;
  if (token) {
    auth = { type: 'bearer', token };
  } else if (username !== undefined && password !== undefined) {
    auth = { type: 'basic', username, password };
  }
  const timeoutMs = config.has('requestTimeout')
    ? durationToMilliseconds(
        readDurationFromConfig(config, { key: 'requestTimeout' }),
      )
    : 10_000;
  if (!(timeoutMs > 0)) {
    throw new InputError(`${what}.requestTimeout must be positive`);
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ''), auth, timeoutMs };
}
