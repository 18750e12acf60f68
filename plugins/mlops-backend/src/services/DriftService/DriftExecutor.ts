import {
  computeDriftReport,
  DriftReport as EngineReport,
  DriftWorkerPool,
} from '@synth/plugin-mlops-drift';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { DriftSpec } from '../../database/DriftStore';
import { DriftDataReader } from './DriftDataReader';

/** Where drift reports are computed: `mlops.drift.executor`. */
export type DriftExecutorName = 'local' | 'ray';

/**
 * A report's spec as the drift service stores it (JSON): the engine's spec
 * plus the model's `spec.monitoring.executor`, if it chose one.
 */
export type ResolvedDriftSpec = DriftSpec & { executor?: DriftExecutorName };

const executorNameSchema = z.enum(['local', 'ray']);

/** The executor a stored spec asks for (undefined: the configured default). */
export function requestedExecutor(
  spec: DriftSpec,
): DriftExecutorName | undefined {
  const value = (spec as ResolvedDriftSpec).executor;
  const parsed = executorNameSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Computes one drift report from its resolved spec, in the drift engine's
 * report format. A problem caused by the input (unreadable or disallowed
 * source, missing or mistyped column) rejects with an error whose message
 * names the source or column; the runner fails the report with it.
 */
export interface DriftExecutor {
  readonly name: DriftExecutorName;
  compute(request: {
    reportId: string;
    spec: DriftSpec;
  }): Promise<EngineReport>;
}

/**
 * The backend computes the report itself: both sides are read through the
 * {@link DriftDataReader} (UrlReader, `backend.reading.allow`,
 * `mlops.drift.localDataRoots`) and tested on the drift engine's worker
 * threads.
 */
export class LocalDriftExecutor implements DriftExecutor {
  readonly name = 'local' as const;

  constructor(
    private readonly options: {
      reader: DriftDataReader;
      pool: DriftWorkerPool;
    },
  ) {}

  async compute(request: { spec: DriftSpec }): Promise<EngineReport> {
    const { reader, pool } = this.options;
    const { spec } = request;
    const reference = await reader.open(spec.reference, 'reference');
    const current = await reader.open(spec.current, 'current').catch(error => {
      if ('data' in reference && reference.data instanceof Readable) {
        reference.data.destroy();
      }
      throw error;
    });
    return computeDriftReport({
      reference,
      current,
      columnTypes: spec.columnTypes as any,
      options: spec.options,
      pool,
    });
  }
}
