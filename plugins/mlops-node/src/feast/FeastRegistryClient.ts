import { Config } from '@backstage/config';
import { FeastRegistryError } from '../http/EngineError';
import {
  EngineConnection,
  readEngineConnection,
} from '../http/connectionConfig';
import { JsonHttpClient } from '../http/JsonHttpClient';
import {
  FeastDataSource,
  FeastEntity,
  FeastFeatureView,
  FeastProject,
} from './types';

type Pagination = {
  page?: number;
  limit?: number;
  totalCount?: number;
  totalPages?: number;
  hasNext?: boolean;
};

/** Largest page the Feast REST API accepts. */
const MAX_PAGE = 100;

/**
 * Options of {@link FeastRegistryClient}.
 *
 * @public
 */
export type FeastRegistryClientOptions = {
  /**
   * The root of the registry REST API, including its `/api/v1` prefix, e.g.
   * `http://127.0.0.1:8888/api/v1` for `feast ui` or
   * `http://127.0.0.1:6572/api/v1` for `feast serve_registry --rest-api`.
   */
  baseUrl: string;
  auth?: EngineConnection['auth'];
  /** Upper bound of one request. Default 10 seconds. */
  timeoutMs?: number;
  /** Objects per page, 1 to 100. Default 100. */
  pageSize?: number;
  /** Upper bound of objects of one kind in one project. Default 10,000. */
  maxObjects?: number;
};

/**
 * Client of the Feast registry REST API (`/api/v1`), served by `feast ui`
 * and by `feast serve_registry --rest-api`, tested against Feast 0.67. It
 * reads any registry type the server is configured with (file, SQL, remote).
 *
 * Every call asks for `allow_cache=false`, so the answer reflects the
 * registry as it is now rather than the server's cached copy. Lists are
 * walked page by page. Failures are {@link FeastRegistryError}s; network
 * failures, timeouts, 429 and 5xx are `retryable`.
 *
 * @public
 */
export class FeastRegistryClient {
  private readonly http: JsonHttpClient;
  private readonly pageSize: number;
  private readonly maxObjects: number;
  readonly baseUrl: string;

  /**
   * Reads `baseUrl`, `token` or `username` + `password`, `requestTimeout`
   * (default 10 seconds) and `pageSize` from a config block.
   */
  static fromConfig(config: Config, what = 'feast'): FeastRegistryClient {
    const connection = readEngineConnection(config, what);
    return new FeastRegistryClient({
      baseUrl: connection.baseUrl,
      auth: connection.auth,
      timeoutMs: connection.timeoutMs,
      pageSize: config.getOptionalNumber('pageSize'),
    });
  }

  constructor(options: FeastRegistryClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.pageSize = options.pageSize ?? MAX_PAGE;
    if (
      !Number.isInteger(this.pageSize) ||
      this.pageSize < 1 ||
      this.pageSize > MAX_PAGE
    ) {
      throw new RangeError(
        `The Feast page size must be an integer from 1 to ${MAX_PAGE}`,
      );
    }
    this.maxObjects = options.maxObjects ?? 10_000;
    this.http = new JsonHttpClient({
      engine: `Feast registry at ${this.baseUrl}`,
      baseUrl: this.baseUrl,
      auth: options.auth,
      timeoutMs: options.timeoutMs ?? 10_000,
      createError: o => new FeastRegistryError(o),
      describeError: body => {
        const b = body as { detail?: unknown; error_type?: unknown };
        let message: string | undefined;
        if (typeof b?.detail === 'string') {
          message = b.detail;
        } else if (b?.detail !== undefined) {
          message = JSON.stringify(b.detail);
        }
        return {
          code: typeof b?.error_type === 'string' ? b.error_type : undefined,
          message,
        };
      },
    });
  }

  private async listAll<T>(
    path: string,
    key: string,
    query: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const body = await this.http.request<
        Record<string, unknown> & { pagination?: Pagination; error?: string }
      >('GET', path, {
        query: {
          ...query,
          allow_cache: false,
          page,
          limit: this.pageSize,
          sort_by: 'name',
          sort_order: 'asc',
        },
        signal,
      });
      // The projects listing reports some failures in a 200 body.
      if (typeof body.error === 'string') {
        throw new FeastRegistryError({
          engine: this.http.engine,
          message: `GET ${path} answered with an error: ${body.error}`,
          retryable: true,
        });
      }
      const list = body[key];
      if (!Array.isArray(list)) {
        throw new FeastRegistryError({
          engine: this.http.engine,
          message: `GET ${path} answered without a '${key}' list`,
          retryable: false,
        });
      }
      items.push(...(list as T[]));
      if (items.length > this.maxObjects) {
        throw new FeastRegistryError({
          engine: this.http.engine,
          message: `GET ${path} lists more than ${this.maxObjects} objects`,
          retryable: false,
        });
      }
      const pagination = body.pagination ?? {};
      const totalPages = pagination.totalPages ?? 0;
      if (!pagination.hasNext && page >= totalPages) {
        return items;
      }
      if (list.length === 0) {
        // A server that promises more pages but sends none would loop forever.
        return items;
      }
    }
  }

  /** Every project of the registry. */
  listProjects(options?: { signal?: AbortSignal }): Promise<FeastProject[]> {
    return this.listAll('/projects', 'projects', {}, options?.signal);
  }

  /** Every entity of a project, including Feast's internal `__dummy`. */
  listEntities(
    project: string,
    options?: { signal?: AbortSignal },
  ): Promise<FeastEntity[]> {
    return this.listAll('/entities', 'entities', { project }, options?.signal);
  }

  /** Every data source of a project. */
  listDataSources(
    project: string,
    options?: { signal?: AbortSignal },
  ): Promise<FeastDataSource[]> {
    return this.listAll(
      '/data_sources',
      'dataSources',
      { project },
      options?.signal,
    );
  }

  /** Every feature view of a project, of any type. */
  listFeatureViews(
    project: string,
    options?: { signal?: AbortSignal },
  ): Promise<FeastFeatureView[]> {
    return this.listAll(
      '/feature_views',
      'featureViews',
      { project },
      options?.signal,
    );
  }
}
