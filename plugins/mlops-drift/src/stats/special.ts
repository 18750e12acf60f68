import erf from '@stdlib/math-base-special-erf';
import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';

/** Smallest positive normal double. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Survival function of the chi-square distribution, `scipy.special.chdtrc`
 * (what `scipy.stats.chisquare` uses): the regularized upper incomplete
 * gamma function Q(df/2, x/2), from stdlib's `gammainc` (upper, regularized).
 * Like scipy, returns NaN for df <= 0, 1 for x <= 0 and 0 for x = +inf.
 */
export function chi2Sf(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || !(df > 0)) {
    return NaN;
  }
  if (x === Infinity) {
    return 0;
  }
  if (x <= 0) {
    return 1;
  }
  const q = gammainc(x / 2, df / 2, true, true);
  // cephes' igamc underflows to 0 before the subnormal range; do the same
  return q < MIN_NORMAL ? 0 : q;
}

/**
 * Standard normal CDF evaluated the way scipy's `ndtr` (xsf/cephes) does:
 * `0.5 + 0.5·erf(x/√2)` near zero, `0.5·erfc(|x|/√2)` (or its complement) in
 * the tails. erf and erfc come from stdlib.
 */
export function ndtr(a: number): number {
  if (Number.isNaN(a)) {
    return NaN;
  }
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) {
    return 0.5 + 0.5 * erf(x);
  }
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

/**
 * numpy's `round` (round half to even), used where scipy rounds
 * (`np.round(d * lcm)`, `np.round(m·n/(m+n))`).
 */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff < 0.5) {
    return floor;
  }
  if (diff > 0.5) {
    return floor + 1;
  }
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}
