import {
  MlopsStore,
  ModelVersionRecord,
  RunRecord,
} from '../database/MlopsStore';
import {
  MlflowClient,
  MlflowError,
  MlflowModelVersion,
} from '@synth/plugin-mlops-node';

/** Tag on an MLflow model version naming the mlops run that created it. */
export const MLFLOW_RUN_TAG = 'mlops.synth.dev/run-id';

/** Sources MLflow's model registry accepts without an MLflow run. */
const MLFLOW_SOURCE =
  /^(s3|s3a|gs|wasbs|abfss|hdfs|https?|ftp|sftp|mlflow-artifacts|runs|models|dbfs):/;

/** The version of `name` tagged with the run id, if one was created before. */
async function findVersionForRun(
  mlflow: MlflowClient,
  name: string,
  runId: string,
): Promise<MlflowModelVersion | undefined> {
  const versions = mlflow.listModelVersions({
    filter: `name='${name.replace(/'/g, "\\'")}'`,
  });
  for await (const version of versions) {
    if (version.tags.some(t => t.key === MLFLOW_RUN_TAG && t.value === runId)) {
      return version;
    }
  }
  return undefined;
}

/**
 * Registers the model version of a succeeded run: in MLflow's model registry
 * when `mlops.mlflow` is configured (the MLflow version is then recorded in
 * the plugin's table too), otherwise in the plugin's own table only.
 * Idempotent per run: retries find the version created before.
 */
export class ModelVersionRegistrar {
  constructor(
    private readonly options: { store: MlopsStore; mlflow?: MlflowClient },
  ) {}

  get registry(): 'mlflow' | 'internal' {
    return this.options.mlflow ? 'mlflow' : 'internal';
  }

  /**
   * Registers the version. `note` explains a version that went to the
   * plugin's tables although MLflow is configured.
   */
  async register(
    run: RunRecord,
    result: { artifactUri?: string; metrics: Record<string, number> },
  ): Promise<{ version: ModelVersionRecord; note?: string }> {
    const { store, mlflow } = this.options;
    const internal = (version?: string) =>
      store.addModelVersion({
        modelRef: run.modelRef,
        runId: run.id,
        artifactUri: result.artifactUri,
        metrics: result.metrics,
        registry: 'internal',
        version,
      });
    if (!mlflow) {
      return { version: await internal() };
    }
    if (!result.artifactUri || !MLFLOW_SOURCE.test(result.artifactUri)) {
      // MLflow refuses local paths without an MLflow run, and sources that
      // are not URIs; such versions stay in the plugin's tables, labelled so
      // they cannot collide with MLflow's version numbers.
      const version = await internal(`local-${run.id.slice(0, 8)}`);
      return {
        version,
        note: `registered as version ${
          version.version
        } in the plugin's tables: MLflow only accepts remote artefact URIs (s3://, gs://, https://, mlflow-artifacts:/, runs:/, models:/), got ${
          result.artifactUri ?? 'none'
        }`,
      };
    }
    const name = run.spec.registeredModelName;
    await mlflow.createRegisteredModel(name);
    let version = await findVersionForRun(mlflow, name, run.id);
    if (!version) {
      try {
        // The plugin's run id is no MLflow run id: it goes in a tag.
        version = await mlflow.createModelVersion({
          name,
          source: result.artifactUri,
          description: `Training run ${run.id} of ${run.modelRef}`,
          tags: [{ key: MLFLOW_RUN_TAG, value: run.id }],
        });
      } catch (error) {
        // The server's source policy (e.g. no https:// sources unless
        // MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES allows them) is
        // not a reason to lose a trained model.
        if (
          error instanceof MlflowError &&
          error.code === 'INVALID_PARAMETER_VALUE' &&
          error.message.includes('source')
        ) {
          const fallback = await internal(`local-${run.id.slice(0, 8)}`);
          return {
            version: fallback,
            note: `registered as version ${fallback.version} in the plugin's tables: MLflow refused the source ${result.artifactUri} (${error.message})`,
          };
        }
        throw error;
      }
    }
    return {
      version: await store.addModelVersion({
        modelRef: run.modelRef,
        runId: run.id,
        artifactUri: result.artifactUri,
        metrics: result.metrics,
        registry: 'mlflow',
        registeredModelName: name,
        version: String(version.version),
      }),
    };
  }
}
