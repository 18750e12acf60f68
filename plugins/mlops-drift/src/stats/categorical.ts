import { chi2Sf, ndtr } from './special';
import { CompensatedSum } from './summation';

/** Result of a chi-square goodness-of-fit test. */
export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  degreesOfFreedom: number;
}

/**
 * `scipy.stats.chisquare(f_obs, f_exp)` (Pearson, ddof = 0): Σ (o − e)²/e,
 * df = k − 1, p = chi2.sf. A bin with e = 0 and o > 0 gives χ² = +inf and
 * p = 0. Without `fExp` the expected frequencies are uniform. Like scipy,
 * the two totals must agree to a relative tolerance of √eps.
 */
export function chiSquare(
  fObs: ArrayLike<number>,
  fExp?: ArrayLike<number>,
): ChiSquareResult {
  const k = fObs.length;
  if (k === 0) {
    throw new RangeError('chisquare needs at least one category');
  }
  let expected: ArrayLike<number>;
  if (fExp) {
    if (fExp.length !== k) {
      throw new RangeError('f_obs and f_exp must have the same length');
    }
    const obsTotal = new CompensatedSum();
    const expTotal = new CompensatedSum();
    for (let i = 0; i < k; i++) {
      obsTotal.add(fObs[i]);
      expTotal.add(fExp[i]);
    }
    const relativeDiff =
      Math.abs(obsTotal.value() - expTotal.value()) /
      Math.min(obsTotal.value(), expTotal.value());
    if (relativeDiff > Math.sqrt(Number.EPSILON)) {
      throw new RangeError(
        'the sums of observed and expected frequencies must agree',
      );
    }
    expected = fExp;
  } else {
    let total = 0;
    for (let i = 0; i < k; i++) {
      total += fObs[i];
    }
    expected = new Float64Array(k).fill(total / k);
  }
  const statistic = new CompensatedSum();
  for (let i = 0; i < k; i++) {
    const diff = fObs[i] - expected[i];
    statistic.add((diff * diff) / expected[i]);
  }
  const chi2 = statistic.value();
  const df = k - 1;
  return { statistic: chi2, pValue: chi2Sf(chi2, df), degreesOfFreedom: df };
}

/**
 * Evidently's `chisquare` stattest from per-category counts over the union
 * of categories: f_obs = current counts, f_exp = reference counts · n_cur/n_ref.
 * With a single category scipy returns NaN (df = 0); that is reported as
 * p = 1, the same "no drift" verdict Evidently reaches with NaN.
 */
export function chiSquareEvidently(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): ChiSquareResult {
  const k = referenceCounts.length;
  if (currentCounts.length !== k) {
    throw new RangeError('count vectors must have the same length');
  }
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < k; i++) {
    nRef += referenceCounts[i];
    nCur += currentCounts[i];
  }
  const kNorm = nCur / nRef;
  const fExp = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    fExp[i] = referenceCounts[i] * kNorm;
  }
  const result = chiSquare(currentCounts, fExp);
  if (result.degreesOfFreedom === 0) {
    return { ...result, pValue: 1 };
  }
  return result;
}

/** Result of Evidently's two-proportion z-test. */
export interface ZTestResult {
  /** z statistic (0 when both samples hold the same single value). */
  statistic: number;
  pValue: number;
}

/**
 * Evidently's `z` stattest (two-proportion, pooled, two-sided). Each value
 * maps to 0 if it equals the first key in sorted order, else 1;
 * z = (p₁ − p₂)/√(P(1−P)(1/m + 1/n)), p = 2·(1 − Φ(|z|)), evaluated with the
 * same floating-point steps as Evidently. When both samples contain one and
 * the same single value, p = 1.
 *
 * @param referenceFirstKeyCount - reference rows equal to the first sorted key
 * @param currentFirstKeyCount - current rows equal to the first sorted key
 * @param sameSingleValue - both samples hold exactly one, identical, value
 */
export function zTestEvidently(
  referenceFirstKeyCount: number,
  referenceSize: number,
  currentFirstKeyCount: number,
  currentSize: number,
  sameSingleValue: boolean,
): ZTestResult {
  if (sameSingleValue) {
    return { statistic: 0, pValue: 1 };
  }
  const n1 = referenceSize;
  const n2 = currentSize;
  const p1 = (n1 - referenceFirstKeyCount) / n1;
  const p2 = (n2 - currentFirstKeyCount) / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
  return { statistic: z, pValue: 2 * (1 - ndtr(Math.abs(z))) };
}
