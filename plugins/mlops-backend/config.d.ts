import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * The mlops plugin. Every key is optional: without any, the plugin starts,
   * serves reads, and answers training requests with 503 until an executor
   * is configured.
   */
  mlops?: {
    executors?: {
      /**
       * The executor of new training runs. Default: `ray` when
       * `mlops.executors.ray.url` is set, else `local` when enabled.
       */
      default?: 'ray' | 'local';
      /** A Ray cluster, reached through its dashboard's Jobs REST API. */
      ray?: {
        /** Base URL of the Ray dashboard, e.g. http://127.0.0.1:8265 */
        url: string;
        /**
         * Bearer token sent to the dashboard (for a dashboard behind an
         * authenticating proxy).
         * @visibility secret
         */
        token?: string;
        /** Timeout of one request to Ray. Default 10 seconds. */
        requestTimeout?: HumanDuration | string;
      };
      /**
       * The development executor: runs the training entrypoint as a child
       * process of the backend. Keep it off in production.
       */
      local?: {
        /** Default false. */
        enabled?: boolean;
        /** Runs at a time in one backend process; more wait. Default 2. */
        maxConcurrentRuns?: number;
        /** A run is killed and failed after this long. Default 1 hour. */
        timeout?: HumanDuration | string;
        /** PATH of the child process (put a Python with the training dependencies first). Default: the backend's PATH. */
        path?: string;
        /** Extra environment variables of the child process. */
        env?: { [name: string]: string };
        /** Keep the temporary working directories for debugging. Default false. */
        keepWorkspaces?: boolean;
        /** Where workspaces and default artefact directories go. Default: <tmp>/synth-mlops-runs */
        workspaceDir?: string;
      };
    };
    training?: {
      /**
       * Directories (absolute, or relative to the backend's working
       * directory) that spec.training.workingDir may point into besides the
       * directory of the entity's own file.
       */
      workingDirRoots?: string[];
      /** Upper bound of a working directory's size. Default 100 MiB. */
      maxWorkingDirBytes?: number;
      /** Stored log characters per run (older output is dropped). Default 5,000,000. */
      maxLogChars?: number;
      /**
       * How long an unreachable engine is retried (with backoff) before a
       * run or deployment fails with the reason. Default 15 minutes.
       */
      engineRetryTimeout?: HumanDuration | string;
    };
    /** MLflow model registry; without it versions live in the plugin's tables only. */
    mlflow?: {
      /** e.g. http://127.0.0.1:5000 */
      baseUrl: string;
      /**
       * Bearer token for MLflow.
       * @visibility secret
       */
      token?: string;
      requestTimeout?: HumanDuration | string;
    };
    targets?: {
      /**
       * AWS Lambda. Credentials come from here or from the AWS SDK's default
       * chain (environment, shared config, instance role), never from
       * entities or requests.
       */
      lambda?: {
        /** Default region when spec.serving.region is not set. */
        region?: string;
        /** Custom endpoint, e.g. a moto server in development. */
        endpoint?: string;
        credentials?: {
          accessKeyId: string;
          /** @visibility secret */
          secretAccessKey: string;
          /** @visibility secret */
          sessionToken?: string;
        };
        /**
         * How long one deployment step waits for a code update; a longer
         * update is looked at again on the next pass. Default 1 minute.
         */
        updateTimeout?: HumanDuration | string;
        /**
         * Create the function on deploy when it does not exist yet (with the
         * model version's package), e.g. against moto in development.
         * Without this, deploying to a missing function fails.
         */
        createFunction?: {
          /** The execution role of created functions. */
          roleArn: string;
          /** Runtime of zip packages. Default python3.12 */
          runtime?: string;
          /** Handler of zip packages. Default lambda_function.handler */
          handler?: string;
        };
      };
      /** Ray Serve; defaults to the Ray dashboard of mlops.executors.ray. */
      rayServe?: {
        url?: string;
        /** @visibility secret */
        token?: string;
        requestTimeout?: HumanDuration | string;
        /** The Serve import path of a model package. Default serve_app:app */
        importPath?: string;
        /** A deployment fails if the application is not RUNNING after this. Default 10 minutes. */
        deployTimeout?: HumanDuration | string;
      };
    };
    /** Drift reports (see the README, "Drift reports"). */
    drift?: {
      /** Directories whose files may be read as data (absolute paths / file: URLs), e.g. ../../catalog/data in development. Default none. */
      localDataRoots?: string[];
      scheduler?: {
        /** Create scheduled reports from spec.monitoring.schedule. Default true. */
        enabled?: boolean;
        /** How often the global mlops-drift-reports task runs. Default 1 minute. */
        frequency?: HumanDuration | string;
        /** Default 15 minutes. */
        timeout?: HumanDuration | string;
      };
      /** How long an instance holds a report it computes before another may take it. Default 2 minutes. */
      leaseTimeout?: HumanDuration | string;
      /** Claims of one report before it fails as interrupted. Default 3. */
      maxAttempts?: number;
      /** Reports computed at once per backend instance. Default 2. */
      maxConcurrentReports?: number;
      /** Worker threads of the drift engine. Default 2. */
      workers?: number;
      /** Categories per categorical histogram before the rest is summed. Default 50. */
      histogramCategories?: number;
      /**
       * Where reports are computed. `local` (default): the backend reads both
       * sides through its UrlReader and tests them on the drift engine's
       * worker threads. `ray`: a Ray job on the cluster of
       * `mlops.executors.ray` reads them with Ray Data and tests them with
       * scipy (for data bigger than the backend); same report format.
       */
      executor?: 'local' | 'ray';
      /** The Ray drift executor (used when executor is `ray`). */
      ray?: {
        /** The Python command on the cluster (needs ray[data], scipy, pyarrow). Default `python`. */
        python?: string;
        /** How often the job's status is read. Default 1 second. */
        pollInterval?: HumanDuration | string;
        /** A job running longer is stopped and its report failed. Default 30 minutes. */
        timeout?: HumanDuration | string;
        /**
         * More locations the cluster may read, with the semantics of
         * `backend.reading.allow` (`host`, optional `paths`). http(s) URLs
         * allowed by `backend.reading.allow` are allowed too; for `s3://`
         * URLs `host` is the bucket and `paths` the key prefixes. `file:`
         * locations must be inside `localDataRoots`.
         */
        allow?: Array<{ host: string; paths?: string[] }>;
      };
      retention?: {
        /** Finished reports older than this are deleted. Default 90. */
        days?: number;
        /** Finished reports kept per model. Default 100. The latest succeeded report is always kept. */
        maxReportsPerModel?: number;
      };
    };
    /** The model health routes. */
    health?: {
      /**
       * The health routes answer only for models the caller can see. By
       * default they take the `catalog.entity.read` decision from the
       * permission backend and a model's existence from an index of the
       * catalog's MLModels (names only, read with the plugin's service
       * credentials when a lookup finds it older than `maxAge`), and ask the
       * catalog only about models the index does not know. A model deleted
       * from the catalog can answer until the index is read again.
       */
      modelIndex?: {
        /** `false`: ask the catalog on every health request. Default true. */
        enabled?: boolean;
        /** Default 1 minute. */
        maxAge?: HumanDuration | string;
      };
      /**
       * How long a user's `catalog.entity.read` decision as a whole (allow,
       * deny, or that it is conditional) is kept in the plugin's cache, per
       * user and token, so repeated health reads make no permission request.
       * A policy change reaches the health routes this much later. `0`: ask
       * the permission backend on every request. Default 10 seconds.
       */
      readDecisionTtl?: HumanDuration | string;
    };
    /** The global task that moves runs and deployments forward. */
    reconciler?: {
      /** Default 5 seconds. */
      frequency?: HumanDuration | string;
      /**
       * After this a pass is aborted and its lock released. A backend killed
       * during a pass leaves the lock taken until then (plus up to a minute
       * for the scheduler's janitor). Default 1 minute.
       */
      timeout?: HumanDuration | string;
      /** How long a worker holds a run before another may take it. Default 30 seconds. */
      leaseTimeout?: HumanDuration | string;
      /** Rows per pass. Default 50. */
      batchSize?: number;
    };
  };
}
