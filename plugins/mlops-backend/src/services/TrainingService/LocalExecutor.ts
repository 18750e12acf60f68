import { LoggerService, UrlReaderService } from '@backstage/backend-plugin-api';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalExecutorOptions } from '../../config';
import { MlopsStore, RunOutcome, RunRecord } from '../../database/MlopsStore';
import { localArgv } from '../workspace/entrypoint';
import { parseTrainingResult } from '../workspace/result';
import { readWorkingDir, writeWorkingDir } from '../workspace/workingDir';

/** How long a stopped child gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 5_000;
/** Log flush cadence and size. */
const FLUSH_MS = 500;
const FLUSH_CHARS = 32 * 1024;
/** Tail of the output kept in memory to find the result line. */
const TAIL_CHARS = 64 * 1024;

type LocalChild = {
  run: RunRecord;
  child: ChildProcess;
  workspace: string;
  outputDir: string;
  stopReason?: { status: 'failed' | 'cancelled'; message: string };
  pending: string;
  offset: number;
  droppedChars: number;
  tail: string;
  flushing: Promise<void>;
  timers: NodeJS.Timeout[];
  exited: Promise<void>;
};

/**
 * The development executor: runs the entrypoint as a child process of the
 * backend (no shell), in a temporary copy of the model's working directory,
 * with a small environment. Output is stored as log chunks while the run
 * goes; the run's lease is renewed while the child lives, and a lost lease,
 * a cancel request or the timeout kills the child's process group.
 *
 * Local runs do not survive a backend restart: the reconciler fails a
 * running local run whose lease expired, and kills the orphaned process if
 * it is still alive on this machine.
 */
export class LocalExecutor {
  private readonly children = new Map<string, LocalChild>();
  private shuttingDown = false;

  constructor(
    private readonly options: {
      store: MlopsStore;
      logger: LoggerService;
      config: LocalExecutorOptions;
      maxWorkingDirBytes: number;
      maxLogChars: number;
      leaseMs: number;
      leaseOwner: string;
      urlReader?: UrlReaderService;
      /** Called once per run when the child is gone, with the lease still held. */
      onExit: (run: RunRecord, outcome: RunOutcome) => Promise<void>;
    },
  ) {}

  get enabled(): boolean {
    return this.options.config.enabled;
  }

  hasCapacity(): boolean {
    return (
      !this.shuttingDown &&
      this.children.size < this.options.config.maxConcurrentRuns
    );
  }

  isRunningHere(runId: string): boolean {
    return this.children.has(runId);
  }

  /** Where a run's artefacts go by default (kept after the run). */
  outputDirOf(runId: string): string {
    return path.join(this.options.config.workspaceDir, 'artifacts', runId);
  }

  /**
   * Prepares the workspace and spawns the child. The caller holds the run's
   * lease and hands it over: from here on this executor renews and releases
   * it (through `onExit`). Throws (before spawning) if the workspace cannot
   * be prepared or the entrypoint cannot run without a shell.
   */
  async start(run: RunRecord): Promise<void> {
    const { store, config, logger } = this.options;
    const argv = localArgv(run.spec.entrypoint, run.parameters);
    await fs.mkdir(config.workspaceDir, { recursive: true });
    const workspace = await fs.mkdtemp(
      path.join(config.workspaceDir, `${run.id}-`),
    );
    const workDir = path.join(workspace, 'work');
    const tmpDir = path.join(workspace, 'tmp');
    const outputDir = this.outputDirOf(run.id);
    try {
      const files = await readWorkingDir(run.spec.source, {
        urlReader: this.options.urlReader,
        maxBytes: this.options.maxWorkingDirBytes,
      });
      await fs.mkdir(workDir, { recursive: true });
      await fs.mkdir(tmpDir, { recursive: true });
      await fs.mkdir(outputDir, { recursive: true });
      await writeWorkingDir(workDir, files);
    } catch (error) {
      await fs.rm(workspace, { recursive: true, force: true });
      throw error;
    }

    const env: Record<string, string> = {
      LANG: 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      ...config.env,
      ...run.spec.envVars,
      PATH: config.path,
      HOME: workspace,
      TMPDIR: tmpDir,
      MLOPS_RUN_ID: run.id,
      MLOPS_MODEL_REF: run.modelRef,
      MLOPS_OUTPUT_DIR: outputDir,
    };
    if (run.spec.pip?.length) {
      await store.appendLogs(run.id, [
        {
          startOffset: 0,
          text: `[mlops] The local executor does not install runtimeEnv.pip (${run.spec.pip.join(
            ' ',
          )}); the interpreter on mlops.executors.local.path must provide them.\n`,
        },
      ]);
    }
    const existing = await store.readLogs(run.id, 0, 0);

    const child = spawn(argv[0], argv.slice(1), {
      cwd: workDir,
      env,
      shell: false,
      detached: true, // own process group: a kill reaches grandchildren too
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let resolveExited!: () => void;
    const state: LocalChild = {
      run,
      child,
      workspace,
      outputDir,
      pending: '',
      offset: existing.end,
      droppedChars: 0,
      tail: '',
      flushing: Promise.resolve(),
      timers: [],
      exited: new Promise(resolve => {
        resolveExited = resolve;
      }),
    };
    this.children.set(run.id, state);

    const onData = (data: Buffer) => this.capture(state, data.toString('utf8'));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);

    let spawnError: Error | undefined;
    child.on('error', error => {
      spawnError = error;
    });

    state.timers.push(
      setInterval(() => void this.flush(state), FLUSH_MS),
      setInterval(
        () => void this.heartbeat(state),
        Math.max(1000, Math.floor(this.options.leaseMs / 3)),
      ),
      setTimeout(
        () =>
          this.stop(state, {
            status: 'failed',
            message: `timed out after ${Math.round(
              config.timeoutMs / 1000,
            )} s (mlops.executors.local.timeout)`,
          }),
        config.timeoutMs,
      ),
    );

    child.on('close', (code, signal) => {
      void this.finish(state, code, signal, spawnError).finally(resolveExited);
    });

    if (child.pid !== undefined) {
      await store.updateRun(run.id, this.options.leaseOwner, {
        status: 'running',
        externalId: `local:${os.hostname()}:${child.pid}`,
        startedAt: new Date(),
        clear: ['statusMessage'],
      });
    }
    logger.info(
      `Started local training run ${run.id} of ${run.modelRef} (pid ${child.pid})`,
    );
  }

  /** Kills the run's child if it runs here; resolves once it is gone. */
  async cancel(runId: string, message = 'cancelled'): Promise<boolean> {
    const state = this.children.get(runId);
    if (!state) {
      return false;
    }
    this.stop(state, { status: 'cancelled', message });
    await state.exited;
    return true;
  }

  /** Stops every child, e.g. when the backend shuts down. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const states = [...this.children.values()];
    for (const state of states) {
      this.stop(state, {
        status: 'failed',
        message: 'the backend stopped while the local run was running',
      });
    }
    await Promise.all(states.map(s => s.exited));
  }

  /**
   * Kills the process of a local run that an earlier backend process started
   * on this machine, if it is still alive. The process is only killed if its
   * environment carries the run's id, so a recycled pid is left alone.
   */
  killOrphan(run: RunRecord): boolean {
    const match = /^local:(.+):(\d+)$/.exec(run.externalId ?? '');
    if (!match || match[1] !== os.hostname()) {
      return false;
    }
    const pid = Number(match[2]);
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (!environ.split('\0').includes(`MLOPS_RUN_ID=${run.id}`)) {
        return false;
      }
      process.kill(-pid, 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  }

  private capture(state: LocalChild, text: string) {
    state.tail = (state.tail + text).slice(-TAIL_CHARS);
    if (state.offset + state.pending.length >= this.options.maxLogChars) {
      state.droppedChars += text.length;
      return;
    }
    state.pending += text;
    if (state.pending.length >= FLUSH_CHARS) {
      void this.flush(state);
    }
  }

  private flush(state: LocalChild): Promise<void> {
    state.flushing = state.flushing.then(async () => {
      if (!state.pending) {
        return;
      }
      const text = state.pending;
      state.pending = '';
      const startOffset = state.offset;
      state.offset += text.length;
      try {
        await this.options.store.appendLogs(state.run.id, [
          { startOffset, text },
        ]);
      } catch (error) {
        this.options.logger.warn(
          `Could not store logs of local run ${state.run.id}: ${error}`,
        );
      }
    });
    return state.flushing;
  }

  private async heartbeat(state: LocalChild) {
    const { store, leaseOwner, leaseMs } = this.options;
    try {
      const renewed = await store.renewRunLease(
        state.run.id,
        leaseOwner,
        leaseMs,
      );
      if (!renewed) {
        this.stop(state, {
          status: 'failed',
          message: 'another backend instance took over the run',
        });
        return;
      }
      const current = await store.getRun(state.run.id);
      if (current?.cancelRequested) {
        this.stop(state, { status: 'cancelled', message: 'cancelled' });
      }
    } catch (error) {
      this.options.logger.warn(
        `Heartbeat of local run ${state.run.id} failed: ${error}`,
      );
    }
  }

  private stop(
    state: LocalChild,
    reason: { status: 'failed' | 'cancelled'; message: string },
  ) {
    if (state.stopReason) {
      return;
    }
    state.stopReason = reason;
    const pid = state.child.pid;
    if (pid === undefined || state.child.exitCode !== null) {
      return;
    }
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
    timer.unref();
    state.timers.push(timer);
  }

  private async finish(
    state: LocalChild,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError: Error | undefined,
  ) {
    for (const timer of state.timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
    // The child is gone; make sure nothing of its process group lingers.
    if (state.child.pid !== undefined) {
      try {
        process.kill(-state.child.pid, 'SIGKILL');
      } catch {
        // nothing left
      }
    }
    if (spawnError) {
      const hint =
        (spawnError as NodeJS.ErrnoException).code === 'ENOENT'
          ? ` ('${path.basename(
              localArgv(state.run.spec.entrypoint, {})[0],
            )}' is not on mlops.executors.local.path)`
          : '';
      state.pending += `[mlops] could not start the entrypoint: ${spawnError.message}${hint}\n`;
    }
    if (state.droppedChars > 0) {
      state.pending += `\n[mlops] ${state.droppedChars} characters of output were dropped (mlops.training.maxLogChars)\n`;
    }
    await this.flush(state);

    let outcome: RunOutcome;
    if (state.stopReason) {
      outcome = { ...state.stopReason };
    } else if (spawnError) {
      outcome = {
        status: 'failed',
        message: `could not start the entrypoint: ${spawnError.message}`,
      };
    } else if (code === 0) {
      const result = parseTrainingResult(state.tail);
      outcome = {
        status: 'succeeded',
        artifactUri:
          result.artifactUri ?? pathToFileURL(state.outputDir).toString(),
        metrics: result.metrics ?? {},
      };
    } else {
      outcome = {
        status: 'failed',
        message:
          code !== null
            ? `the entrypoint exited with code ${code}`
            : `the entrypoint was killed by ${signal}`,
      };
    }
    outcome.finishedAt = new Date().toISOString();

    try {
      await this.options.onExit(state.run, outcome);
    } catch (error) {
      this.options.logger.error(
        `Could not record the end of local run ${state.run.id}: ${error}`,
      );
    } finally {
      this.children.delete(state.run.id);
      if (!this.options.config.keepWorkspaces) {
        await fs
          .rm(state.workspace, { recursive: true, force: true })
          .catch(() => undefined);
      }
      if (outcome.status !== 'succeeded') {
        await fs
          .rm(state.outputDir, { recursive: true, force: true })
          .catch(() => undefined);
      }
    }
  }
}
