import { InputError } from '@backstage/errors';
import { z } from 'zod';
import {
  COLUMN_TYPES,
  ColumnType,
  DRIFT_METHODS,
  DriftMethod,
  FeatureType,
} from './types';

const methodSchema = z.enum(DRIFT_METHODS);
const thresholdSchema = z.number().finite().nonnegative();

/**
 * zod schema of {@link DriftOptions}, for validating options at API
 * boundaries (backend requests, per-model configuration, CLI flags).
 *
 * @public
 */
export const driftOptionsSchema = z
  .object({
    /** Dataset drift when the share of drifted columns is ≥ this (default 0.5). */
    driftShare: z.number().gt(0).lte(1).optional(),
    /** Method for every column (overridden by numMethod/catMethod and perColumnMethod). */
    method: methodSchema.optional(),
    numMethod: methodSchema.optional(),
    catMethod: methodSchema.optional(),
    perColumnMethod: z.record(z.string(), methodSchema).optional(),
    /** Threshold for every column (overridden by numThreshold/catThreshold and perColumnThreshold). */
    threshold: thresholdSchema.optional(),
    numThreshold: thresholdSchema.optional(),
    catThreshold: thresholdSchema.optional(),
    perColumnThreshold: z.record(z.string(), thresholdSchema).optional(),
    /** Categories listed in a categorical histogram before the rest is summed (default 50). */
    maxHistogramCategories: z.number().int().min(1).max(10000).optional(),
  })
  .strict();

/**
 * Drift options, e.g. one model's configuration. Resolution follows
 * Evidently: a column's method is perColumnMethod, else numMethod/catMethod
 * for its feature type, else method, else the default selection; its
 * threshold is perColumnThreshold, else numThreshold/catThreshold, else
 * threshold, else the method's default.
 *
 * @public
 */
export type DriftOptions = z.input<typeof driftOptionsSchema>;

/** zod schema of a column-type map. @public */
export const columnTypesSchema = z.record(
  z.string().min(1),
  z.enum(COLUMN_TYPES),
);

/** Default dataset drift share (Evidently's `drift_share`). @public */
export const DEFAULT_DRIFT_SHARE = 0.5;
/** Default number of categories shown in a categorical histogram. @public */
export const DEFAULT_MAX_HISTOGRAM_CATEGORIES = 50;

/** Validates drift options, throwing an InputError that lists every problem. @public */
export function parseDriftOptions(options: unknown): DriftOptions {
  const result = driftOptionsSchema.safeParse(options ?? {});
  if (!result.success) {
    throw new InputError(
      `Invalid drift options: ${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}

/** Validates a column-type map. @public */
export function parseColumnTypes(types: unknown): Record<string, ColumnType> {
  const result = columnTypesSchema.safeParse(types);
  if (!result.success) {
    throw new InputError(
      `Invalid column types: ${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}

/** The method override for a column, if any (Evidently's precedence). */
export function resolveColumnMethod(
  options: DriftOptions,
  column: string,
  featureType: FeatureType,
): DriftMethod | undefined {
  const typed =
    featureType === 'numerical' ? options.numMethod : options.catMethod;
  return options.perColumnMethod?.[column] ?? typed ?? options.method;
}

/** The threshold override for a column, if any (Evidently's precedence). */
export function resolveColumnThreshold(
  options: DriftOptions,
  column: string,
  featureType: FeatureType,
): number | undefined {
  const perColumn = options.perColumnThreshold?.[column];
  if (perColumn !== undefined) {
    return perColumn;
  }
  const typed =
    featureType === 'numerical' ? options.numThreshold : options.catThreshold;
  return typed ?? options.threshold;
}
