import { kstwoSf } from './kolmogorov';
import { sortFloat64 } from './sort';
import { gcd, roundHalfEven } from './special';

/** scipy's `ks_2samp` uses the exact distribution when max(m, n) ≤ this. */
export const KS_MAX_EXACT_N = 10000;

/** How a KS p-value was obtained. */
export type KsPValueMethod = 'exact' | 'asymptotic';

/** Result of a two-sample, two-sided KS test. */
export interface KsResult {
  /** D = sup |F_R − F_C|. */
  statistic: number;
  pValue: number;
  method: KsPValueMethod;
}

/**
 * D = max over all observed values of |F₁(x) − F₂(x)| with right-continuous
 * empirical CDFs (scipy's searchsorted(side='right')), by a linear merge of
 * two ascending arrays. Ties across the samples are consumed together, so
 * the CDFs are compared only after every copy of a value is counted.
 */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  let minDiff = 0;
  while (i < n1 || j < n2) {
    let value: number;
    if (j >= n2 || (i < n1 && a[i] <= b[j])) {
      value = a[i];
    } else {
      value = b[j];
    }
    while (i < n1 && a[i] <= value) {
      i++;
    }
    while (j < n2 && b[j] <= value) {
      j++;
    }
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) {
      maxDiff = diff;
    } else if (diff < minDiff) {
      minDiff = diff;
    }
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  return minS > maxDiff ? minS : maxDiff;
}

/**
 * P(D_{n,n} ≥ h/n) for equal sample sizes: the alternating binomial series
 * 2·Σ (−1)^{k−1} C(2n, n−kh)/C(2n, n), with every term divided by C(2n, n)
 * and factored Horner-style so that no cancellation occurs.
 */
export function ksExactEqualSizes(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) {
      p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    }
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * P(D_{m,n} ≥ h/lcm(m,n)) for unequal sizes: the proportion of monotone
 * lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm.
 * The recursion runs directly on that proportion (Viehmann 2021: each cell
 * holds the probability that a uniformly random path to it has already
 * left the band, A(i,j) = (i·A(i−1,j) + j·A(i,j−1))/(i+j), 1 outside the
 * band), so no binomial coefficient is ever formed. One sliding column of
 * the lattice is kept: O(m·n) time, O(n) memory.
 */
export function ksExactUnequalSizes(
  n1: number,
  n2: number,
  g: number,
  h: number,
): number {
  // symmetric in (m, n); iterate over the larger one
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;

  let lo = 0;
  let hi = Math.min(Math.ceil(h / mg), n + 1);
  let windowLength = hi - lo;
  const buffer = new Float64Array(Math.min(2 * hi + 2, n + 1));
  // column x = 0: cells inside the band (y < hi) have not left it; cells
  // above it have.
  buffer.fill(1);
  buffer.fill(0, lo, hi);
  for (let x = 1; x <= m; x++) {
    const lastLo = lo;
    const lastLength = windowLength;
    lo = Math.min(Math.max(Math.floor((ng * x - h) / mg) + 1, 0), n);
    hi = Math.min(Math.ceil((ng * x + h) / mg), n + 1);
    if (hi <= lo) {
      return 1;
    }
    // the cell just below the window is outside the band (probability 1)
    let below = lo === 0 ? 0 : 1;
    for (let offset = 0; offset < hi - lo; offset++) {
      const y = offset + lo;
      below = (buffer[offset + lo - lastLo] * x + below * y) / (x + y);
      buffer[offset] = below;
    }
    windowLength = hi - lo;
    if (lastLength > windowLength) {
      buffer.fill(1, windowLength, lastLength);
    }
  }
  return buffer[hi - lo - 1];
}

/**
 * Two-sided two-sample Kolmogorov–Smirnov test on ascending arrays, equal to
 * `scipy.stats.ks_2samp(a, b)` (method='auto'): the exact null distribution
 * when max(m, n) ≤ 10000 (D is then snapped to h/lcm(m, n) as scipy does),
 * otherwise kstwo.sf(D, round(m·n/(m+n))). Ties are not corrected for.
 */
export function ks2SampSorted(a: Float64Array, b: Float64Array): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) {
    throw new RangeError('ks_2samp needs two non-empty samples');
  }
  let d = ksStatisticSorted(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) {
      return { statistic: d, pValue: 1, method: 'exact' };
    }
    const prob =
      n1 === n2 ? ksExactEqualSizes(n1, h) : ksExactUnequalSizes(n1, n2, g, h);
    if (prob >= 0 && prob <= 1) {
      return { statistic: d, pValue: prob, method: 'exact' };
    }
    // scipy falls back to the asymptotic distribution when the exact
    // computation leaves [0, 1]
  }
  const big = Math.max(n1, n2);
  const small = Math.min(n1, n2);
  const en = (big * small) / (big + small);
  const p = kstwoSf(d, roundHalfEven(en));
  return {
    statistic: d,
    pValue: Math.min(Math.max(p, 0), 1),
    method: 'asymptotic',
  };
}

/** Convenience wrapper: sorts copies of the inputs first. */
export function ks2Samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const sa = sortFloat64(Float64Array.from(a));
  const sb = sortFloat64(Float64Array.from(b));
  return ks2SampSorted(sa, sb);
}
