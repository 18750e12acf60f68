import { Config } from '@backstage/config';
import { EngineError, MlflowError } from '../http/EngineError';
import {
  EngineConnection,
  readEngineConnection,
} from '../http/connectionConfig';
import { JsonHttpClient } from '../http/JsonHttpClient';
import { paginate } from '../http/paginate';
import {
  MlflowExperiment,
  MlflowMetric,
  MlflowModelVersion,
  MlflowPage,
  MlflowRegisteredModel,
  MlflowRun,
  MlflowRunViewType,
  MlflowTag,
} from './types';

type RawTag = { key?: string; value?: string };

type RawModelVersion = {
  name?: string;
  version?: string | number;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  aliases?: string[];
  tags?: RawTag[];
  creation_timestamp?: number;
  last_updated_timestamp?: number;
};

type RawRegisteredModel = {
  name?: string;
  description?: string;
  tags?: RawTag[];
  aliases?: Array<{ alias?: string; version?: string | number }>;
  latest_versions?: RawModelVersion[];
  creation_timestamp?: number;
  last_updated_timestamp?: number;
};

type RawExperiment = {
  experiment_id?: string;
  name?: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  tags?: RawTag[];
};

type RawMetric = {
  key?: string;
  value?: number | string;
  timestamp?: number | string;
  step?: number | string;
};

type RawRun = {
  info?: {
    run_id?: string;
    run_uuid?: string;
    run_name?: string;
    experiment_id?: string;
    status?: string;
    start_time?: number | string;
    end_time?: number | string;
    lifecycle_stage?: string;
    user_id?: string;
  };
  data?: {
    metrics?: RawMetric[];
    params?: RawTag[];
    tags?: RawTag[];
  };
};

/** Largest page MLflow accepts for `registered-models/search`. */
const MAX_MODELS_PAGE = 1000;
/** Largest page MLflow accepts for `model-versions/search`. */
const MAX_VERSIONS_PAGE = 200_000;
/** Largest page MLflow accepts for `runs/search`. */
const MAX_RUNS_PAGE = 50_000;

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function toTags(tags: RawTag[] | undefined): MlflowTag[] {
  return (tags ?? [])
    .filter(t => typeof t?.key === 'string')
    .map(t => ({ key: t.key as string, value: String(t.value ?? '') }));
}

function toModelVersion(raw: RawModelVersion): MlflowModelVersion {
  return {
    name: String(raw.name ?? ''),
    version: String(raw.version ?? ''),
    currentStage: raw.current_stage,
    description: raw.description || undefined,
    source: raw.source,
    runId: raw.run_id || undefined,
    status: raw.status,
    aliases: (raw.aliases ?? []).map(String),
    tags: toTags(raw.tags),
    creationTimestamp: toNumber(raw.creation_timestamp),
    lastUpdatedTimestamp: toNumber(raw.last_updated_timestamp),
  };
}

function toRegisteredModel(raw: RawRegisteredModel): MlflowRegisteredModel {
  return {
    name: String(raw.name ?? ''),
    description: raw.description || undefined,
    tags: toTags(raw.tags),
    aliases: (raw.aliases ?? [])
      .filter(a => typeof a?.alias === 'string')
      .map(a => ({ alias: a.alias as string, version: String(a.version) })),
    latestVersions: (raw.latest_versions ?? []).map(toModelVersion),
    creationTimestamp: toNumber(raw.creation_timestamp),
    lastUpdatedTimestamp: toNumber(raw.last_updated_timestamp),
  };
}

function toExperiment(raw: RawExperiment): MlflowExperiment {
  return {
    experimentId: String(raw.experiment_id ?? ''),
    name: String(raw.name ?? ''),
    artifactLocation: raw.artifact_location,
    lifecycleStage: raw.lifecycle_stage,
    tags: toTags(raw.tags),
  };
}

function toMetric(raw: RawMetric): MlflowMetric | undefined {
  const value = toNumber(raw.value);
  if (typeof raw.key !== 'string' || value === undefined) {
    return undefined;
  }
  return {
    key: raw.key,
    value,
    timestamp: toNumber(raw.timestamp) ?? 0,
    step: toNumber(raw.step) ?? 0,
  };
}

function toRun(raw: RawRun): MlflowRun {
  const info = raw.info ?? {};
  return {
    runId: String(info.run_id ?? info.run_uuid ?? ''),
    runName: info.run_name || undefined,
    experimentId: String(info.experiment_id ?? ''),
    status: String(info.status ?? ''),
    startTime: toNumber(info.start_time),
    endTime: toNumber(info.end_time),
    lifecycleStage: info.lifecycle_stage,
    userId: info.user_id || undefined,
    metrics: (raw.data?.metrics ?? [])
      .map(toMetric)
      .filter((m): m is MlflowMetric => m !== undefined),
    params: toTags(raw.data?.params),
    tags: toTags(raw.data?.tags),
  };
}

function pageSize(value: number | undefined, max: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`The page size must be an integer from 1 to ${max}`);
  }
  return value;
}

/** A page request of MLflow's `…/search` listings. */
type SearchRequest = {
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
};

/** A listing request: every page of a `…/search` listing. */
type ListRequest = { filter?: string; pageSize?: number; orderBy?: string[] };

/**
 * Options of {@link MlflowClient}.
 *
 * @public
 */
export type MlflowClientOptions = {
  /** The tracking server, e.g. `http://127.0.0.1:5000`. */
  baseUrl: string;
  auth?: EngineConnection['auth'];
  /** Upper bound of one request. Default 10 seconds. */
  timeoutMs?: number;
};

/**
 * Per-call options of {@link MlflowClient}.
 *
 * @public
 */
export type MlflowCallOptions = { signal?: AbortSignal };

/**
 * Client of the MLflow tracking and model registry REST API
 * (`/api/2.0/mlflow/…`), tested against MLflow 3.17.
 *
 * Every failure is an {@link MlflowError}: `status` and `code` carry MLflow's
 * HTTP status and `error_code` (`RESOURCE_DOES_NOT_EXIST` is 404,
 * `RESOURCE_ALREADY_EXISTS` is 400, not 409); network failures, timeouts,
 * 429 and 5xx are `retryable`. Model versions are strings, as MLflow sends
 * them. The `search*` methods return one page; the `list*` methods walk all
 * pages with {@link paginate}.
 *
 * @public
 */
export class MlflowClient {
  private readonly http: JsonHttpClient;
  readonly baseUrl: string;

  /**
   * Reads a connection block: `baseUrl`, `token` (bearer) or `username` and
   * `password` (basic auth), `requestTimeout` (default 10 seconds). `what`
   * names the block in configuration errors.
   */
  static fromConfig(config: Config, what = 'mlflow'): MlflowClient {
    const connection = readEngineConnection(config, what);
    return new MlflowClient({
      baseUrl: connection.baseUrl,
      auth: connection.auth,
      timeoutMs: connection.timeoutMs,
    });
  }

  constructor(options: MlflowClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.http = new JsonHttpClient({
      engine: `MLflow at ${this.baseUrl}`,
      baseUrl: `${this.baseUrl}/api/2.0/mlflow`,
      auth: options.auth,
      timeoutMs: options.timeoutMs ?? 10_000,
      createError: o => new MlflowError(o),
      describeError: body => {
        const b = body as { error_code?: unknown; message?: unknown };
        return {
          code: typeof b?.error_code === 'string' ? b.error_code : undefined,
          message: typeof b?.message === 'string' ? b.message : undefined,
        };
      },
    });
  }

  /** One page of registered models (`GET registered-models/search`). */
  async searchRegisteredModels(
    request: {
      /** An MLflow filter, e.g. `name LIKE 'churn%'`. */
      filter?: string;
      /** 1 to 1000; MLflow's default is 100. */
      maxResults?: number;
      orderBy?: string[];
      pageToken?: string;
    } = {},
    options?: MlflowCallOptions,
  ): Promise<MlflowPage<MlflowRegisteredModel>> {
    return this.searchPage(
      '/registered-models/search',
      'registered_models',
      toRegisteredModel,
      request,
      MAX_MODELS_PAGE,
      options,
    );
  }

  /** One page of a `GET …/search` listing of MLflow's registry. */
  private async searchPage<R, T>(
    path: string,
    itemsKey: string,
    map: (raw: R) => T,
    request: SearchRequest,
    maxPage: number,
    options?: MlflowCallOptions,
  ): Promise<MlflowPage<T>> {
    const body = await this.http.request<
      Record<string, R[] | undefined> & { next_page_token?: string }
    >('GET', path, {
      query: {
        filter: request.filter,
        max_results: pageSize(request.maxResults, maxPage),
        order_by: request.orderBy,
        page_token: request.pageToken,
      },
      signal: options?.signal,
    });
    return {
      items: ((body[itemsKey] as R[] | undefined) ?? []).map(map),
      nextPageToken: body.next_page_token || undefined,
    };
  }

  /** Every item of a listing, page by page. */
  private listAll<T>(
    search: (request: SearchRequest) => Promise<MlflowPage<T>>,
    request: ListRequest,
    defaultPageSize: number,
  ): AsyncGenerator<T> {
    return paginate(pageToken =>
      search({
        filter: request.filter,
        maxResults: request.pageSize ?? defaultPageSize,
        orderBy: request.orderBy,
        pageToken,
      }),
    );
  }

  /** Every registered model matching the filter, page by page. */
  listRegisteredModels(
    request: { filter?: string; pageSize?: number; orderBy?: string[] } = {},
    options?: MlflowCallOptions,
  ): AsyncGenerator<MlflowRegisteredModel> {
    return this.listAll(
      page => this.searchRegisteredModels(page, options),
      request,
      MAX_MODELS_PAGE,
    );
  }

  /** A registered model with its tags, aliases and latest versions. */
  async getRegisteredModel(
    name: string,
    options?: MlflowCallOptions,
  ): Promise<MlflowRegisteredModel> {
    const body = await this.http.request<{
      registered_model?: RawRegisteredModel;
    }>('GET', '/registered-models/get', {
      query: { name },
      signal: options?.signal,
    });
    return toRegisteredModel(body.registered_model ?? {});
  }

  /**
   * The newest version of the model per stage (all stages when `stages` is
   * empty). Stages are deprecated in MLflow; a registry that only uses
   * aliases reports the newest version under stage `None`.
   */
  async getLatestVersions(
    name: string,
    stages: string[] = [],
    options?: MlflowCallOptions,
  ): Promise<MlflowModelVersion[]> {
    const body = await this.http.request<{
      model_versions?: RawModelVersion[];
    }>('POST', '/registered-models/get-latest-versions', {
      body: { name, stages },
      signal: options?.signal,
    });
    return (body.model_versions ?? []).map(toModelVersion);
  }

  /** The version an alias points at (`GET registered-models/alias`). */
  async getModelVersionByAlias(
    name: string,
    alias: string,
    options?: MlflowCallOptions,
  ): Promise<MlflowModelVersion> {
    const body = await this.http.request<{ model_version?: RawModelVersion }>(
      'GET',
      '/registered-models/alias',
      { query: { name, alias }, signal: options?.signal },
    );
    return toModelVersion(body.model_version ?? {});
  }

  /**
   * Creates a registered model; resolves `false` instead of failing when it
   * exists already (MLflow answers 400 `RESOURCE_ALREADY_EXISTS`).
   */
  async createRegisteredModel(
    name: string,
    request: { description?: string; tags?: MlflowTag[] } = {},
    options?: MlflowCallOptions,
  ): Promise<boolean> {
    try {
      await this.http.request('POST', '/registered-models/create', {
        body: { name, description: request.description, tags: request.tags },
        signal: options?.signal,
      });
      return true;
    } catch (error) {
      if (
        error instanceof EngineError &&
        error.code === 'RESOURCE_ALREADY_EXISTS'
      ) {
        return false;
      }
      throw error;
    }
  }

  /** One page of model versions (`GET model-versions/search`). */
  async searchModelVersions(
    request: {
      /** An MLflow filter, e.g. `name = 'churn'` or `run_id = '…'`. */
      filter?: string;
      /** 1 to 200,000. */
      maxResults?: number;
      orderBy?: string[];
      pageToken?: string;
    } = {},
    options?: MlflowCallOptions,
  ): Promise<MlflowPage<MlflowModelVersion>> {
    return this.searchPage(
      '/model-versions/search',
      'model_versions',
      toModelVersion,
      request,
      MAX_VERSIONS_PAGE,
      options,
    );
  }

  /** Every model version matching the filter, page by page. */
  listModelVersions(
    request: { filter?: string; pageSize?: number; orderBy?: string[] } = {},
    options?: MlflowCallOptions,
  ): AsyncGenerator<MlflowModelVersion> {
    return this.listAll(
      page => this.searchModelVersions(page, options),
      request,
      1000,
    );
  }

  /**
   * Creates a version of a registered model from an artefact `source`
   * (`runs:/…`, `models:/…`, `s3://…`, `mlflow-artifacts:/…`; the server's
   * policy decides which schemes it accepts). `runId` is the MLflow run that
   * produced it, if any.
   */
  async createModelVersion(
    request: {
      name: string;
      source: string;
      runId?: string;
      description?: string;
      tags?: MlflowTag[];
    },
    options?: MlflowCallOptions,
  ): Promise<MlflowModelVersion> {
    const body = await this.http.request<{ model_version?: RawModelVersion }>(
      'POST',
      '/model-versions/create',
      {
        body: {
          name: request.name,
          source: request.source,
          run_id: request.runId,
          description: request.description,
          tags: request.tags,
        },
        signal: options?.signal,
      },
    );
    return toModelVersion(body.model_version ?? {});
  }

  /** An experiment by id. */
  async getExperiment(
    experimentId: string,
    options?: MlflowCallOptions,
  ): Promise<MlflowExperiment> {
    const body = await this.http.request<{ experiment?: RawExperiment }>(
      'GET',
      '/experiments/get',
      { query: { experiment_id: experimentId }, signal: options?.signal },
    );
    return toExperiment(body.experiment ?? {});
  }

  /** An experiment by name. */
  async getExperimentByName(
    name: string,
    options?: MlflowCallOptions,
  ): Promise<MlflowExperiment> {
    const body = await this.http.request<{ experiment?: RawExperiment }>(
      'GET',
      '/experiments/get-by-name',
      { query: { experiment_name: name }, signal: options?.signal },
    );
    return toExperiment(body.experiment ?? {});
  }

  /** A run with its params, tags and the latest value of each metric. */
  async getRun(runId: string, options?: MlflowCallOptions): Promise<MlflowRun> {
    const body = await this.http.request<{ run?: RawRun }>('GET', '/runs/get', {
      query: { run_id: runId },
      signal: options?.signal,
    });
    return toRun(body.run ?? {});
  }

  /** One page of runs of the experiments (`POST runs/search`). */
  async searchRuns(
    request: {
      experimentIds: string[];
      /** e.g. `metrics.rmse < 1 and params.model = 'x'`. */
      filter?: string;
      runViewType?: MlflowRunViewType;
      /** 1 to 50000; MLflow's default is 1000. */
      maxResults?: number;
      /** e.g. `attributes.start_time DESC`. */
      orderBy?: string[];
      pageToken?: string;
    },
    options?: MlflowCallOptions,
  ): Promise<MlflowPage<MlflowRun>> {
    const body = await this.http.request<{
      runs?: RawRun[];
      next_page_token?: string;
    }>('POST', '/runs/search', {
      body: {
        experiment_ids: request.experimentIds,
        filter: request.filter,
        run_view_type: request.runViewType,
        max_results: pageSize(request.maxResults, MAX_RUNS_PAGE),
        order_by: request.orderBy,
        page_token: request.pageToken,
      },
      signal: options?.signal,
    });
    return {
      items: (body.runs ?? []).map(toRun),
      nextPageToken: body.next_page_token || undefined,
    };
  }

  /** Every run of the experiments matching the filter, page by page. */
  listRuns(
    request: {
      experimentIds: string[];
      filter?: string;
      runViewType?: MlflowRunViewType;
      orderBy?: string[];
      pageSize?: number;
    },
    options?: MlflowCallOptions,
  ): AsyncGenerator<MlflowRun> {
    return paginate(pageToken =>
      this.searchRuns(
        {
          experimentIds: request.experimentIds,
          filter: request.filter,
          runViewType: request.runViewType,
          orderBy: request.orderBy,
          maxResults: request.pageSize ?? 1000,
          pageToken,
        },
        options,
      ),
    );
  }

  /**
   * The recorded values of one metric of a run, in MLflow's order (by step,
   * then timestamp), following `next_page_token`. Stops after `limit` values
   * (default 10,000) and reports whether more exist.
   */
  async getMetricHistory(
    runId: string,
    metricKey: string,
    options?: MlflowCallOptions & { limit?: number; pageSize?: number },
  ): Promise<{ metrics: MlflowMetric[]; truncated: boolean }> {
    const limit = options?.limit ?? 10_000;
    const size = options?.pageSize ?? Math.min(limit, 5_000);
    const metrics: MlflowMetric[] = [];
    const points = paginate(async pageToken => {
      const body = await this.http.request<{
        metrics?: RawMetric[];
        next_page_token?: string;
      }>('GET', '/metrics/get-history', {
        query: {
          run_id: runId,
          metric_key: metricKey,
          max_results: size,
          page_token: pageToken,
        },
        signal: options?.signal,
      });
      return {
        items: (body.metrics ?? [])
          .map(toMetric)
          .filter((m): m is MlflowMetric => m !== undefined),
        nextPageToken: body.next_page_token || undefined,
      };
    });
    for await (const point of points) {
      if (metrics.length >= limit) {
        return { metrics, truncated: true };
      }
      metrics.push(point);
    }
    return { metrics, truncated: false };
  }
}

/**
 * Whether the error is MLflow's answer that the object does not exist.
 *
 * @public
 */
export function isMlflowNotFound(error: unknown): boolean {
  return error instanceof EngineError && error.notFound;
}
