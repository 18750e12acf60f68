import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
import { TERMINAL_TRAINING_RUN_STATUSES } from '@synth/plugin-mlops-common';
import { NEVER } from '../../database/DatabaseMlopsStore';
import {
  MlopsStore,
  RunOutcome,
  RunPatch,
  RunRecord,
} from '../../database/MlopsStore';
import { EngineError } from '../../engines/EngineError';
import { backoffMs } from '../../lib/backoff';
import { ModelVersionRegistrar } from '../ModelVersionRegistrar';
import { Notifier } from '../Notifier';
import { parseTrainingResult } from '../workspace/result';
import { LocalExecutor } from './LocalExecutor';
import { RayExecutor } from './RayExecutor';

/** How often a run in an engine is polled, by age. */
function pollDelayMs(run: RunRecord, now: Date): number {
  const age = now.getTime() - run.createdAt.getTime();
  if (age < 60_000) {
    return 2_000;
  }
  if (age < 10 * 60_000) {
    return 5_000;
  }
  return 15_000;
}

export type RunProcessorOptions = {
  store: MlopsStore;
  logger: LoggerService;
  leaseOwner: string;
  leaseMs: number;
  engineRetryTimeoutMs: number;
  maxLogChars: number;
  ray?: RayExecutor;
  local?: LocalExecutor;
  registrar: ModelVersionRegistrar;
  notifier: Notifier;
};

/**
 * Moves one training run forward: submit, poll, stop, finalize, notify. Each
 * step runs under the run's lease, and every write is fenced by it, so any
 * number of backend instances (and the inline call after a POST) can call
 * `process` for the same run: one does the work, the others return.
 *
 * Engine outages are retried with exponential backoff; a run whose engine
 * stays unreachable for `mlops.training.engineRetryTimeout` fails with the
 * last reason.
 */
export class RunProcessor {
  private readonly inFlight = new Set<string>();

  constructor(private readonly options: RunProcessorOptions) {}

  /** One step for the run, if its lease is free. */
  async process(id: string): Promise<void> {
    if (this.inFlight.has(id)) {
      return;
    }
    this.inFlight.add(id);
    const { store, leaseOwner, leaseMs } = this.options;
    let handedOver = false;
    try {
      if (!(await store.claimRun(id, leaseOwner, leaseMs))) {
        return;
      }
      try {
        const run = await store.getRun(id);
        if (run) {
          handedOver = await this.step(run);
        }
      } finally {
        if (!handedOver) {
          await store.releaseRun(id, leaseOwner);
        }
      }
    } catch (error) {
      this.options.logger.error(
        `Processing training run ${id} failed`,
        error as Error,
      );
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Starts queued local runs while the local executor has free slots. */
  async startQueuedLocal(): Promise<void> {
    const local = this.options.local;
    if (!local?.enabled) {
      return;
    }
    const ids = await this.options.store.listPendingRuns('local', 10);
    for (const id of ids) {
      if (!local.hasCapacity()) {
        return;
      }
      await this.process(id);
    }
  }

  /** Records the outcome of a local child (called with the lease held), then releases. */
  async finishLocal(run: RunRecord, outcome: RunOutcome): Promise<void> {
    const { store, leaseOwner } = this.options;
    try {
      await store.updateRun(
        run.id,
        leaseOwner,
        {
          pendingOutcome: outcome,
          logsArchived: true,
          ...(outcome.artifactUri ? { artifactUri: outcome.artifactUri } : {}),
          ...(outcome.metrics ? { metrics: outcome.metrics } : {}),
        },
        { onlyIfActive: true },
      );
      const current = await store.getRun(run.id);
      if (current) {
        await this.guard(current, () => this.finalize(current));
      }
    } finally {
      await store.releaseRun(run.id, leaseOwner);
      // A slot is free: start the next queued local run now rather than at
      // the next reconciler pass.
      setImmediate(
        () =>
          void this.startQueuedLocal().catch(error =>
            this.options.logger.warn(
              `Could not start queued local runs: ${error}`,
            ),
          ),
      );
    }
  }

  /** Returns true if the lease was handed to the local executor. */
  private async step(run: RunRecord): Promise<boolean> {
    if (TERMINAL_TRAINING_RUN_STATUSES.includes(run.status)) {
      await this.notify(run);
      return false;
    }
    if (run.pendingOutcome) {
      await this.guard(run, () => this.finalize(run));
      return false;
    }
    if (run.executor === 'ray') {
      await this.guard(run, () => this.stepRay(run));
      return false;
    }
    let handedOver = false;
    await this.guard(run, async () => {
      handedOver = await this.stepLocal(run);
    });
    return handedOver;
  }

  private async stepRay(run: RunRecord): Promise<void> {
    const ray = this.options.ray;
    if (!ray) {
      await this.fail(
        run,
        'the Ray executor is not configured on this backend (mlops.executors.ray.url)',
      );
      return;
    }
    if (run.status === 'pending') {
      if (run.cancelRequested && run.attempts === 0) {
        await this.end(run, {
          status: 'cancelled',
          message: 'cancelled before it was submitted',
        });
        return;
      }
      await this.update(run, { attempts: run.attempts + 1 });
      const { submissionId, alreadySubmitted } = await ray.submit(run);
      await this.update(run, {
        status: 'submitted',
        externalId: submissionId,
        statusMessage: alreadySubmitted
          ? 'Ray already had the job from an earlier attempt'
          : undefined,
        clear: alreadySubmitted
          ? ['firstFailureAt']
          : ['statusMessage', 'firstFailureAt'],
        failureCount: 0,
        nextCheckAt: new Date(Date.now() + 1_000),
      });
      return;
    }
    if (run.cancelRequested) {
      await ray.stop(run);
    }
    const observation = await ray.observe(run);
    const now = new Date();
    switch (observation.state) {
      case 'lost':
        await this.fail(run, observation.message);
        return;
      case 'submitted':
      case 'running':
        await this.update(run, {
          status: observation.state,
          ...(observation.startedAt && !run.startedAt
            ? { startedAt: observation.startedAt }
            : {}),
          ...(observation.message
            ? { statusMessage: observation.message }
            : { clear: ['statusMessage', 'firstFailureAt'] }),
          failureCount: 0,
          nextCheckAt: new Date(
            now.getTime() +
              (run.cancelRequested ? 1_000 : pollDelayMs(run, now)),
          ),
        });
        return;
      default: {
        // Terminal on Ray: keep its logs, read the result, then finalize.
        const logs = await ray.logs(run);
        const kept = logs.slice(-this.options.maxLogChars);
        await this.options.store.replaceLogs(
          run.id,
          kept,
          logs.length - kept.length,
        );
        const result =
          observation.state === 'succeeded' ? parseTrainingResult(logs) : {};
        const outcome: RunOutcome = {
          status: observation.state,
          message: observation.message,
          artifactUri: result.artifactUri,
          metrics: result.metrics ?? {},
          finishedAt: (observation.finishedAt ?? now).toISOString(),
        };
        await this.update(run, {
          pendingOutcome: outcome,
          logsArchived: true,
          ...(observation.startedAt && !run.startedAt
            ? { startedAt: observation.startedAt }
            : {}),
        });
        const current = await this.options.store.getRun(run.id);
        if (current) {
          await this.finalize(current);
        }
      }
    }
  }

  private async stepLocal(run: RunRecord): Promise<boolean> {
    const local = this.options.local;
    if (run.status === 'pending') {
      if (run.cancelRequested) {
        await this.end(run, {
          status: 'cancelled',
          message: 'cancelled before it started',
        });
        return false;
      }
      if (!local?.enabled) {
        await this.fail(
          run,
          'the local executor is disabled on this backend (mlops.executors.local.enabled)',
        );
        return false;
      }
      if (!local.hasCapacity()) {
        await this.update(run, {
          statusMessage: 'waiting for a free local executor slot',
          nextCheckAt: new Date(Date.now() + 2_000),
        });
        return false;
      }
      await this.update(run, { attempts: run.attempts + 1 });
      await local.start({ ...run, attempts: run.attempts + 1 });
      return true;
    }
    if (local?.isRunningHere(run.id)) {
      // Ours and alive; the executor holds the lease, so we never get here
      // unless the lease lapsed under load. Leave it to the executor.
      return false;
    }
    const killed = local?.killOrphan(run) ?? false;
    await this.fail(
      run,
      `the backend process running this local run stopped (restart or crash)${
        killed ? '; its orphaned process was killed' : ''
      }; local runs do not survive restarts`,
    );
    return false;
  }

  /** Applies a pending outcome: registers the version of a success, then ends the run. */
  private async finalize(run: RunRecord): Promise<void> {
    const outcome = run.pendingOutcome!;
    if (outcome.status !== 'succeeded') {
      await this.end(run, outcome);
      return;
    }
    const { version, note } = await this.options.registrar.register(run, {
      artifactUri: outcome.artifactUri,
      metrics: outcome.metrics ?? {},
    });
    await this.end(
      run,
      {
        ...outcome,
        message: note,
      },
      {
        modelVersion: version.version,
        artifactUri: version.artifactUri,
        metrics: version.metrics,
      },
    );
  }

  private async end(
    run: RunRecord,
    outcome: RunOutcome,
    extra: RunPatch = {},
  ): Promise<void> {
    const changed = await this.options.store.updateRun(
      run.id,
      this.options.leaseOwner,
      {
        ...extra,
        status: outcome.status,
        ...(outcome.message
          ? { statusMessage: outcome.message }
          : { clear: ['statusMessage'] }),
        finishedAt: outcome.finishedAt
          ? new Date(outcome.finishedAt)
          : new Date(),
        nextCheckAt: new Date(),
        pendingOutcome: null,
      },
      { onlyIfActive: true },
    );
    if (changed) {
      this.options.logger.info(
        `Training run ${run.id} of ${run.modelRef} ${outcome.status}${
          outcome.message ? `: ${outcome.message}` : ''
        }`,
      );
      const current = await this.options.store.getRun(run.id);
      if (current) {
        await this.notify(current);
      }
    }
  }

  private async fail(run: RunRecord, message: string): Promise<void> {
    await this.end(run, { status: 'failed', message });
  }

  private async notify(run: RunRecord): Promise<void> {
    if (run.notifiedStatus === run.status) {
      await this.update(run, { nextCheckAt: NEVER });
      return;
    }
    await this.options.notifier.runFinished(run);
    await this.update(run, { notifiedStatus: run.status, nextCheckAt: NEVER });
  }

  private async update(run: RunRecord, patch: RunPatch): Promise<void> {
    await this.options.store.updateRun(run.id, this.options.leaseOwner, patch);
  }

  /**
   * Runs a step; an engine outage is retried with backoff until the retry
   * timeout, anything the engine or the input rejects fails the run.
   */
  private async guard(run: RunRecord, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      const retryable =
        (EngineError.is(error) && error.retryable) ||
        (!EngineError.is(error) &&
          !(error instanceof InputError) &&
          !(isError(error) && error.name === 'InputError') &&
          !(isError(error) && error.name === 'NotAllowedError'));
      const message = isError(error) ? error.message : String(error);
      if (!retryable) {
        await this.fail(run, message);
        return;
      }
      const now = new Date();
      const firstFailureAt = run.firstFailureAt ?? now;
      if (
        now.getTime() - firstFailureAt.getTime() >=
        this.options.engineRetryTimeoutMs
      ) {
        await this.fail(
          run,
          `gave up after ${Math.round(
            (now.getTime() - firstFailureAt.getTime()) / 1000,
          )} s of failures: ${message}`,
        );
        return;
      }
      const failureCount = run.failureCount + 1;
      this.options.logger.warn(
        `Training run ${run.id}: ${message} (attempt ${failureCount}, retrying)`,
      );
      await this.update(run, {
        failureCount,
        firstFailureAt,
        statusMessage: `retrying: ${message}`,
        nextCheckAt: new Date(now.getTime() + backoffMs(failureCount)),
      });
    }
  }
}
