import {
  MlopsStore,
  ModelVersionRecord,
  RunRecord,
} from '../database/MlopsStore';
import { MlflowClient } from '../engines/MlflowClient';

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

  async register(
    run: RunRecord,
    result: { artifactUri?: string; metrics: Record<string, number> },
  ): Promise<ModelVersionRecord> {
    const { store, mlflow } = this.options;
    if (!mlflow) {
      return store.addModelVersion({
        modelRef: run.modelRef,
        runId: run.id,
        artifactUri: result.artifactUri,
        metrics: result.metrics,
        registry: 'internal',
      });
    }
    const name = run.spec.registeredModelName;
    await mlflow.ensureRegisteredModel(name);
    const version =
      (await mlflow.findVersionForRun(name, run.id)) ??
      (await mlflow.createModelVersion({
        name,
        // MLflow requires a source; a run that reported no artefact points at itself.
        source: result.artifactUri ?? `mlops-run:${run.id}`,
        runId: run.id,
        description: `Training run ${run.id} of ${run.modelRef}`,
      }));
    return store.addModelVersion({
      modelRef: run.modelRef,
      runId: run.id,
      artifactUri: result.artifactUri,
      metrics: result.metrics,
      registry: 'mlflow',
      registeredModelName: name,
      version: String(version.version),
    });
  }
}
