/**
 * Column types of the Dataset entity's schema (`spec.schema.columns[].type`),
 * in schema order.
 *
 * @public
 */
export const COLUMN_TYPES = [
  'numerical',
  'categorical',
  'boolean',
  'text',
  'datetime',
] as const;

/**
 * A column type of the Dataset entity's schema.
 *
 * @public
 */
export type ColumnType = (typeof COLUMN_TYPES)[number];

/**
 * All drift methods. Names and semantics follow Evidently's stattests.
 *
 * @public
 */
export const DRIFT_METHODS = [
  'ks',
  'chisquare',
  'z',
  'wasserstein',
  'jensenshannon',
  'psi',
  'kl_div',
  'hellinger',
] as const;

/**
 * A drift method.
 *
 * @public
 */
export type DriftMethod = (typeof DRIFT_METHODS)[number];

/** How a column is tested: Evidently's feature type (boolean → categorical). @public */
export type FeatureType = 'numerical' | 'categorical';

/** The comparison that turns a score into a verdict. @public */
export type Comparison = '<=' | '<' | '>=';

/** A category value as read from a source. @public */
export type CategoryValue = string | number | boolean;

/**
 * A numerical column: NaN marks a missing value. `integer` is true when the
 * source column holds only integers and no missing values (pandas would give
 * it an int64 dtype), which changes numpy's Sturges bin width rule.
 *
 * @public
 */
export interface NumericColumnData {
  kind: 'numeric';
  values: Float64Array;
  integer: boolean;
}

/**
 * A categorical (or boolean) column, dictionary-encoded: `codes[i]` indexes
 * `categories`, −1 marks a missing value.
 *
 * @public
 */
export interface CategoricalColumnData {
  kind: 'categorical';
  codes: Int32Array;
  categories: CategoryValue[];
}

/** Column data in either encoding. @public */
export type ColumnData = NumericColumnData | CategoricalColumnData;

/**
 * Histogram of one column for charts: shared bin edges for numerical
 * columns, per-category counts (most frequent first, the rest summed into
 * `other*`) for categorical and boolean columns. Counts are after dropping
 * NaN and ±inf.
 *
 * @public
 */
export type ColumnHistogram =
  | {
      kind: 'numeric';
      edges: number[];
      reference: number[];
      current: number[];
    }
  | {
      kind: 'categorical';
      categories: CategoryValue[];
      reference: number[];
      current: number[];
      otherReference: number;
      otherCurrent: number;
    };

/**
 * Drift result for one column.
 *
 * @public
 */
export interface ColumnDriftResult {
  column: string;
  /** Declared (or inferred) column type. */
  type: ColumnType;
  /** How the column was tested. */
  featureType: FeatureType;
  method: DriftMethod;
  /** Whether the method came from Evidently's default selection or an override. */
  methodSource: 'default' | 'override';
  /** KS: D; chisquare: χ²; z: z; distance methods: the distance. May be +Infinity (chi-square with a new category). */
  statistic: number;
  /** p-value for ks, chisquare and z; null for distance methods. */
  pValue: number | null;
  threshold: number;
  comparison: Comparison;
  drifted: boolean;
  /** Rows used after dropping NaN and ±inf. */
  referenceCount: number;
  currentCount: number;
  /** Rows dropped as NaN, ±inf or missing. */
  referenceDropped: number;
  currentDropped: number;
  details: ColumnDriftDetails;
  histogram: ColumnHistogram;
}

/** Method-specific details. @public */
export interface ColumnDriftDetails {
  /** KS: exact or asymptotic p-value. */
  ksPValueMethod?: 'exact' | 'asymptotic';
  /** Binned methods: Sturges bins on the combined data or one bin per value. */
  binning?: 'sturges' | 'values';
  /** chisquare: degrees of freedom. */
  degreesOfFreedom?: number;
  /** wasserstein: the un-normed W₁ distance and the reference's population std. */
  wassersteinDistance?: number;
  referenceStd?: number;
  /** Number of distinct values of reference ∪ current, capped (e.g. "> 5"). */
  distinctValues?: number;
}

/** A column that was not tested. @public */
export interface SkippedColumn {
  column: string;
  type: ColumnType;
  reason: string;
}

/**
 * Result of a drift computation.
 *
 * @public
 */
export interface DriftReport {
  dataset: {
    /** Share of tested columns that drifted. */
    driftShare: number;
    /** driftShare ≥ driftShareThreshold. */
    drifted: boolean;
    driftShareThreshold: number;
    numberOfColumns: number;
    numberOfDriftedColumns: number;
  };
  columns: ColumnDriftResult[];
  skipped: SkippedColumn[];
  reference: { name: string; rows: number };
  current: { name: string; rows: number };
}
