import { Comparison, DriftMethod, FeatureType } from './types';

/**
 * Properties of a drift method.
 *
 * @public
 */
export interface DriftMethodInfo {
  /** 'p-value': drift when the p-value is small; 'distance': when the distance is large. */
  kind: 'p-value' | 'distance';
  defaultThreshold: number;
  comparison: Comparison;
  featureTypes: readonly FeatureType[];
  description: string;
}

/**
 * Evidently's defaults and comparison operators: `ks` drifts when p ≤ t,
 * `chisquare` and `z` when p < t, every distance when d ≥ t.
 *
 * Evidently registers chisquare and z for categorical columns only, yet its
 * default selection applies them to numerical columns with ≤ 5 distinct
 * values; here they may also be chosen explicitly for numerical columns.
 * ks and wasserstein need ordered numbers and are numerical-only, as in
 * Evidently.
 *
 * @public
 */
export const DRIFT_METHOD_INFO: Readonly<Record<DriftMethod, DriftMethodInfo>> =
  {
    ks: {
      kind: 'p-value',
      defaultThreshold: 0.05,
      comparison: '<=',
      featureTypes: ['numerical'],
      description: 'two-sample Kolmogorov–Smirnov p-value (scipy ks_2samp)',
    },
    chisquare: {
      kind: 'p-value',
      defaultThreshold: 0.05,
      comparison: '<',
      featureTypes: ['categorical', 'numerical'],
      description:
        'chi-square p-value, current counts against reference proportions',
    },
    z: {
      kind: 'p-value',
      defaultThreshold: 0.05,
      comparison: '<',
      featureTypes: ['categorical', 'numerical'],
      description: 'two-proportion z-test p-value (binary columns)',
    },
    wasserstein: {
      kind: 'distance',
      defaultThreshold: 0.1,
      comparison: '>=',
      featureTypes: ['numerical'],
      description:
        'Wasserstein-1 distance normed by the reference population std (floor 0.001)',
    },
    jensenshannon: {
      kind: 'distance',
      defaultThreshold: 0.1,
      comparison: '>=',
      featureTypes: ['numerical', 'categorical'],
      description:
        'Jensen–Shannon distance (natural log) on binned proportions',
    },
    psi: {
      kind: 'distance',
      defaultThreshold: 0.1,
      comparison: '>=',
      featureTypes: ['numerical', 'categorical'],
      description:
        'population stability index on zero-filled binned proportions',
    },
    kl_div: {
      kind: 'distance',
      defaultThreshold: 0.1,
      comparison: '>=',
      featureTypes: ['numerical', 'categorical'],
      description: 'Kullback–Leibler divergence KL(R‖C) on zero-filled bins',
    },
    hellinger: {
      kind: 'distance',
      defaultThreshold: 0.1,
      comparison: '>=',
      featureTypes: ['numerical', 'categorical'],
      description:
        'Hellinger distance (Sturges bins over distinct values for numbers)',
    },
  };

/** Applies a method's comparison operator. @public */
export function isDrifted(
  method: DriftMethod,
  score: number,
  threshold: number,
): boolean {
  switch (DRIFT_METHOD_INFO[method].comparison) {
    case '<=':
      return score <= threshold;
    case '<':
      return score < threshold;
    case '>=':
      return score >= threshold;
    default:
      return false;
  }
}

/** Reference rows up to which Evidently picks statistical tests rather than distances. */
export const SMALL_REFERENCE_MAX_ROWS = 1000;

/**
 * Evidently's default test for a column (`_get_default_stattest`):
 *
 * | reference rows | feature type | distinct values of R ∪ C | method |
 * |---|---|---|---|
 * | ≤ 1000 | numerical | > 5 | ks |
 * | ≤ 1000 | numerical | 3–5 | chisquare |
 * | ≤ 1000 | numerical | ≤ 2 | z |
 * | ≤ 1000 | categorical | > 2 / ≤ 2 | chisquare / z |
 * | > 1000 | numerical | > 5 | wasserstein |
 * | > 1000 | numerical ≤ 5 distinct, or categorical | any | jensenshannon |
 *
 * `referenceRows` counts rows after dropping NaN and ±inf; `distinctValues`
 * only needs to be exact up to 6.
 *
 * @public
 */
export function selectDefaultMethod(
  featureType: FeatureType,
  referenceRows: number,
  distinctValues: number,
): DriftMethod {
  if (referenceRows <= SMALL_REFERENCE_MAX_ROWS) {
    if (featureType === 'numerical' && distinctValues > 5) {
      return 'ks';
    }
    return distinctValues > 2 ? 'chisquare' : 'z';
  }
  if (featureType === 'numerical' && distinctValues > 5) {
    return 'wasserstein';
  }
  return 'jensenshannon';
}
