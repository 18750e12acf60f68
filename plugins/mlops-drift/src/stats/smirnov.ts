import { CompensatedSum } from './summation';

/** log(2^-1022): below this `exp` underflows (cephes MINLOG). */
const MIN_LOG = -708.3964185322641;
/** Above this n scipy's `smirnov` switches to an approximation. */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const EPSILON = Number.EPSILON;

function clamp01(p: number): number {
  if (p < 0) {
    return 0;
  }
  return p > 1 ? 1 : p;
}

/** Veltkamp split of a double into two 26-bit halves. */
function split(a: number): [number, number] {
  const c = 134217729 * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

/**
 * floor(n·x) and the fractional part n·x − floor(n·x), computed from the
 * exact product (Dekker's two-product), as scipy's `modNX` does with
 * double-double arithmetic. Getting this exactly right matters at the
 * lattice points x = k/n where the Smirnov sum changes its number of terms.
 */
function exactFloorOfProduct(
  n: number,
  x: number,
): { floor: number; fraction: number } {
  const p = n * x;
  const [nh, nl] = split(n);
  const [xh, xl] = split(x);
  const err = nh * xh - p + nh * xl + nl * xh + nl * xl;
  let floor = Math.floor(p);
  let fraction = p - floor + err;
  if (fraction < 0) {
    floor -= 1;
    fraction += 1;
  }
  if (fraction >= 1) {
    floor += 1;
    fraction -= 1;
  }
  return { floor, fraction };
}

/**
 * One-sided Smirnov survival function P(D⁺ₙ ≥ x), i.e. `scipy.special.smirnov(n, x)`.
 *
 * Birnbaum–Tingey: P(D⁺ₙ ≥ x) = x · Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x + v/n)^{v−1} (1 − x − v/n)^{n−v}.
 * Each term is evaluated in log space (the binomial coefficients overflow a
 * double long before n = 500 000, the effective n of a 1M vs 1M KS test) and
 * the terms are added with compensated summation. The special cases, the
 * "upper sum" variant for few terms, the early termination rule and the
 * approximation for n > 1 000 000 follow scipy's implementation
 * (xsf/cephes/kolmogorov.h, van Mulbregt 2018), so the same formula is used
 * in the same region. Relative accuracy is about 1e-12.
 */
export function smirnovSf(n: number, x: number): number {
  if (Number.isNaN(x) || Number.isNaN(n)) {
    return NaN;
  }
  if (!(n > 0 && x >= 0 && x <= 1) || !Number.isInteger(n)) {
    return NaN;
  }
  if (n === 1) {
    return 1 - x;
  }
  if (x === 0) {
    return 1;
  }
  if (x === 1) {
    return 0;
  }

  const { floor: nxfl, fraction: alpha } = exactFloorOfProduct(n, x);

  // x <= 1/n: cdf = x (1 + x)^(n−1)
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const cdf = x * Math.exp((n - 1) * Math.log1p(x));
    return clamp01(1 - cdf);
  }
  // the survival function underflows
  if (-2 * n * x * x < MIN_LOG) {
    return 0;
  }
  // x >= 1 − 1/n: sf = (1 − x)^n
  if (nxfl >= n - 1) {
    return clamp01(Math.exp(n * Math.log1p(-x)));
  }
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // p ≈ exp(−(6nx + 1)² / 18n), as scipy does for very large n
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    if (logp < -Math.LN2) {
      return clamp01(Math.exp(logp));
    }
    return clamp01(1 - -Math.expm1(logp));
  }

  let lastLowerIndex = n - nxfl - (alpha === 0 ? 0 : 1);
  let firstUpperIndex = n - nxfl;
  if (alpha === 0) {
    // the term at v = n(1−x) is zero; leave it out of both sums
    lastLowerIndex -= 1;
    firstUpperIndex += 1;
  }
  const nUpperTerms = n - firstUpperIndex + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N &&
      nUpperTerms <= SM_UPPER_MAX_TERMS &&
      x <= 0.5 / Math.sqrt(n));

  const logX = Math.log(x);
  const logN = Math.log(n);
  const total = new CompensatedSum();

  if (!useUpperSum) {
    // sf = x · Σ_{v=0}^{lastLowerIndex} A_v, all terms positive. This loop
    // runs up to n times (≈ 5·10⁵ for a 1M vs 1M test), so the two
    // compensated sums (Neumaier) are kept in locals.
    const nTerms = lastLowerIndex + 1;
    let logBinomial = 0;
    let logBinomialComp = 0;
    let sum = 0;
    let sumComp = 0;
    for (let v = 0; v < nTerms; v++) {
      // y = x + v/n and w = 1 − x − v/n, formed from the exact n·x
      const yNumerator = nxfl + v + alpha;
      const y = yNumerator / n;
      const logW =
        y < 0.5 ? Math.log1p(-y) : Math.log(n - v - nxfl - alpha) - logN;
      const logY = Math.log(yNumerator) - logN;
      const term = Math.exp(
        logX +
          (logBinomial + logBinomialComp) +
          (n - v) * logW +
          (v - 1) * logY,
      );
      const t = sum + term;
      sumComp += Math.abs(sum) >= term ? sum - t + term : term - t + sum;
      sum = t;
      if (term === 0) {
        if (v > n / 2) {
          break;
        }
      } else if (
        4 * (nTerms - v) * term < EPSILON * (sum + sumComp) &&
        v !== nTerms - 1
      ) {
        break;
      }
      const step = Math.log((n - v) / (v + 1));
      const b = logBinomial + step;
      logBinomialComp +=
        Math.abs(logBinomial) >= Math.abs(step)
          ? logBinomial - b + step
          : step - b + logBinomial;
      logBinomial = b;
    }
    return clamp01(sum + sumComp);
  }

  // cdf = x · Σ_{v=n}^{firstUpperIndex} A_v; here 1 − x − v/n < 0 and the
  // terms alternate in sign.
  const logBinomial = new CompensatedSum();
  for (let v = n; v >= firstUpperIndex; v--) {
    const yNumerator = nxfl + v + alpha;
    const negWNumerator = v + nxfl - n + alpha; // −(n − v − n·x) > 0
    const exponent = n - v;
    const logAbsW = exponent === 0 ? 0 : Math.log(negWNumerator) - logN;
    const logY = Math.log(yNumerator) - logN;
    const logTerm =
      logX + logBinomial.value() + exponent * logAbsW + (v - 1) * logY;
    const sign = exponent % 2 === 0 ? 1 : -1;
    total.add(sign * Math.exp(logTerm));
    // C(n, v−1) = C(n, v) · v / (n − v + 1)
    logBinomial.add(Math.log(v / (n - v + 1)));
  }
  return clamp01(1 - total.value());
}
