import { mockServices } from '@backstage/backend-test-utils';
import { ReconcilerCatchUp } from './ReconcilerCatchUp';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A pass that records how many passes ran and how many at once. */
function recordingPass(
  found: () => { runs: number; deployments: number },
  durationMs = 0,
) {
  const stats = { passes: 0, active: 0, maxActive: 0 };
  const pass = async () => {
    stats.passes++;
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    try {
      await sleep(durationMs);
      return found();
    } finally {
      stats.active--;
    }
  };
  return { pass, stats };
}

describe('ReconcilerCatchUp', () => {
  const logger = mockServices.logger.mock();

  it('stops after one pass when there is nothing to recover', async () => {
    const { pass, stats } = recordingPass(() => ({ runs: 0, deployments: 0 }));
    const catchUp = new ReconcilerCatchUp({
      pass,
      logger,
      frequencyMs: 10,
      windowMs: 10_000,
    });
    await catchUp.start();
    expect(stats.passes).toBe(1);
    expect(logger.info).toHaveBeenCalledWith(
      'mlops: reconciler catch-up ended after 1 passes (nothing to recover)',
    );
  });

  it('keeps reconciling at the task frequency until the window is over', async () => {
    const { pass, stats } = recordingPass(() => ({ runs: 3, deployments: 0 }));
    const catchUp = new ReconcilerCatchUp({
      pass,
      logger,
      frequencyMs: 20,
      windowMs: 300,
    });
    const started = Date.now();
    await catchUp.start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(stats.passes).toBeGreaterThanOrEqual(3);
    expect(stats.passes).toBeLessThanOrEqual(16);
    const after = stats.passes;
    await sleep(100);
    expect(stats.passes).toBe(after);
  });

  it('hands over to the global task as soon as it runs in this process', async () => {
    const { pass, stats } = recordingPass(() => ({ runs: 1, deployments: 1 }));
    const catchUp = new ReconcilerCatchUp({
      pass,
      logger,
      frequencyMs: 20,
      windowMs: 60_000,
    });
    const loop = catchUp.start();
    await sleep(70);
    await catchUp.runScheduled(new AbortController().signal);
    const started = Date.now();
    await loop;
    expect(Date.now() - started).toBeLessThan(1000);
    const passes = stats.passes;
    // The global task's passes go on; the catch-up's do not.
    await catchUp.runScheduled(new AbortController().signal);
    expect(stats.passes).toBe(passes + 1);
    await sleep(60);
    expect(stats.passes).toBe(passes + 1);
  });

  it('never runs two passes of one process at once', async () => {
    const { pass, stats } = recordingPass(
      () => ({ runs: 1, deployments: 0 }),
      50,
    );
    const catchUp = new ReconcilerCatchUp({
      pass,
      logger,
      frequencyMs: 1,
      windowMs: 200,
    });
    const loop = catchUp.start();
    await sleep(10);
    // The scheduler fires while a catch-up pass runs: no second pass.
    await catchUp.runScheduled(new AbortController().signal);
    await loop;
    expect(stats.maxActive).toBe(1);
  });

  it('logs a failed pass and tries again; stop() ends the passes', async () => {
    let calls = 0;
    const catchUp = new ReconcilerCatchUp({
      pass: async () => {
        calls++;
        if (calls === 2) {
          throw new Error('database is locked');
        }
        return { runs: 1, deployments: 0 };
      },
      logger,
      frequencyMs: 10,
      windowMs: 60_000,
    });
    const loop = catchUp.start();
    await sleep(100);
    expect(calls).toBeGreaterThan(2);
    expect(logger.warn).toHaveBeenCalledWith(
      'mlops: reconciler catch-up pass failed: Error: database is locked',
    );
    const started = Date.now();
    await catchUp.stop();
    await loop;
    expect(Date.now() - started).toBeLessThan(1000);
    const after = calls;
    await sleep(50);
    expect(calls).toBe(after);
  });
});
