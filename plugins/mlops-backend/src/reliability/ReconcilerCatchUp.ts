import { LoggerService } from '@backstage/backend-plugin-api';

/**
 * How often the scheduler of `@backstage/backend-defaults` frees the locks of
 * tasks whose timeout has passed.
 */
export const SCHEDULER_JANITOR_INTERVAL_MS = 60_000;

/**
 * One reconciler pass; every row it touches is taken under its own lease.
 * Resolves to the number of due runs and deployments it found.
 */
export type ReconcilerPass = (
  signal: AbortSignal,
) => Promise<{ runs: number; deployments: number }>;

/**
 * Covers the gap a killed backend leaves in the global `mlops-reconciler`
 * task.
 *
 * A backend killed during a pass (SIGKILL, OOM, node loss) keeps the task's
 * lock in the scheduler table: nothing frees it before the task's timeout
 * has passed and the scheduler's janitor, which runs once a minute, has
 * looked again. Until then no instance reconciles, so every run and
 * deployment stands still for up to `timeout` + 1 minute after a crash.
 *
 * For that window after its start, an instance that finds due runs or
 * deployments in its first pass therefore also runs passes itself, at the
 * task's frequency, and stops as soon as the global task runs in this
 * process (the lock is then free again) or the window has passed. An
 * instance with nothing to recover stops after the first pass.
 * This is safe for the same reason the global task is: every run and
 * deployment is processed under its own expiring lease, and updates are
 * fenced by the lease owner, so two passes never move one row at once. Its
 * cost is the due-row queries of the extra passes, for a bounded time.
 * Passes of this process never overlap.
 */
export class ReconcilerCatchUp {
  private running = false;
  private globalTaskRan = false;
  private readonly controller = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly options: {
      pass: ReconcilerPass;
      logger: LoggerService;
      /** The frequency of the global task. */
      frequencyMs: number;
      /** The task's timeout plus the janitor's interval. */
      windowMs: number;
    },
  ) {}

  /**
   * The body of the global task: a pass, unless this process is in one.
   * Marks the lock as free, which ends the catch-up.
   */
  async runScheduled(signal: AbortSignal): Promise<void> {
    this.globalTaskRan = true;
    await this.exclusive(signal);
  }

  /** Starts the catch-up passes; resolves when they have ended. */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Ends the catch-up passes (shutdown). */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { frequencyMs, windowMs, logger } = this.options;
    const { signal } = this.controller;
    const until = Date.now() + windowMs;
    let passes = 0;
    let reason = 'window over';
    while (!signal.aborted && !this.globalTaskRan && Date.now() < until) {
      try {
        const found = await this.exclusive(signal);
        if (found) {
          passes++;
          if (passes === 1 && found.runs + found.deployments === 0) {
            reason = 'nothing to recover';
            break;
          }
        }
      } catch (error) {
        logger.warn(`mlops: reconciler catch-up pass failed: ${error}`);
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, frequencyMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
    logger.info(
      `mlops: reconciler catch-up ended after ${passes} passes (${
        this.globalTaskRan ? 'the global task runs here' : reason
      })`,
    );
  }

  /** Runs a pass unless one is running in this process. */
  private async exclusive(
    signal: AbortSignal,
  ): Promise<{ runs: number; deployments: number } | undefined> {
    if (this.running) {
      return undefined;
    }
    this.running = true;
    try {
      return await this.options.pass(signal);
    } finally {
      this.running = false;
    }
  }
}
