import * as entry from '../index';
import { DRIFT_WORKER_FILENAME, startDriftWorker } from './driftWorker';
import { DriftWorkerPool } from './pool';

describe('drift worker entry point', () => {
  it('is exported from the package entry, so the built bundle keeps it', () => {
    // rollup drops unused exports; the pool loads this module by file name in
    // a worker and calls startDriftWorker there
    expect(entry.startDriftWorker).toBe(startDriftWorker);
    expect(entry.DRIFT_WORKER_FILENAME).toBe(DRIFT_WORKER_FILENAME);
    expect(DRIFT_WORKER_FILENAME).toMatch(/driftWorker\.ts$/);
  });

  it('refuses to run on the main thread', () => {
    expect(() => startDriftWorker()).toThrow(
      'startDriftWorker must run inside a drift worker thread',
    );
  });

  it('starts workers lazily, up to its size', async () => {
    const pool = new DriftWorkerPool({ size: 2 });
    try {
      expect(pool.stats()).toEqual({
        size: 2,
        liveWorkers: 0,
        tasksCompleted: 0,
        tasksByThread: {},
        readsCompleted: 0,
        readsByThread: {},
      });
      const task = {
        column: 'x',
        type: 'numerical' as const,
        reference: {
          kind: 'numeric' as const,
          values: Float64Array.from([1, 2, 3, 4, 5, 6]),
          integer: true,
        },
        current: {
          kind: 'numeric' as const,
          values: Float64Array.from([3, 4, 5, 6, 7, 8]),
          integer: true,
        },
        referenceName: 'r',
        currentName: 'c',
        maxHistogramCategories: 5,
      };
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map(() => pool.run(task)),
      );
      expect(new Set(results.map(r => r.pValue)).size).toBe(1);
      expect(pool.stats().liveWorkers).toBeLessThanOrEqual(2);
      expect(pool.stats().tasksCompleted).toBe(5);
    } finally {
      await pool.close();
    }
    expect(pool.stats().liveWorkers).toBe(0);
  });
});
