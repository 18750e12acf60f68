import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * MLflow model registries to import registered models from, as
       * MLModel entities, keyed by a provider id of your choice.
       */
      mlflow?: {
        [id: string]: {
          /** The MLflow tracking server, e.g. http://127.0.0.1:5000 */
          baseUrl: string;
          /** Base URL of the MLflow UI for links. Default: baseUrl. */
          uiUrl?: string;
          /**
           * Bearer token. Do not combine with username/password.
           * @visibility secret
           */
          token?: string;
          /** User of MLflow's basic-auth app. */
          username?: string;
          /**
           * Password of MLflow's basic-auth app.
           * @visibility secret
           */
          password?: string;
          /** Upper bound of one request. Default 10 seconds. */
          requestTimeout?: HumanDuration | string;
          /** An MLflow search filter, e.g. "name LIKE 'churn%'". Default: every model. */
          filter?: string;
          /** The namespace of the entities. Default: default. */
          namespace?: string;
          /** The owner when the owner tag is missing or invalid. Default: group:<namespace>/unknown. */
          defaultOwner?: string;
          /** The lifecycle when the lifecycle tag is missing. Default: production. */
          defaultLifecycle?: string;
          /** The model type when the type tag is missing or invalid. Default: other. */
          defaultType?:
            | 'classification'
            | 'regression'
            | 'ranking'
            | 'forecasting'
            | 'embedding'
            | 'llm'
            | 'other';
          /** Names of the MLflow model tags read as entity fields. */
          tagKeys?: {
            /** Default: owner */
            owner?: string;
            /** Default: lifecycle */
            lifecycle?: string;
            /** Default: type */
            type?: string;
            /** Default: system */
            system?: string;
            /** Default: framework */
            framework?: string;
          };
          /** A run importing more entities fails and changes nothing. Default: 10000. */
          maxEntities?: number;
          /** Default: every 30 minutes, 10 minutes timeout, 15 seconds initial delay. */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
      };
      /**
       * Feast registries to import, read through the registry REST API
       * (`feast ui` or `feast serve_registry --rest-api`), keyed by a
       * provider id of your choice.
       */
      feast?: {
        [id: string]: {
          /** The registry REST API root, e.g. http://127.0.0.1:8888/api/v1 */
          baseUrl: string;
          /** Base URL of the Feast UI for links, e.g. http://127.0.0.1:8888. No links without it. */
          uiUrl?: string;
          /**
           * Bearer token (a registry with OIDC auth).
           * @visibility secret
           */
          token?: string;
          /** User for HTTP basic auth in front of the registry. */
          username?: string;
          /**
           * Password for HTTP basic auth in front of the registry.
           * @visibility secret
           */
          password?: string;
          /** Upper bound of one request. Default 10 seconds. */
          requestTimeout?: HumanDuration | string;
          /** Objects per request, 1 to 100. Default 100. */
          pageSize?: number;
          /** The projects to import. Default: every project. */
          projects?: string[];
          /**
           * The feature repository's directory (absolute path) or URL, to
           * resolve file sources registered with a relative path.
           */
          repoPath?: string;
          /** Import a System per project. Default true. */
          systemPerProject?: boolean;
          /** The namespace of the entities. Default: default. */
          namespace?: string;
          /** The owner when no owner tag says otherwise. Default: group:<namespace>/unknown. */
          defaultOwner?: string;
          /** The lifecycle when the lifecycle tag is missing. Default: production. */
          defaultLifecycle?: string;
          /** Names of the Feast tags read as entity fields. */
          tagKeys?: {
            /** Default: owner */
            owner?: string;
            /** Default: lifecycle */
            lifecycle?: string;
            /** Default: system (on a project) */
            system?: string;
            /** Default: type (on a feature field) */
            type?: string;
          };
          /** A run importing more entities fails and changes nothing. Default: 10000. */
          maxEntities?: number;
          /** Default: every 30 minutes, 10 minutes timeout, 15 seconds initial delay. */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        };
      };
    };
  };
}
