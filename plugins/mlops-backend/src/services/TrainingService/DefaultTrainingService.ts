import {
  ConflictError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { setTimeout as sleep } from 'node:timers/promises';
import { MlopsOptions } from '../../config';
import {
  MlopsStore,
  ModelVersionRecord,
  Page,
  RunRecord,
} from '../../database/MlopsStore';
import { toHttpError } from '../../engines/EngineError';
import {
  ANNOTATION_MLFLOW_REGISTERED_MODEL,
  ModelVersion,
  ModelVersionList,
  TERMINAL_TRAINING_RUN_STATUSES,
  TrainingExecutorName,
  TrainingRun,
  TrainingRunList,
  TrainingRunLogs,
} from '@synth/plugin-mlops-common';
import { requestHash } from '../../lib/hash';
import { requireTraining, resolveParameters } from '../../lib/parameters';
import { ModelContext } from '../ModelAccess';
import { resolveWorkingDir } from '../workspace/workingDir';
import { LocalExecutor } from './LocalExecutor';
import { RayExecutor } from './RayExecutor';
import { RunProcessor } from './RunProcessor';
import { TrainingService } from './types';

/** Upper bound of one logs response. */
const MAX_LOG_SLICE_CHARS = 1_000_000;

export function toApiRun(run: RunRecord): TrainingRun {
  return {
    id: run.id,
    modelRef: run.modelRef,
    status: run.status,
    statusMessage: run.statusMessage,
    executor: run.executor,
    externalId: run.externalId,
    parameters: run.parameters,
    cancelRequested: run.cancelRequested,
    createdBy: run.createdBy,
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
    startedAt: run.startedAt?.toISOString(),
    finishedAt: run.finishedAt?.toISOString(),
    modelVersion: run.modelVersion,
    artifactUri: run.artifactUri,
    metrics: run.metrics,
  };
}

export function toApiVersion(version: ModelVersionRecord): ModelVersion {
  return {
    modelRef: version.modelRef,
    version: version.version,
    runId: version.runId,
    artifactUri: version.artifactUri,
    metrics: version.metrics,
    registry: version.registry,
    registeredModelName: version.registeredModelName,
    createdAt: version.createdAt.toISOString(),
  };
}

function isTerminal(run: RunRecord) {
  return TERMINAL_TRAINING_RUN_STATUSES.includes(run.status);
}

/** The MLflow registered model name of a model: its annotation, else its name. */
export function registeredModelNameOf(model: ModelContext): string {
  const annotated =
    model.entity.metadata.annotations?.[ANNOTATION_MLFLOW_REGISTERED_MODEL];
  if (annotated) {
    return annotated;
  }
  const namespace = model.entity.metadata.namespace ?? 'default';
  return namespace === 'default'
    ? model.entity.metadata.name
    : `${namespace}.${model.entity.metadata.name}`;
}

export class DefaultTrainingService implements TrainingService {
  constructor(
    private readonly options: {
      store: MlopsStore;
      config: MlopsOptions;
      processor: RunProcessor;
      ray?: RayExecutor;
      local?: LocalExecutor;
    },
  ) {}

  private pickExecutor(): TrainingExecutorName {
    const { config, ray, local } = this.options;
    let wanted = config.defaultExecutor;
    if (!wanted && ray) {
      wanted = 'ray';
    } else if (!wanted && local?.enabled) {
      wanted = 'local';
    }
    if (wanted === 'ray' && ray) {
      return 'ray';
    }
    if (wanted === 'local' && local?.enabled) {
      return 'local';
    }
    throw new ServiceUnavailableError(
      wanted
        ? `The ${wanted} executor is selected by mlops.executors.default but is not ${
            wanted === 'ray'
              ? 'configured (mlops.executors.ray.url)'
              : 'enabled (mlops.executors.local.enabled)'
          }`
        : 'No training executor is configured: set mlops.executors.ray.url, or mlops.executors.local.enabled: true for development',
    );
  }

  async createRun(options: {
    model: ModelContext;
    parameters: Record<string, unknown>;
    idempotencyKey: string;
    createdBy: string;
  }): Promise<{ run: TrainingRun; created: boolean }> {
    const { model } = options;
    const { store, config, processor } = this.options;
    const training = requireTraining(model.entity, model.ref);
    const parameters = resolveParameters(
      training.parameters,
      options.parameters,
    );
    const executor = this.pickExecutor();
    const source = await resolveWorkingDir(model.entity, training.workingDir, {
      roots: config.training.workingDirRoots,
      modelRef: model.ref,
    });
    if (executor === 'local' && source.type === 'uri') {
      throw new InputError(
        `${model.ref}: spec.training.workingDir '${training.workingDir}' is a URI only Ray can read; the local executor needs a directory`,
      );
    }
    const hash = requestHash({ parameters: options.parameters });
    const { record, created } = await store.createRun({
      modelRef: model.ref,
      idempotencyKey: options.idempotencyKey,
      requestHash: hash,
      executor,
      parameters,
      spec: {
        entrypoint: training.entrypoint,
        workingDir: training.workingDir,
        source,
        pip: training.runtimeEnv?.pip,
        envVars: training.runtimeEnv?.env_vars,
        registeredModelName: registeredModelNameOf(model),
      },
      ownerRef: model.ownerRef,
      createdBy: options.createdBy,
    });
    if (!created && record.requestHash !== hash) {
      throw new ConflictError(
        `Idempotency-Key '${options.idempotencyKey}' was already used for run ${record.id} of ${model.ref} with different parameters`,
      );
    }
    if (created) {
      // Submit right away rather than at the next reconciler tick.
      setImmediate(() => void processor.process(record.id));
    }
    return { run: toApiRun(record), created };
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.options.store.getRun(id);
  }

  async listRuns(modelRef: string, page: Page): Promise<TrainingRunList> {
    const result = await this.options.store.listRuns(modelRef, page);
    return { items: result.items.map(toApiRun), nextCursor: result.nextCursor };
  }

  async listVersions(modelRef: string, page: Page): Promise<ModelVersionList> {
    const result = await this.options.store.listModelVersions(modelRef, page);
    return {
      items: result.items.map(toApiVersion),
      nextCursor: result.nextCursor,
    };
  }

  async cancelRun(run: RunRecord): Promise<TrainingRun> {
    const { store, processor, local } = this.options;
    if (isTerminal(run)) {
      if (run.status === 'cancelled') {
        return toApiRun(run);
      }
      throw new ConflictError(`Run ${run.id} already ${run.status}`);
    }
    await store.requestCancel(run.id);
    if (local?.isRunningHere(run.id)) {
      void local.cancel(run.id);
    } else {
      setImmediate(() => void processor.process(run.id));
    }
    const current = await store.getRun(run.id);
    return toApiRun(current ?? run);
  }

  async readLogs(
    run: RunRecord,
    options: { after: number; waitMs: number; signal?: AbortSignal },
  ): Promise<TrainingRunLogs> {
    const deadline = Date.now() + options.waitMs;
    let current = run;
    for (;;) {
      const slice = await this.readLogsOnce(current, options.after);
      if (
        slice.text ||
        slice.complete ||
        Date.now() >= deadline ||
        options.signal?.aborted
      ) {
        return slice;
      }
      await sleep(current.executor === 'ray' ? 1_000 : 500, undefined, {
        signal: options.signal,
      }).catch(() => undefined);
      current = (await this.options.store.getRun(run.id)) ?? current;
    }
  }

  private async readLogsOnce(
    run: RunRecord,
    after: number,
  ): Promise<TrainingRunLogs> {
    const { store, ray } = this.options;
    if (run.executor === 'ray' && !run.logsArchived && !isTerminal(run)) {
      if (!run.externalId || !ray) {
        return {
          runId: run.id,
          offset: after,
          text: '',
          nextOffset: after,
          complete: false,
        };
      }
      let logs: string;
      try {
        logs = await ray.logs(run);
      } catch (error) {
        throw toHttpError(error);
      }
      const offset = Math.min(after, logs.length);
      const text = logs.slice(offset, offset + MAX_LOG_SLICE_CHARS);
      return {
        runId: run.id,
        offset,
        text,
        nextOffset: offset + text.length,
        complete: false,
      };
    }
    const slice = await store.readLogs(run.id, after, MAX_LOG_SLICE_CHARS);
    const nextOffset = slice.offset + slice.text.length;
    return {
      runId: run.id,
      offset: slice.offset,
      text: slice.text,
      nextOffset,
      complete: isTerminal(run) && nextOffset >= slice.end,
      ...(after < slice.start ? { truncated: true } : {}),
    };
  }
}
