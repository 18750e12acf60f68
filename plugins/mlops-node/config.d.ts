import { HumanDuration } from '@backstage/types';

export interface Config {
  mlops?: {
    /**
     * The MLflow tracking server the experiment metrics service reads
     * (`DefaultExperimentMetricsService.fromConfig`). The mlops backend uses
     * the same block for its model registry.
     */
    mlflow?: {
      /** e.g. http://127.0.0.1:5000 */
      baseUrl: string;
      /**
       * Bearer token sent to MLflow. Do not combine with username/password.
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
      /** Upper bound of one request to MLflow. Default 10 seconds. */
      requestTimeout?: HumanDuration | string;
    };
  };
}
